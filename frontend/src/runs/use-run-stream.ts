import type { AppError, ExecutionEvent } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { useHost } from "../host";
import { applyBatch, initialStream, type StreamState } from "./run-stream";

const FLUSH_MS = 60;

export interface RunStream {
  state: StreamState | null;
  /** Following the run was refused (an unknown run). */
  error: AppError | null;
}

/**
 * Follows one run through the host's `followRun` (the core replays its recorded events, then
 * sends live ones, each `seq` once), folding them into a view published in batches.
 */
export function useRunStream(executionId: string | null, nodeIds: readonly string[]): RunStream {
  const host = useHost();
  const [state, setState] = useState<StreamState | null>(null);
  const [failure, setFailure] = useState<{ executionId: string; error: AppError } | null>(null);
  const stateRef = useRef<StreamState | null>(null);
  const pending = useRef<ExecutionEvent[]>([]);
  const timer = useRef<number | null>(null);
  const nodeIdsRef = useRef(nodeIds);
  useEffect(() => {
    nodeIdsRef.current = nodeIds;
  });

  // The events wait in a ref and are folded and published on a timer, batched.
  const flush = useCallback(() => {
    timer.current = null;
    const current = stateRef.current;
    if (current === null) return;
    if (pending.current.length > 0) {
      const batch = pending.current;
      pending.current = [];
      stateRef.current = applyBatch(current, batch);
    }
    setState(stateRef.current);
  }, []);

  const schedule = useCallback(() => {
    timer.current ??= window.setTimeout(flush, FLUSH_MS);
  }, [flush]);

  useEffect(() => {
    pending.current = [];
    if (executionId === null) {
      stateRef.current = null;
      return;
    }
    stateRef.current = initialStream(executionId, nodeIdsRef.current);
    schedule();
    return host.followRun(
      executionId,
      null,
      (event) => {
        pending.current.push(event);
        schedule();
      },
      (error) => {
        setFailure({ executionId, error });
      },
    );
  }, [host, executionId, schedule]);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  return {
    state: state !== null && state.view.executionId === executionId ? state : null,
    error: failure !== null && failure.executionId === executionId ? failure.error : null,
  };
}
