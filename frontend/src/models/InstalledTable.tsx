import type { InstalledModel, LlmStatus } from "@flow/bindings";
import { formatBytes, formatContext, isUsable, modelKey, residentLabel, residentModel } from "./models-logic";

/** The installed GGUF files: header facts (or why it could not be read), residency, load/unload/delete. */
export function InstalledTable({
  models,
  status,
  pending,
  onLoad,
  onUnload,
  onDelete,
}: {
  models: readonly InstalledModel[];
  status: LlmStatus | null;
  /** Keys `model:<file>` of files with a command in flight. */
  pending: ReadonlySet<string>;
  onLoad: (model: InstalledModel) => void;
  onUnload: (model: InstalledModel) => void;
  onDelete: (model: InstalledModel) => void;
}) {
  if (models.length === 0) return <p className="muted">No models installed yet. Download one from the catalog or import a GGUF file.</p>;
  const enabled = status?.enabled ?? true;
  return (
    <div className="models-table-wrap">
      <table className="models-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Architecture</th>
            <th scope="col">Quantization</th>
            <th scope="col">Context</th>
            <th scope="col">Size</th>
            <th scope="col">Memory</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => {
            const resident = residentModel(status, model.fileName);
            const busy = pending.has(modelKey(model.fileName));
            return (
              <tr key={model.fileName} data-loaded={resident !== undefined ? "true" : undefined}>
                <th scope="row">
                  <span className="models-file">{model.fileName}</span>
                  {typeof model.name === "string" && <span className="muted models-subname">{model.name}</span>}
                </th>
                {typeof model.error === "string" ? (
                  <td colSpan={3}>
                    <span className="error models-parse-error">Could not read its header: {model.error}</span>
                  </td>
                ) : (
                  <>
                    <td>{model.architecture ?? "—"}</td>
                    <td>{model.quantization ?? "—"}</td>
                    <td className="models-num">{formatContext(model.contextLength)}</td>
                  </>
                )}
                <td className="models-num">{formatBytes(model.sizeBytes)}</td>
                <td>
                  {resident !== undefined ? (
                    <span
                      className="models-resident"
                      data-testid={`resident-${model.fileName}`}
                      data-in-use={resident.activeRequests > 0 ? "true" : undefined}
                      title={`Loaded ${resident.loadedAt}, last used ${resident.lastUsedAt}`}
                    >
                      <span className="models-resident-dot" aria-hidden="true" />
                      {residentLabel(resident)}
                    </span>
                  ) : (
                    <span className="muted">Not loaded</span>
                  )}
                </td>
                <td className="models-action">
                  {resident !== undefined ? (
                    <button
                      type="button"
                      aria-label={`Unload ${model.fileName}`}
                      disabled={busy}
                      onClick={() => {
                        onUnload(model);
                      }}
                    >
                      Unload
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      aria-label={`Load ${model.fileName}`}
                      disabled={busy || !enabled || !isUsable(model)}
                      onClick={() => {
                        onLoad(model);
                      }}
                    >
                      Load
                    </button>
                  )}{" "}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete ${model.fileName}`}
                    disabled={busy}
                    onClick={() => {
                      onDelete(model);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
