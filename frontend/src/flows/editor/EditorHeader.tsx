import type { AppError, FlowGraph } from "@flow/bindings";

export interface EditorHeaderProps {
  graph: FlowGraph;
  revision: number;
  dirty: boolean;
  remoteRevision: number | null;
  saveError: AppError | null;
  onProperties: () => void;
  onReloadRemote: () => void;
  onDismissRemote: () => void;
  onDismissSaveError: () => void;
}

/** Flow name, revision, unsaved mark, and notices (saved elsewhere, save failed). */
export function EditorHeader(props: EditorHeaderProps) {
  const { graph } = props;
  return (
    <header className="fe-header">
      <div className="fe-title">
        <h1>{graph.name}</h1>
        <span className="badge" title="Saved revision">
          rev {props.revision}
        </span>
        {graph.version !== undefined && graph.version !== "" && <span className="muted">v{graph.version}</span>}
        {props.dirty && (
          <span className="fe-dirty" role="status">
            ● Unsaved changes
          </span>
        )}
        <button type="button" className="quiet" onClick={props.onProperties}>
          Properties
        </button>
      </div>
      {graph.description !== undefined && graph.description !== null && graph.description !== "" && <p className="muted">{graph.description}</p>}
      {props.remoteRevision !== null && (
        <div className="fe-notice" role="status">
          Saved elsewhere as revision {props.remoteRevision} —{" "}
          <button type="button" className="link" onClick={props.onReloadRemote}>
            reload
          </button>{" "}
          /{" "}
          <button type="button" className="link" onClick={props.onDismissRemote}>
            keep editing
          </button>
        </div>
      )}
      {props.saveError !== null && (
        <div className="fe-notice" role="alert" data-kind="error">
          Save failed: {props.saveError.error}{" "}
          <button type="button" className="link" onClick={props.onDismissSaveError}>
            Dismiss
          </button>
        </div>
      )}
    </header>
  );
}
