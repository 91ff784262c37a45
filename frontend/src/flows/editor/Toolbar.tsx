import { plural } from "./node-display";

export type EditorMode = "canvas" | "dsl";

export interface ToolbarProps {
  mode: EditorMode;
  onMode: (mode: EditorMode) => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  historyOpen: boolean;
  onToggleHistory: () => void;
  errors: number;
  warnings: number;
  validationUnavailable: boolean;
  issuesOpen: boolean;
  onToggleIssues: () => void;
  canSave: boolean;
  saving: boolean;
  onSave: () => void;
}

/** Mode switch, undo/redo, layout, history, validation summary and Save. */
export function Toolbar(props: ToolbarProps) {
  const { mode, onMode } = props;
  const modKey = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent) ? "⌘" : "Ctrl+";
  return (
    <div className="fe-toolbar" role="toolbar" aria-label="Editor">
      <div className="fe-segmented" role="tablist" aria-label="View">
        {(["canvas", "dsl"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? "active" : undefined}
            onClick={() => {
              onMode(m);
            }}
          >
            {m === "canvas" ? "Canvas" : "DSL"}
          </button>
        ))}
      </div>
      <button type="button" onClick={props.onUndo} disabled={!props.canUndo} title={`Undo (${modKey}Z)`}>
        Undo
      </button>
      <button type="button" onClick={props.onRedo} disabled={!props.canRedo} title={`Redo (${modKey}Shift+Z)`}>
        Redo
      </button>
      <button type="button" onClick={props.onLayout} disabled={mode !== "canvas"}>
        Auto-layout
      </button>
      <button type="button" aria-pressed={props.historyOpen} onClick={props.onToggleHistory}>
        History
      </button>
      <button
        type="button"
        className="fe-validation"
        aria-pressed={props.issuesOpen}
        aria-label={props.validationUnavailable ? "Validation unavailable" : `${plural(props.errors, "error")}, ${plural(props.warnings, "warning")}`}
        data-state={props.errors > 0 ? "error" : props.warnings > 0 ? "warning" : "ok"}
        onClick={props.onToggleIssues}
      >
        {props.validationUnavailable ? (
          "Validation unavailable"
        ) : (
          <>
            <span className="count-error">✕ {props.errors}</span> <span className="count-warning">! {props.warnings}</span>
          </>
        )}
      </button>
      <span className="header-spacer" />
      <button
        type="button"
        className="primary"
        aria-label="Save"
        aria-busy={props.saving}
        onClick={props.onSave}
        disabled={!props.canSave || props.saving}
        title={`Save (${modKey}S)`}
      >
        {props.saving ? "Saving…" : "Save"}
      </button>
    </div>
  );
}
