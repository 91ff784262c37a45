import type { LlmStatus } from "@flow/bindings";
import { useEffect } from "react";
import { useLiveQuery, type LiveQuery } from "../host";
import { isBusy, refreshesStatus } from "./models-logic";

/** How often the runtime status is refetched while it is generating (generations end without an event). */
const BUSY_POLL_MS = 1_500;

/** The local runtime's status, kept current by events and, while it is busy, by polling so "in use" clears. */
export function useRuntimeStatus(): LiveQuery<LlmStatus> {
  const status = useLiveQuery((c) => c.llmStatus(), refreshesStatus);
  const reloadStatus = status.reload;
  const busy = isBusy(status.data);
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(reloadStatus, BUSY_POLL_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [busy, status.data, reloadStatus]);
  return status;
}
