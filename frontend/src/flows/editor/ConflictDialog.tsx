import type { SaveConflict } from "./use-flow-document";
import { Dialog } from "./Dialog";

/** A save refused because the flow was saved elsewhere since it was loaded: reload theirs or overwrite. */
export function ConflictDialog({
  conflict,
  onReload,
  onOverwrite,
  onClose,
}: {
  conflict: SaveConflict;
  onReload: () => void;
  onOverwrite: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      title="Saved elsewhere"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onReload}>
            Reload theirs
          </button>
          <button type="button" className="primary" onClick={onOverwrite}>
            Overwrite with mine
          </button>
        </>
      }
    >
      <p>
        This flow was saved elsewhere
        {conflict.theirRevision !== null ? ` (revision ${conflict.theirRevision})` : ""}. Reload theirs, or overwrite it with your
        version?
      </p>
    </Dialog>
  );
}
