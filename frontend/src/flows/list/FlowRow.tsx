import type { Collection, FlowFileFormat, FlowSummary } from "@flow/bindings";
import { useId, useState } from "react";
import { Link } from "react-router";
import { asAppError, useHost } from "../../host";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { downloadText } from "../../ui/download";
import { errorText } from "../../ui/error-text";
import { NameForm } from "../../ui/NameForm";
import { collectionName, EXPORT_FORMATS, exportFileName, flowPath, formatRelative, renameErrorText } from "./flows-logic";

type Mode = "view" | "rename" | "delete";

/** One saved flow in the table, with its actions (rename, duplicate, move, export, delete). */
export function FlowRow({
  flow,
  collections,
  now,
  onChanged,
}: {
  flow: FlowSummary;
  collections: Collection[] | null;
  now: number;
  onChanged: () => void;
}) {
  const { client } = useHost();
  const nameId = useId();
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [format, setFormat] = useState<FlowFileFormat>("dsl");

  /** Runs one action: busy while it runs, the error on the row when it fails. */
  const run = <T,>(action: () => Promise<T>, done: (result: T) => void, describe = errorText) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    action().then(
      (result) => {
        setBusy(false);
        done(result);
      },
      (cause: unknown) => {
        setBusy(false);
        setError(describe(asAppError(cause)));
      },
    );
  };

  const rename = (name: string) => {
    run(
      () => client.flowRename(flow.slug, name, flow.revision),
      () => {
        setMode("view");
        onChanged();
      },
      (appError) => {
        // A stale revision: fetch the current one so the next try can succeed.
        if (appError.kind === "Conflict") onChanged();
        return renameErrorText(appError, errorText(appError));
      },
    );
  };

  const duplicate = () => {
    run(
      () => client.flowDuplicate(flow.slug, null),
      (copy) => {
        setNotice(`Duplicated as “${copy.graph.name}”.`);
        onChanged();
      },
    );
  };

  const move = (collection: string) => {
    run(
      () => client.flowMove(flow.slug, collection),
      () => {
        onChanged();
      },
    );
  };

  const exportFlow = () => {
    run(
      () => client.flowExport(flow.slug, format),
      (file) => {
        downloadText(file.fileName === "" ? exportFileName(flow.slug, format) : file.fileName, file.mimeType, file.content);
      },
    );
  };

  const remove = () => {
    run(
      () => client.flowDelete(flow.slug),
      () => {
        setMode("view");
        onChanged();
      },
    );
  };

  return (
    <tr className="flow-row" data-slug={flow.slug} aria-busy={busy}>
      <td className="flow-name-cell">
        {mode === "rename" ? (
          <NameForm
            label={`New name for ${flow.name}`}
            initial={flow.name}
            submitLabel="Save"
            busy={busy}
            error={error}
            onSubmit={rename}
            onCancel={() => {
              setMode("view");
              setError(null);
            }}
          />
        ) : (
          <Link id={nameId} className="flow-name" to={flowPath(flow.slug)}>
            {flow.name}
          </Link>
        )}
        {flow.description !== undefined && flow.description !== null && flow.description !== "" && (
          <span className="flow-description">{flow.description}</span>
        )}
        <span className="flow-meta">
          {flow.nodeCount} {flow.nodeCount === 1 ? "node" : "nodes"} · {flow.edgeCount}{" "}
          {flow.edgeCount === 1 ? "edge" : "edges"} · <span title="Revision">r{flow.revision}</span>
        </span>
        {mode === "view" && error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {notice !== null && (
          <p className="saved" role="status">
            {notice}
          </p>
        )}
      </td>
      <td>
        <select
          className="flow-move"
          aria-label={`Move ${flow.name} to collection`}
          title="Move to another collection"
          value={flow.collection}
          disabled={busy || collections === null}
          onChange={(event) => {
            if (event.target.value !== flow.collection) move(event.target.value);
          }}
        >
          {(collections ?? []).map((collection) => (
            <option key={collection.slug} value={collection.slug}>
              {collection.name}
            </option>
          ))}
          {collections?.some((collection) => collection.slug === flow.collection) !== true && (
            <option value={flow.collection}>{collectionName(collections, flow.collection)}</option>
          )}
        </select>
      </td>
      <td className="flow-updated">
        <time dateTime={flow.updatedAt} title={new Date(flow.updatedAt).toLocaleString()}>
          {formatRelative(flow.updatedAt, now)}
        </time>
      </td>
      <td className="flow-actions-cell">
        <div className="flow-actions" role="group" aria-label={`Actions for ${flow.name}`}>
          <button
            type="button"
            aria-describedby={nameId}
            disabled={busy || mode === "rename"}
            onClick={() => {
              setMode("rename");
              setError(null);
            }}
          >
            Rename
          </button>
          <button type="button" aria-describedby={nameId} disabled={busy} onClick={duplicate}>
            Duplicate
          </button>
          <span className="export-group">
            <select
              aria-label={`Export format for ${flow.name}`}
              title="Export format"
              value={format}
              onChange={(event) => {
                setFormat(event.target.value === "json" ? "json" : "dsl");
              }}
            >
              {EXPORT_FORMATS.map((option) => (
                <option key={option.format} value={option.format}>
                  {option.label}
                </option>
              ))}
            </select>
            <button type="button" aria-describedby={nameId} disabled={busy} onClick={exportFlow}>
              Export
            </button>
          </span>
          <button
            type="button"
            className="danger"
            aria-describedby={nameId}
            disabled={busy}
            onClick={() => {
              setMode("delete");
              setError(null);
            }}
          >
            Delete
          </button>
        </div>
        {mode === "delete" && (
          <ConfirmDialog
            title={`Delete “${flow.name}”?`}
            confirmLabel="Delete flow"
            danger
            busy={busy}
            onConfirm={remove}
            onCancel={() => {
              setMode("view");
            }}
          >
            <p>The flow and its saved revisions are removed. This cannot be undone.</p>
            {error !== null && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}
