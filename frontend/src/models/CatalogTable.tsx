import type { CatalogModel, InstalledModel, ModelDownload } from "@flow/bindings";
import { downloadStatusLabel, formatBytes, formatContext, isInstalled } from "./models-logic";

/** The Model Hub catalog: each model's facts, and Installed, its download's status or Download. */
export function CatalogTable({
  models,
  installed,
  downloads,
  pending,
  onDownload,
}: {
  models: readonly CatalogModel[];
  installed: readonly InstalledModel[] | null;
  downloads: readonly ModelDownload[];
  pending: ReadonlySet<string>;
  onDownload: (model: CatalogModel) => void;
}) {
  if (models.length === 0) return <p className="muted">The catalog is empty.</p>;
  return (
    <div className="models-table-wrap">
      <table className="models-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Family</th>
            <th scope="col">Parameters</th>
            <th scope="col">Quantization</th>
            <th scope="col">Download</th>
            <th scope="col">RAM needed</th>
            <th scope="col">Context</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => {
            const download = downloads.find((d) => d.id === model.id);
            return (
              <tr key={model.id}>
                <th scope="row">{model.name}</th>
                <td>{model.family}</td>
                <td>{model.parameters}</td>
                <td>{model.quantization}</td>
                <td className="models-num">{formatBytes(model.sizeBytes)}</td>
                <td className="models-num">{formatBytes(model.ramBytes)}</td>
                <td className="models-num">{formatContext(model.contextLength)}</td>
                <td className="models-action">
                  {isInstalled(model, installed) ? (
                    <span className="badge models-installed">Installed</span>
                  ) : download !== undefined ? (
                    <span className="muted">{downloadStatusLabel(download.status)}</span>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      disabled={pending.has(model.id)}
                      onClick={() => {
                        onDownload(model);
                      }}
                    >
                      Download
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
