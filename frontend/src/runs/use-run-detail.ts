import type { AppError, ExecutionEvent, RunDetail } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";
import { appendEvents, emptyLog, type LogBuffer } from "./log-buffer";

const REFRESH_MS = 700;
export const STEP_LOG_PAGE = 1_000;
const STEP_LOG_LIMIT = 100_000;

/** One run's detail, refetched (throttled) while its events arrive. */
export function useRunDetail(executionId: string): { detail: RunDetail | null; error: AppError | null; reload: () => void } {
  const { client } = useHost();
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [generation, setGeneration] = useState(0);
  const timer = useRef<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    client.runGet(executionId).then(
      (next) => {
        if (cancelled) return;
        setDetail(next);
        setError(null);
      },
      (cause: unknown) => {
        if (!cancelled) setError(asAppError(cause));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, executionId, generation]);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const reload = useCallback(() => {
    setGeneration((n) => n + 1);
  }, []);

  useFlowEvents((event) => {
    // Output lines and generated tokens come fast and change no step's status: no refetch for them.
    const mine =
      event.type === "resync" ||
      (event.type === "execution" && event.execution_id === executionId && event.kind !== "node_log" && event.kind !== "node_token");
    if (!mine || timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      reload();
    }, REFRESH_MS);
  });

  return { detail, error, reload };
}

export interface StepLogs {
  log: LogBuffer;
  error: AppError | null;
  loading: boolean;
  /** More recorded lines wait (a page was full). */
  hasMore: boolean;
  loadMore: () => void;
}

/** One node's recorded lines in a run (`runEvents` filtered to the node), paged, then live. Key the caller by node. */
export function useStepLogs(executionId: string, nodeId: string | null): StepLogs {
  const { client } = useHost();
  const [log, setLog] = useState<LogBuffer>(() => emptyLog(STEP_LOG_LIMIT));
  const [error, setError] = useState<AppError | null>(null);
  // Mounted per node, it fetches its first page at once.
  const [loading, setLoading] = useState(true);
  const [next, setNext] = useState<number | null>(null);
  const lastSeq = useRef(-1);
  const request = useRef(0);

  const take = useCallback((events: readonly ExecutionEvent[]) => {
    const fresh = events.filter((event) => event.seq > lastSeq.current).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) return;
    lastSeq.current = fresh[fresh.length - 1]?.seq ?? lastSeq.current;
    setLog((current) => appendEvents(current, fresh));
  }, []);

  const fetchPage = useCallback(
    (after: number | null) => {
      if (nodeId === null) return;
      request.current += 1;
      const mine = request.current;
      client.runEvents(executionId, after, STEP_LOG_PAGE, nodeId).then(
        (page) => {
          if (request.current !== mine) return;
          take(page.events);
          setNext(page.events.length >= STEP_LOG_PAGE && page.nextAfterSeq !== undefined && page.nextAfterSeq !== null ? page.nextAfterSeq : null);
          setError(null);
          setLoading(false);
        },
        (cause: unknown) => {
          if (request.current !== mine) return;
          setError(asAppError(cause));
          setLoading(false);
        },
      );
    },
    [client, executionId, nodeId, take],
  );

  // Mounted per node (keyed by it): the first page once.
  useEffect(() => {
    fetchPage(null);
  }, [fetchPage]);

  useFlowEvents((event) => {
    if (event.type === "resync") {
      if (nodeId !== null && next === null) fetchPage(lastSeq.current < 0 ? null : lastSeq.current);
      return;
    }
    // Live lines follow once every recorded page is in.
    if (event.type !== "execution" || event.execution_id !== executionId || next !== null || loading) return;
    if ("node_id" in event && event.node_id === nodeId) take([event]);
  });

  return {
    log,
    error,
    loading,
    hasMore: next !== null,
    loadMore: useCallback(() => {
      if (next === null) return;
      setLoading(true);
      fetchPage(next);
    }, [fetchPage, next]),
  };
}
