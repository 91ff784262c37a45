import type { AppError, InterceptDecision, MonitorInterception, Proposal } from "@flow/bindings";
import { ChecksSection, DiffLines } from "./ProposalParts";

/**
 * A monitored run's step failed and the run holds: the failure, the fix the model plans for
 * that step alone (streaming, then as a diff with its Checks), and the three ways on.
 */
export function InterceptionDialog({
  interception,
  proposal,
  text,
  busy,
  error,
  onDecide,
}: {
  interception: MonitorInterception;
  proposal: Proposal | null;
  text: string;
  busy: boolean;
  error: AppError | null;
  onDecide: (decision: InterceptDecision) => void;
}) {
  const planning = interception.status === "planning";
  return (
    <div className="fe-backdrop">
      <div className="fe-dialog card agentic-review" role="dialog" aria-modal="true" aria-label="A step failed">
        <h2>
          Step <code>{interception.nodeId}</code> failed
        </h2>
        <div className="fe-dialog-body">
          <p className="error">{interception.error}</p>
          {planning && (
            <div className="agentic-generating">
              <p className="muted" aria-live="polite">
                The monitor is planning a fix for this step…
              </p>
              <pre className="agentic-stream" aria-label="Generated text">
                {text}
              </pre>
            </div>
          )}
          {!planning && proposal === null && (
            <p className="muted" role="status">
              No fix to offer: {interception.fixError ?? "the model proposed none"}.
            </p>
          )}
          {proposal !== null && (
            <>
              <p className="agentic-summary">
                A fix from {proposal.model} ({proposal.completionTokens} tokens in {((proposal.durationMs ?? 0) / 1000).toFixed(1)} s); accepting
                saves it as a new revision and runs the step again.
              </p>
              <DiffLines proposal={proposal} label="The fix" />
              <ChecksSection checks={proposal.checks} clean="No findings: the step can run as fixed." />
            </>
          )}
          {error !== null && (
            <p className="error" role="alert">
              {error.error}
            </p>
          )}
        </div>
        <div className="fe-dialog-actions">
          <button type="button" className="danger" disabled={busy} onClick={() => { onDecide("reject"); }}>
            Reject (stop)
          </button>
          <button type="button" disabled={busy} onClick={() => { onDecide("resume"); }}>
            Resume without fix
          </button>
          <button type="button" className="primary" disabled={busy || proposal === null} onClick={() => { onDecide("accept"); }}>
            Accept fix &amp; apply
          </button>
        </div>
      </div>
    </div>
  );
}
