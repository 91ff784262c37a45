import type { FlowEvent, RunFilter, RunStatus, RunSummary, RunTrigger, StepStatus } from "@flow/bindings";

export const RUN_STATUSES: readonly RunStatus[] = ["running", "paused", "awaiting_confirmation", "succeeded", "failed", "cancelled", "interrupted"];
export const RUN_TRIGGERS: readonly RunTrigger[] = ["manual", "scheduled", "api", "rerun"];
export const PAGE_SIZE = 50;

/** The Runs list filters as the form holds them ("" = any). */
export interface RunFilterForm {
  flow: string;
  status: RunStatus | "";
  trigger: RunTrigger | "";
  search: string;
}

export const EMPTY_FILTER_FORM: RunFilterForm = { flow: "", status: "", trigger: "", search: "" };

export function isRunStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

export function isRunTrigger(value: string): value is RunTrigger {
  return (RUN_TRIGGERS as readonly string[]).includes(value);
}

/** The filter `runsList` gets: empty fields left out, the search trimmed; `before` for the next page. */
export function toRunFilter(form: RunFilterForm, before: string | null = null, limit = PAGE_SIZE): RunFilter {
  const filter: RunFilter = { limit };
  if (form.flow !== "") filter.flow = form.flow;
  if (form.status !== "") filter.status = form.status;
  if (form.trigger !== "") filter.trigger = form.trigger;
  const search = form.search.trim();
  if (search !== "") filter.search = search;
  if (before !== null) filter.before = before;
  return filter;
}

/** The filter form from the address bar (`?flow=…&status=…&trigger=…&q=…`); unknown values ignored. */
export function filterFromParams(params: URLSearchParams): RunFilterForm {
  const status = params.get("status") ?? "";
  const trigger = params.get("trigger") ?? "";
  return {
    flow: params.get("flow") ?? "",
    status: isRunStatus(status) ? status : "",
    trigger: isRunTrigger(trigger) ? trigger : "",
    search: params.get("q") ?? "",
  };
}

/** The query string for a filter form (only set fields), the inverse of {@link filterFromParams}. */
export function filterToParams(form: RunFilterForm, base?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(base);
  const set = (key: string, value: string) => {
    if (value === "") params.delete(key);
    else params.set(key, value);
  };
  set("flow", form.flow);
  set("status", form.status);
  set("trigger", form.trigger);
  set("q", form.search);
  return params;
}

/** The cursor for "Load more": the oldest start time of the page, or null when the page was short. */
export function nextCursor(page: readonly RunSummary[], pageSize = PAGE_SIZE): string | null {
  if (page.length < pageSize) return null;
  return page[page.length - 1]?.startedAt ?? null;
}

/** Appends a page, dropping runs already listed (a run can straddle two pages). */
export function mergePages(current: readonly RunSummary[], page: readonly RunSummary[]): RunSummary[] {
  const seen = new Set(current.map((run) => run.executionId));
  return [...current, ...page.filter((run) => !seen.has(run.executionId))];
}

/** Whether an event should refresh the history list (a run started or ended). */
export function refreshesRunList(event: FlowEvent): boolean {
  if (event.type === "resync") return true;
  return event.type === "execution" && (event.kind === "started" || event.kind === "done");
}

export function statusLabel(status: RunStatus | StepStatus): string {
  return status === "awaiting_confirmation" ? "awaiting confirmation" : status;
}

export function triggerLabel(trigger: RunTrigger): string {
  switch (trigger) {
    case "manual":
      return "Manual";
    case "scheduled":
      return "Scheduled";
    case "api":
      return "API";
    case "rerun":
      return "Re-run";
  }
}

/** "850 ms", "4.2 s", "3 min 5 s", "2 h 4 min"; "—" when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A run's duration: recorded, or (still running) the time since it started. */
export function runDuration(run: Pick<RunSummary, "durationMs" | "startedAt" | "endedAt">, now: number): number | null {
  if (run.durationMs !== undefined && run.durationMs !== null) return run.durationMs;
  const start = Date.parse(run.startedAt);
  if (Number.isNaN(start)) return null;
  const end = run.endedAt !== undefined && run.endedAt !== null ? Date.parse(run.endedAt) : now;
  return Number.isNaN(end) ? null : Math.max(0, end - start);
}

export function runPath(executionId: string): string {
  return `/runs/${encodeURIComponent(executionId)}`;
}

/** JSON for display: pretty-printed, `undefined`/`null` as an empty string. */
export function prettyJson(value: unknown): string {
  if (value === undefined || value === null) return "";
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return "(cannot be shown)";
  }
}

/** A byte count in words: `512 bytes`, `1.5 KiB`, `78.9 MiB`. */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString("en")} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * What a process step's output let go, in words, when it printed more than its `maxCaptureBytes`
 * (the output then carries `truncated: {stdout, stderr, limit}`); null otherwise.
 */
export function truncationNote(output: unknown): string | null {
  if (typeof output !== "object" || output === null || !("truncated" in output)) return null;
  const truncated = output.truncated;
  if (typeof truncated !== "object" || truncated === null) return null;
  const { stdout, stderr, limit } = truncated as Record<string, unknown>;
  const parts: string[] = [];
  for (const [name, dropped] of [
    ["stdout", stdout],
    ["stderr", stderr],
  ] as const) {
    if (typeof dropped === "number" && dropped > 0) parts.push(`${byteSize(dropped)} of ${name}`);
  }
  if (parts.length === 0) return null;
  const kept = typeof limit === "number" ? `the last ${byteSize(limit)} of each stream` : "the end of each stream";
  return `The output keeps ${kept}; the first ${parts.join(" and ")} are only in the logs.`;
}
