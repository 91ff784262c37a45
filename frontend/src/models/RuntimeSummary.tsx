import type { LlmStatus } from "@flow/bindings";
import type { LiveQuery } from "../host";
import { errorText } from "../ui/error-text";
import { RuntimeLine } from "./RuntimeLine";

/** The local runtime in one line: loaded / max, memory resident / budget, generating and queued. */
export function RuntimeSummary({ status }: { status: LiveQuery<LlmStatus> }) {
  if (status.error !== null) {
    return (
      <p className="muted models-runtime" data-testid="llm-status">
        Runtime status unavailable: {errorText(status.error)}
      </p>
    );
  }
  if (status.data === null) return null;
  return <RuntimeLine status={status.data} />;
}
