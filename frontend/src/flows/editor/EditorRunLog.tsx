import { Link } from "react-router";
import { emptyLog } from "../../runs/log-buffer";
import { isActive } from "../../runs/run-reducer";
import { RunLogPanel } from "../../runs/RunLogPanel";
import { runPath, statusLabel } from "../../runs/runs-logic";
import type { EditorRun } from "../../runs/use-editor-run";
import type { RunLogView } from "./use-run-panel";

const EMPTY_LOG = emptyLog();

/** The run log below the editor, with a notice linking to the Runs page once the run has ended. */
export function EditorRunLog({ run, log }: { run: EditorRun; log: RunLogView }) {
  const runView = run.state?.view ?? null;
  return (
    <RunLogPanel
      log={run.state?.log ?? EMPTY_LOG}
      executionId={run.executionId}
      nodeFilter={log.nodeFilter}
      onNodeFilter={log.setNodeFilter}
      collapsed={log.collapsed}
      onToggleCollapsed={log.toggleCollapsed}
      notice={
        runView?.status != null && !isActive(runView.status) && log.dismissedDone !== runView.executionId ? (
          <span className="run-done-notice" role="status" data-status={runView.status}>
            Run {statusLabel(runView.status)}. <Link to={runPath(runView.executionId)}>Open the run in Runs</Link>{" "}
            <button
              type="button"
              className="link"
              onClick={() => {
                log.dismissDone(runView.executionId);
              }}
            >
              Dismiss
            </button>
          </span>
        ) : null
      }
    />
  );
}
