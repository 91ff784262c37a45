import type { LlmStatus } from "@flow/bindings";
import { isBusy, statusSummary } from "./models-logic";

/** The runtime status line: loaded / max, memory resident / budget, generating and queued. */
export function RuntimeLine({ status }: { status: LlmStatus }) {
  return (
    <p className="models-runtime" data-testid="llm-status" data-busy={isBusy(status) ? "true" : undefined}>
      <span className="models-runtime-label">Local runtime</span>
      {status.enabled ? (
        <span className="muted">{statusSummary(status)}</span>
      ) : (
        <span className="muted">Turned off: enable “Local models” in Settings to load and run models.</span>
      )}
    </p>
  );
}
