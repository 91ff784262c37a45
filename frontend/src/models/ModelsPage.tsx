import type { CatalogModel, Client, InstalledModel, LlmStatus, ModelDownload } from "@flow/bindings";
import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost, useLiveQuery, type LiveQuery } from "../host";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import { ImportModel } from "./ImportModel";
import { Playground } from "./Playground";
import {
  downloadActions,
  downloadRows,
  downloadsReducer,
  downloadStatusLabel,
  formatBytes,
  formatContext,
  formatEta,
  formatRate,
  isBusy,
  isInstalled,
  isUsable,
  NO_UPDATES,
  progressFraction,
  refreshesInstalled,
  refreshesStatus,
  residentLabel,
  residentModel,
  statusSummary,
} from "./models-logic";

const never = () => false;

/** How often the runtime status is refetched while it is generating (generations end without an event). */
const BUSY_POLL_MS = 1_500;

/**
 * `/models`: the Model Hub catalog, downloads with live progress, the installed GGUF files (load,
 * unload, delete, import), the local runtime's status and a playground to try a model.
 */
export function ModelsPage() {
  const host = useHost();
  const { client } = host;
  const catalog = useLiveQuery((c) => c.modelsCatalog(), never);
  const installed = useLiveQuery((c) => c.modelsInstalled(), refreshesInstalled);
  const status = useLiveQuery((c) => c.llmStatus(), refreshesStatus);
  // The downloads list drops a download once it is installed: refetch it then too.
  const downloads = useLiveQuery((c) => c.modelDownloads(), refreshesInstalled);
  const [updates, dispatch] = useReducer(downloadsReducer, NO_UPDATES);
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState<ModelDownload | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<InstalledModel | null>(null);

  // Generations end without an event: poll while the runtime is busy so "in use" clears.
  const reloadStatus = status.reload;
  const busy = isBusy(status.data);
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(reloadStatus, BUSY_POLL_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [busy, status.data, reloadStatus]);

  // The list an update applies over is the one shown when the update lands (see downloadsReducer).
  const shownList = useRef(downloads.data);
  useEffect(() => {
    shownList.current = downloads.data;
  });

  useFlowEvents((event) => {
    if (event.type === "model-download") dispatch({ base: shownList.current, download: event });
  });

  const rows = downloadRows(downloads.data, updates);
  const names = useMemo(() => new Map((catalog.data ?? []).map((model) => [model.id, model.name])), [catalog.data]);
  const nameOf = (download: ModelDownload) => names.get(download.id) ?? download.fileName;

  /** Runs a command for `key` (a download id, or `model:<file>`), its button disabled meanwhile. */
  const perform = <T,>(key: string, run: (client: Client) => Promise<T>, done: (answer: T) => void) => {
    setPending((current) => new Set(current).add(key));
    setActionError(null);
    run(client)
      .then(done, (cause: unknown) => {
        setActionError(errorText(asAppError(cause)));
      })
      .finally(() => {
        setPending((current) => {
          const next = new Set(current);
          next.delete(key);
          return next;
        });
      });
  };

  const act = (id: string, run: (client: Client) => Promise<ModelDownload>) => {
    perform(id, run, (download) => {
      dispatch({ base: shownList.current, download });
    });
  };

  const modelKey = (fileName: string) => `model:${fileName}`;
  const afterStatus = () => {
    status.reload();
  };
  const afterDelete = () => {
    installed.reload();
    status.reload();
  };

  return (
    <div className="page models-page">
      <div className="page-header">
        <h1>Models</h1>
        {installed.data !== null && <p className="muted">{installed.data.length} installed</p>}
      </div>
      <RuntimeSummary status={status} />
      {actionError !== null && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}

      <section className="models-section" aria-labelledby="models-downloads">
        <h2 id="models-downloads">Downloads</h2>
        <QueryState query={downloads} what="downloads" />
        {downloads.data !== null && rows.length === 0 && <p className="muted">No downloads in progress.</p>}
        {rows.length > 0 && (
          <ul className="models-downloads">
            {rows.map((download) => (
              <DownloadRow
                key={download.id}
                download={download}
                name={nameOf(download)}
                busy={pending.has(download.id)}
                onPause={() => {
                  act(download.id, (c) => c.modelDownloadPause(download.id));
                }}
                onResume={() => {
                  act(download.id, (c) => c.modelDownloadResume(download.id));
                }}
                onCancel={() => {
                  setConfirmCancel(download);
                }}
              />
            ))}
          </ul>
        )}
      </section>

      <section className="models-section" aria-labelledby="models-catalog">
        <h2 id="models-catalog">Catalog</h2>
        <QueryState query={catalog} what="the catalog" />
        {catalog.data !== null && (
          <CatalogTable
            models={catalog.data}
            installed={installed.data}
            downloads={rows}
            pending={pending}
            onDownload={(model) => {
              act(model.id, (c) => c.modelDownloadStart(model.id));
            }}
          />
        )}
      </section>

      <section className="models-section" aria-labelledby="models-installed">
        <h2 id="models-installed">Installed</h2>
        <QueryState query={installed} what="installed models" />
        {installed.data !== null && (
          <InstalledTable
            models={installed.data}
            status={status.data}
            pending={pending}
            onLoad={(model) => {
              perform(modelKey(model.fileName), (c) => c.llmLoad(model.fileName, null), afterStatus);
            }}
            onUnload={(model) => {
              perform(modelKey(model.fileName), (c) => c.llmUnload(model.fileName), afterStatus);
            }}
            onDelete={(model) => {
              setConfirmDelete(model);
            }}
          />
        )}
        <ImportModel
          upload={host.kind === "http" ? host.uploadModel : undefined}
          importPath={(path) => client.modelImportFile(path)}
          onImported={() => {
            installed.reload();
          }}
        />
      </section>

      <section className="models-section" aria-labelledby="models-playground">
        <h2 id="models-playground">Playground</h2>
        {installed.data !== null && (
          <Playground models={installed.data.filter(isUsable)} loaded={status.data?.loaded ?? []} onActivity={reloadStatus} />
        )}
      </section>

      {confirmCancel !== null && (
        <ConfirmDialog
          title={`Cancel the download of ${nameOf(confirmCancel)}?`}
          confirmLabel="Cancel download"
          cancelLabel="Keep it"
          danger
          onConfirm={() => {
            const { id } = confirmCancel;
            setConfirmCancel(null);
            act(id, (c) => c.modelDownloadCancel(id));
          }}
          onCancel={() => {
            setConfirmCancel(null);
          }}
        >
          <p>
            The {formatBytes(confirmCancel.bytes)} downloaded so far will be deleted; downloading it again starts from the
            beginning.
          </p>
        </ConfirmDialog>
      )}

      {confirmDelete !== null && (
        <ConfirmDialog
          title={`Delete ${confirmDelete.fileName}?`}
          confirmLabel="Delete"
          danger
          onConfirm={() => {
            const { fileName } = confirmDelete;
            setConfirmDelete(null);
            perform(modelKey(fileName), (c) => c.modelDelete(fileName), afterDelete);
          }}
          onCancel={() => {
            setConfirmDelete(null);
          }}
        >
          <p>
            The file ({formatBytes(confirmDelete.sizeBytes)}) is removed from this machine
            {residentModel(status.data, confirmDelete.fileName) !== undefined ? " and unloaded from memory" : ""}. Flows
            that use it stop working until it is installed again.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

export default ModelsPage;

/** A list's loading note or error (with a retry). */
function QueryState({ query, what }: { query: LiveQuery<unknown>; what: string }) {
  if (query.error !== null) {
    return (
      <div className="models-query-error">
        <p className="error" role="alert">
          Could not load {what}: {errorText(query.error)}
        </p>
        <button type="button" onClick={query.reload}>
          Retry
        </button>
      </div>
    );
  }
  if (query.data === null) return <p className="muted">Loading {what}…</p>;
  return null;
}

/** The local runtime in one line: loaded / max, memory resident / budget, generating and queued. */
export function RuntimeSummary({ status }: { status: LiveQuery<LlmStatus> }) {
  if (status.error !== null) {
    return (
      <p className="muted models-runtime" data-testid="llm-status">
        Runtime status unavailable: {errorText(status.error)}
      </p>
    );
  }
  if (status.data === null) return null;
  return <RuntimeLine status={status.data} />;
}

export function RuntimeLine({ status }: { status: LlmStatus }) {
  return (
    <p className="models-runtime" data-testid="llm-status" data-busy={isBusy(status) ? "true" : undefined}>
      <span className="models-runtime-label">Local runtime</span>
      {status.enabled ? (
        <span className="muted">{statusSummary(status)}</span>
      ) : (
        <span className="muted">Turned off: enable “Local models” in Settings to load and run models.</span>
      )}
    </p>
  );
}

export function DownloadRow({
  download,
  name,
  busy,
  onPause,
  onResume,
  onCancel,
}: {
  download: ModelDownload;
  name: string;
  busy: boolean;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}) {
  const fraction = progressFraction(download);
  const actions = downloadActions(download.status);
  return (
    <li className={`models-download card models-download-${download.status}`}>
      <div className="models-download-head">
        <span className="models-download-name">
          <strong>{name}</strong> <span className="muted models-file">{download.fileName}</span>
        </span>
        <span className="badge models-status">{downloadStatusLabel(download.status)}</span>
      </div>
      <progress
        aria-label={`${name} download progress`}
        max={1}
        value={fraction ?? undefined}
        className="models-progress"
      />
      <div className="models-download-stats muted">
        <span>
          {formatBytes(download.bytes)} / {fraction !== null ? formatBytes(download.total) : "unknown size"}
          {fraction !== null && ` (${String(Math.floor(fraction * 100))}%)`}
        </span>
        {download.status === "downloading" && (
          <>
            <span>{formatRate(download.rateBps)}</span>
            <span>{formatEta(download.etaSecs)} left</span>
          </>
        )}
      </div>
      {download.status === "failed" && typeof download.error === "string" && (
        <p className="error" role="alert">
          {download.error}
        </p>
      )}
      <div className="models-download-actions">
        {actions.pause && (
          <button type="button" disabled={busy} onClick={onPause}>
            Pause
          </button>
        )}
        {actions.resume && (
          <button type="button" className="primary" disabled={busy} onClick={onResume}>
            Resume
          </button>
        )}
        {actions.cancel && (
          <button type="button" className="danger" disabled={busy} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </li>
  );
}

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
            const busy = pending.has(`model:${model.fileName}`);
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
