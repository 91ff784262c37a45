import type { RunStatus, StepStatus } from "@flow/bindings";
import { statusLabel } from "./runs-logic";

/** A run's or a step's status as a coloured pill. */
export function RunStatusBadge({ status }: { status: RunStatus | StepStatus }) {
  return (
    <span className="run-status" data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
