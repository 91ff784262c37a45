import type { RunStatus } from "@flow/bindings";
import { runStatusLabel } from "../../runs/run-reducer";
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
  run: ToolbarRun;
}

export interface ToolbarRun {
  /** The shown run's status; null before any run. */
  status: RunStatus | null;
  /** A run is going (or starting): Run is off, Pause/Resume and Stop are on. */
  active: boolean;
  busy: boolean;
  onRun: () => void;
  /** Runs with the monitor applying its fixes itself (only for a monitored flow). */
  onRunAutonomously?: (() => void) | null;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
  onSchedule: () => void;
  /** The flow has a schedule (the button says so). */
  scheduled: boolean;
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
      <RunButtons run={props.run} />
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

function RunButtons({ run }: { run: ToolbarRun }) {
  const paused = run.status === "paused";
  const steerable = run.active && run.status !== null;
  return (
    <div className="fe-run-controls" role="group" aria-label="Run controls">
      {run.status !== null && (
        <span className="run-chip" role="status" aria-label={`Run ${runStatusLabel(run.status)}`} data-status={run.status}>
          {runStatusLabel(run.status)}
        </span>
      )}
      <button type="button" className="fe-run" aria-label="Run" onClick={run.onRun} disabled={run.active} title="Run the flow as shown">
        ▶ Run
      </button>
      {run.onRunAutonomously != null && (
        <button
          type="button"
          aria-label="Run autonomously"
          onClick={run.onRunAutonomously}
          disabled={run.active}
          title="Run; on a failure the monitor applies its fix and re-runs the step, within the agentic budgets"
        >
          ⟳ Run autonomously
        </button>
      )}
      {paused ? (
        <button type="button" aria-label="Resume" onClick={run.onResume} disabled={!steerable || run.busy}>
          Resume
        </button>
      ) : (
        <button type="button" aria-label="Pause" onClick={run.onPause} disabled={!steerable || run.busy || run.status === "awaiting_confirmation" || run.status === "intercepted"}>
          Pause
        </button>
      )}
      <button type="button" aria-label="Stop" onClick={run.onStop} disabled={!steerable || run.busy}>
        ■ Stop
      </button>
      <button
        type="button"
        aria-label="Schedule"
        data-scheduled={run.scheduled ? "true" : undefined}
        onClick={run.onSchedule}
        title={run.scheduled ? "This flow has a schedule: edit it" : "Run this flow on a schedule"}
      >
        Schedule{run.scheduled ? " ●" : ""}
      </button>
    </div>
  );
}
