import type { AppError, Schedule, ScheduleSpec } from "@flow/bindings";
import { useEffect, useState } from "react";
import { asAppError, useHost, useLiveQuery } from "../host";
import { useDebouncedValue } from "../ui/use-debounced-value";

/** Every schedule, refetched on `schedules-changed` and after a reconnect. */
export function useSchedules(): { schedules: Schedule[] | null; error: AppError | null; reload: () => void } {
  const { data, error, reload } = useLiveQuery(
    (client) => client.schedulesList(),
    (event) => event.type === "schedules-changed",
  );
  return { schedules: data, error, reload };
}

export const PREVIEW_DELAY_MS = 350;
export const PREVIEW_COUNT = 5;

/** The next firings of `spec` (debounced, newest answer wins); the server's error in words when it refuses. */
export function useSchedulePreview(spec: ScheduleSpec | null): { times: string[] | null; error: AppError | null; loading: boolean } {
  const { client } = useHost();
  const key = spec === null ? null : JSON.stringify(spec);
  const settled = useDebouncedValue(key, PREVIEW_DELAY_MS);
  const [result, setResult] = useState<{ key: string; times: string[] | null; error: AppError | null } | null>(null);
  useEffect(() => {
    if (settled === null) return;
    let cancelled = false;
    client.schedulePreview(JSON.parse(settled) as ScheduleSpec, PREVIEW_COUNT).then(
      (times) => {
        if (!cancelled) setResult({ key: settled, times, error: null });
      },
      (cause: unknown) => {
        if (!cancelled) setResult({ key: settled, times: null, error: asAppError(cause) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, settled]);
  if (key === null) return { times: null, error: null, loading: false };
  const current = result !== null && result.key === key;
  return { times: result?.times ?? null, error: current ? result.error : null, loading: !current };
}
