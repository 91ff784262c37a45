import type { AwaitingPrompt } from "../../runs/run-reducer";
import { Dialog } from "./Dialog";

/** A run waiting before a destructive step: approve runs it, deny fails the node. */
export function ApproveStepDialog({
  awaiting,
  busy,
  onAnswer,
}: {
  awaiting: AwaitingPrompt;
  busy: boolean;
  onAnswer: (nodeId: string, approve: boolean) => void;
}) {
  return (
    <Dialog
      title="Approve a destructive step?"
      onClose={() => undefined}
      actions={
        <>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              onAnswer(awaiting.nodeId, true);
            }}
          >
            Approve
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              onAnswer(awaiting.nodeId, false);
            }}
          >
            Deny
          </button>
        </>
      }
    >
      <p>
        The run is waiting before node <strong>{awaiting.nodeId}</strong>, which would:
      </p>
      <pre className="run-confirm-action">{awaiting.action}</pre>
      <p className="muted">Approve runs it; Deny fails the node (its fail path, if any, runs instead).</p>
    </Dialog>
  );
}
