import type { AppError, RunSummary } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError, useFlowEvents, useHost } from "../host";
import { mergePages, nextCursor, PAGE_SIZE, refreshesRunList, toRunFilter, type RunFilterForm } from "./runs-logic";

const REFRESH_THROTTLE_MS = 1_000;
const MAX_LIMIT = 500;

export interface RunList {
  runs: RunSummary[] | null;
  error: AppError | null;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** The history list for a filter: first page, "Load more" pages, live refresh (throttled) when runs start or end. */
export function useRunList(form: RunFilterForm): RunList {
  const { client } = useHost();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [generation, setGeneration] = useState(0);
  const requestKey = `${generation}:${JSON.stringify(form)}`;
  const [answeredKey, setAnsweredKey] = useState<string | null>(null);
  const request = useRef(0);
  const shown = useRef(0);
  const lastRefresh = useRef(0);
  const refreshTimer = useRef<number | null>(null);
  const formKey = JSON.stringify(form);
  const formKeyRef = useRef(formKey);

  useEffect(() => {
    request.current += 1;
    const mine = request.current;
    const sameFilter = formKeyRef.current === formKey;
    formKeyRef.current = formKey;
    // A live refresh re-reads as many rows as are shown; a new filter starts at one page.
    const limit = sameFilter ? Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, shown.current)) : PAGE_SIZE;
    const key = `${generation}:${formKey}`;
    client.runsList(toRunFilter(JSON.parse(formKey) as RunFilterForm, null, limit)).then(
      (page) => {
        if (request.current !== mine) return;
        shown.current = page.length;
        setRuns(page);
        setCursor(nextCursor(page, limit));
        setError(null);
        setAnsweredKey(key);
      },
      (cause: unknown) => {
        if (request.current !== mine) return;
        setError(asAppError(cause));
        setAnsweredKey(key);
      },
    );
  }, [client, formKey, generation]);

  useEffect(
    () => () => {
      if (refreshTimer.current !== null) window.clearTimeout(refreshTimer.current);
    },
    [],
  );

  const reload = useCallback(() => {
    lastRefresh.current = Date.now();
    setGeneration((n) => n + 1);
  }, []);

  useFlowEvents((event) => {
    if (!refreshesRunList(event) || refreshTimer.current !== null) return;
    const wait = Math.max(0, lastRefresh.current + REFRESH_THROTTLE_MS - Date.now());
    refreshTimer.current = window.setTimeout(() => {
      refreshTimer.current = null;
      reload();
    }, wait);
  });

  const loadMore = useCallback(() => {
    if (cursor === null) return;
    const mine = request.current;
    setLoadingMore(true);
    client.runsList(toRunFilter(JSON.parse(formKey) as RunFilterForm, cursor)).then(
      (page) => {
        if (request.current !== mine) return;
        setRuns((current) => {
          const merged = mergePages(current ?? [], page);
          shown.current = merged.length;
          return merged;
        });
        setCursor(nextCursor(page));
        setLoadingMore(false);
      },
      (cause: unknown) => {
        setLoadingMore(false);
        if (request.current !== mine) return;
        setError(asAppError(cause));
      },
    );
  }, [client, cursor, formKey]);

  return { runs, error, loading: loadingMore || answeredKey !== requestKey, hasMore: cursor !== null, loadMore, reload };
}
