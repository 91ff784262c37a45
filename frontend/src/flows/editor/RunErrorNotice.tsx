import type { AppError } from "@flow/bindings";
import { errorText } from "../../ui/error-text";

/** A run that could not start (`startFailed`), or a pause, resume, stop or confirmation the core refused. */
export function RunErrorNotice({ error, startFailed, onDismiss }: { error: AppError; startFailed: boolean; onDismiss: () => void }) {
  return (
    <div className="fe-notice" role="alert" data-kind="error">
      {startFailed ? "Could not start the run" : "Run control failed"}: {errorText(error)}{" "}
      <button type="button" className="link" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
