import type { Client, InstalledModel, ModelDownload } from "@flow/bindings";
import { useMemo, useState } from "react";
import { useHost, useLiveQuery } from "../host";
import { CancelDownloadDialog } from "./CancelDownloadDialog";
import { CatalogTable } from "./CatalogTable";
import { DeleteModelDialog } from "./DeleteModelDialog";
import { DownloadRow } from "./DownloadRow";
import { ImportModel } from "./ImportModel";
import { InstalledTable } from "./InstalledTable";
import { isUsable, modelKey, refreshesInstalled, residentModel } from "./models-logic";
import { Playground } from "./Playground";
import { QueryState } from "./QueryState";
import { RuntimeSummary } from "./RuntimeSummary";
import { useDownloads } from "./use-downloads";
import { useModelActions } from "./use-model-actions";
import { useRuntimeStatus } from "./use-runtime-status";

const never = () => false;

/**
 * `/models`: the Model Hub catalog, downloads with live progress, the installed GGUF files (load,
 * unload, delete, import), the local runtime's status and a playground to try a model.
 */
export function ModelsPage() {
  const { modelImport } = useHost().capabilities;
  const catalog = useLiveQuery((c) => c.modelsCatalog(), never);
  const installed = useLiveQuery((c) => c.modelsInstalled(), refreshesInstalled);
  const status = useRuntimeStatus();
  const downloads = useDownloads();
  const { pending, actionError, perform } = useModelActions();
  const [confirmCancel, setConfirmCancel] = useState<ModelDownload | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<InstalledModel | null>(null);

  const { rows } = downloads;
  const names = useMemo(() => new Map((catalog.data ?? []).map((model) => [model.id, model.name])), [catalog.data]);
  const nameOf = (download: ModelDownload) => names.get(download.id) ?? download.fileName;

  const act = (id: string, run: (client: Client) => Promise<ModelDownload>) => {
    perform(id, run, downloads.show);
  };
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
        <QueryState query={downloads.query} what="downloads" />
        {downloads.query.data !== null && rows.length === 0 && <p className="muted">No downloads in progress.</p>}
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
          modelImport={modelImport}
          onImported={() => {
            installed.reload();
          }}
        />
      </section>

      <section className="models-section" aria-labelledby="models-playground">
        <h2 id="models-playground">Playground</h2>
        {installed.data !== null && (
          <Playground models={installed.data.filter(isUsable)} loaded={status.data?.loaded ?? []} onActivity={status.reload} />
        )}
      </section>

      {confirmCancel !== null && (
        <CancelDownloadDialog
          download={confirmCancel}
          name={nameOf(confirmCancel)}
          onConfirm={() => {
            const { id } = confirmCancel;
            setConfirmCancel(null);
            act(id, (c) => c.modelDownloadCancel(id));
          }}
          onCancel={() => {
            setConfirmCancel(null);
          }}
        />
      )}

      {confirmDelete !== null && (
        <DeleteModelDialog
          model={confirmDelete}
          resident={residentModel(status.data, confirmDelete.fileName) !== undefined}
          onConfirm={() => {
            const { fileName } = confirmDelete;
            setConfirmDelete(null);
            perform(modelKey(fileName), (c) => c.modelDelete(fileName), afterDelete);
          }}
          onCancel={() => {
            setConfirmDelete(null);
          }}
        />
      )}
    </div>
  );
}

export default ModelsPage;
