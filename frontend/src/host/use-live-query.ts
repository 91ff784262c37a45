import type { AppError, Client, FlowEvent } from "@flow/bindings";
import { useCallback, useEffect, useRef, useState } from "react";
import { asAppError } from "./app-error";
import { useFlowEvents, useHost } from "./react";

/** What {@link useLiveQuery} holds: the latest answer (null until the first), its error, a refetch. */
export interface LiveQuery<T> {
  data: T | null;
  error: AppError | null;
  reload: () => void;
}

/**
 * Calls `load` now, again whenever `refreshOn` accepts a pushed event (and on `resync`), and on
 * `reload()`. Only the newest call's answer is kept, so a slow early answer never overwrites a
 * later one. `load` and `refreshOn` are read at call time: they need not be stable.
 */
export function useLiveQuery<T>(load: (client: Client) => Promise<T>, refreshOn: (event: FlowEvent) => boolean): LiveQuery<T> {
  const { client } = useHost();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const latest = useRef({ load, refreshOn });
  useEffect(() => {
    latest.current = { load, refreshOn };
  });
  const request = useRef(0);

  const reload = useCallback(() => {
    request.current += 1;
    const current = request.current;
    latest.current.load(client).then(
      (next) => {
        if (request.current !== current) return;
        setData(next);
        setError(null);
      },
      (cause: unknown) => {
        if (request.current === current) setError(asAppError(cause));
      },
    );
  }, [client]);

  useEffect(reload, [reload]);
  useFlowEvents((event) => {
    if (event.type === "resync" || latest.current.refreshOn(event)) reload();
  });
  return { data, error, reload };
}
