import type { AppError, ExecutionEvent } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";
import { applyBatch, initialStream, keepLast, type StreamState } from "./run-stream";

const FLUSH_MS = 60;
const PAGE = 1_000;
const MAX_CATCH_UP_PAGES = 50;
const RECENT_LIMIT = 2_000;

export interface RunStream {
  state: StreamState | null;
  /** Fetching the recorded events failed (live events still arrive). */
  error: AppError | null;
}

/**
 * Follows one run: its recorded events first (`runEvents`), then live `execution` events,
 * batched. A `resync` fetches what was missed after the last `seq` held. Events that arrived
 * before the id was known (a run starts streaming before `runStart` answers) are kept briefly
 * and folded in when it is.
 */
export function useRunStream(executionId: string | null, nodeIds: readonly string[]): RunStream {
  const { client } = useHost();
  const [state, setState] = useState<StreamState | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const stateRef = useRef<StreamState | null>(null);
  const idRef = useRef<string | null>(null);
  const recent = useRef<ExecutionEvent[]>([]);
  const pending = useRef<ExecutionEvent[]>([]);
  const catchingUp = useRef(0);
  const timer = useRef<number | null>(null);
  const nodeIdsRef = useRef(nodeIds);
  useEffect(() => {
    nodeIdsRef.current = nodeIds;
  });

  // The state lives in a ref (folded synchronously) and is published on a timer, batched.
  const flush = useCallback(() => {
    timer.current = null;
    const current = stateRef.current;
    if (current === null) return;
    if (catchingUp.current === 0 && pending.current.length > 0) {
      const batch = pending.current;
      pending.current = [];
      stateRef.current = applyBatch(current, batch);
    }
    setState(stateRef.current);
  }, []);

  const schedule = useCallback(() => {
    timer.current ??= window.setTimeout(flush, FLUSH_MS);
  }, [flush]);

  const catchUp = useCallback(
    async (id: string) => {
      catchingUp.current += 1;
      const fetched: ExecutionEvent[] = [];
      try {
        let after: number | null = stateRef.current?.view.lastSeq ?? -1;
        if (after < 0) after = null;
        for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
          const result = await client.runEvents(id, after, PAGE, null);
          fetched.push(...result.events);
          if (result.complete || result.events.length === 0 || result.nextAfterSeq === undefined || result.nextAfterSeq === null) break;
          after = result.nextAfterSeq;
        }
        if (idRef.current === id) setError(null);
      } catch (cause: unknown) {
        if (idRef.current === id) setError(asAppError(cause));
      } finally {
        catchingUp.current -= 1;
      }
      if (idRef.current !== id) return;
      pending.current = [...fetched, ...pending.current];
      flush();
    },
    [client, flush],
  );

  useEffect(() => {
    idRef.current = executionId;
    pending.current = [];
    if (executionId === null) {
      stateRef.current = null;
      return;
    }
    // Events seen before the id was known wait with the live ones until the recorded events
    // (from the start) are in; then all fold in `seq` order.
    pending.current = recent.current.filter((event) => event.execution_id === executionId);
    recent.current = [];
    stateRef.current = initialStream(executionId, nodeIdsRef.current);
    catchingUp.current += 1;
    schedule();
    void Promise.resolve(executionId)
      .then(catchUp)
      .finally(() => {
        catchingUp.current -= 1;
        flush();
      });
  }, [executionId, schedule, catchUp, flush]);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  useFlowEvents((event) => {
    if (event.type === "resync") {
      const id = idRef.current;
      if (id !== null) void catchUp(id);
      return;
    }
    if (event.type !== "execution") return;
    const execution: ExecutionEvent = event;
    if (execution.execution_id !== idRef.current) {
      recent.current.push(execution);
      if (recent.current.length > 2 * RECENT_LIMIT) recent.current = keepLast(recent.current, RECENT_LIMIT);
      return;
    }
    pending.current.push(execution);
    schedule();
  });

  return { state: state !== null && state.view.executionId === executionId ? state : null, error };
}
