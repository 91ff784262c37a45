import type { CatalogModel, Client, InstalledModel, ModelDownload } from "@flow/bindings";
import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost, useLiveQuery, type LiveQuery } from "../host";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import {
  downloadActions,
  downloadRows,
  downloadsReducer,
  downloadStatusLabel,
  formatBytes,
  formatContext,
  formatEta,
  formatRate,
  isInstalled,
  NO_UPDATES,
  progressFraction,
  refreshesInstalled,
} from "./models-logic";

const never = () => false;

/** `/models`: the Model Hub catalog, downloads with live progress, and the installed GGUF files. */
export function ModelsPage() {
  const { client } = useHost();
  const catalog = useLiveQuery((c) => c.modelsCatalog(), never);
  const installed = useLiveQuery((c) => c.modelsInstalled(), refreshesInstalled);
  // The downloads list drops a download once it is installed: refetch it then too.
  const downloads = useLiveQuery((c) => c.modelDownloads(), refreshesInstalled);
  const [updates, dispatch] = useReducer(downloadsReducer, NO_UPDATES);
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState<ModelDownload | null>(null);

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

  const act = (id: string, run: (client: Client) => Promise<ModelDownload>) => {
    setPending((current) => new Set(current).add(id));
    setActionError(null);
    run(client)
      .then(
        (download) => {
          dispatch({ base: shownList.current, download });
        },
        (cause: unknown) => {
          setActionError(errorText(asAppError(cause)));
        },
      )
      .finally(() => {
        setPending((current) => {
          const next = new Set(current);
          next.delete(id);
          return next;
        });
      });
  };

  return (
    <div className="page models-page">
      <div className="page-header">
        <h1>Models</h1>
        {installed.data !== null && <p className="muted">{installed.data.length} installed</p>}
      </div>
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
        {installed.data !== null && <InstalledTable models={installed.data} />}
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

export function InstalledTable({ models }: { models: readonly InstalledModel[] }) {
  if (models.length === 0) return <p className="muted">No models installed yet. Download one from the catalog.</p>;
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
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.fileName}>
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
