import { Dialog } from "./Dialog";

/** Leaving the DSL view while its text does not parse: fix it, or discard the edits. */
export function LeaveDslDialog({ problem, onStay, onDiscard }: { problem: string | null; onStay: () => void; onDiscard: () => void }) {
  return (
    <Dialog
      title="The DSL does not parse"
      onClose={onStay}
      actions={
        <>
          <button type="button" className="primary" onClick={onStay}>
            Fix it
          </button>
          <button type="button" className="danger" onClick={onDiscard}>
            Discard DSL changes
          </button>
        </>
      }
    >
      <p>{problem ?? "The text has an error."} Fix it, or discard the text edits since the last successful parse?</p>
    </Dialog>
  );
}
