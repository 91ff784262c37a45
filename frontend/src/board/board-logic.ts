import type { SessionListItem, Task } from "@flow/bindings";

// Pure logic of the Board page: filtering, grouping and refetch coalescing. No React here.

export function sessionTitle(session: SessionListItem): string {
  return session.name ?? session.slug ?? session.id;
}

/** When the session last did something: its transcript's last line, else its newest task file. */
export function lastActivity(session: SessionListItem): string {
  const fromTranscript = session.transcript?.lastActivity ?? null;
  if (fromTranscript !== null && fromTranscript > session.modifiedAt) return fromTranscript;
  return session.modifiedAt;
}

/** Newest first, by last activity (ISO strings compare in time order). Stable for ties. */
export function sortSessions(sessions: readonly SessionListItem[]): SessionListItem[] {
  return sessions
    .map((session, index) => ({ session, index, at: lastActivity(session) }))
    .sort((a, b) => (a.at === b.at ? a.index - b.index : a.at < b.at ? 1 : -1))
    .map(({ session }) => session);
}

/** The distinct projects (working directories) of the sessions, sorted. */
export function projectsOf(sessions: readonly SessionListItem[]): string[] {
  const projects = new Set<string>();
  for (const session of sessions) if (session.project !== null && session.project !== "") projects.add(session.project);
  return [...projects].sort((a, b) => a.localeCompare(b));
}

export interface SessionFilter {
  /** Matched case-insensitively against name, slug, id, project and git branch; every word must match. */
  search: string;
  /** Exact project, or "" for every project. */
  project: string;
}

export function filterSessions(sessions: readonly SessionListItem[], filter: SessionFilter): SessionListItem[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter((word) => word !== "");
  return sortSessions(sessions).filter((session) => {
    if (filter.project !== "" && session.project !== filter.project) return false;
    if (words.length === 0) return true;
    const haystack = [session.name, session.slug, session.id, session.project, session.gitBranch]
      .filter((part): part is string => part !== null)
      .join("\n")
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export type ColumnStatus = "pending" | "in_progress" | "completed";

export const COLUMNS: readonly { status: ColumnStatus; title: string }[] = [
  { status: "pending", title: "Pending" },
  { status: "in_progress", title: "In progress" },
  { status: "completed", title: "Completed" },
];

/** The column a task belongs in; unknown statuses count as pending, as the core's counts do. */
export function columnOf(status: string): ColumnStatus {
  return status === "in_progress" || status === "completed" ? status : "pending";
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}

/** Groups tasks into the three kanban columns, each ordered by session then numeric id. */
export function groupTasks<T extends Task>(tasks: readonly T[]): Record<ColumnStatus, T[]> {
  const columns: Record<ColumnStatus, T[]> = { pending: [], in_progress: [], completed: [] };
  for (const task of tasks) columns[columnOf(task.status)].push(task);
  const sessionOf = (task: T): string => (typeof task.sessionId === "string" ? task.sessionId : "");
  for (const list of Object.values(columns)) {
    list.sort((a, b) => sessionOf(a).localeCompare(sessionOf(b)) || compareIds(a.id, b.id));
  }
  return columns;
}

/** What a burst of events asks to refetch. */
export interface RefetchPlan {
  /** The session list (names, counts, activity). */
  list: boolean;
  /** Everything (after a resync or an update without a session). */
  all: boolean;
  /** Task lists whose files changed. */
  sessions: Set<string>;
}

export function emptyPlan(): RefetchPlan {
  return { list: false, all: false, sessions: new Set() };
}

export interface Scheduler {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  now: () => number;
}

const realScheduler: Scheduler = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

export interface RefetchCoalescer {
  /** Records that an event asks for something to be refetched; flushes after a quiet spell. */
  mark: (change: { list?: boolean; all?: boolean; session?: string | null }) => void;
  /** Drops anything pending (on unmount). */
  cancel: () => void;
}

/**
 * Coalesces bursts of events into one refetch: a trailing debounce of `delayMs`, capped at
 * `maxWaitMs` from the first event of a burst so a never-ending storm still refreshes.
 */
export function createRefetchCoalescer(
  flush: (plan: RefetchPlan) => void,
  delayMs = 250,
  maxWaitMs = 1_000,
  scheduler: Scheduler = realScheduler,
): RefetchCoalescer {
  let plan: RefetchPlan | null = null;
  let timer: unknown = null;
  let burstStart = 0;

  function fire(): void {
    timer = null;
    const current = plan;
    plan = null;
    if (current !== null) flush(current);
  }

  return {
    mark(change) {
      if (plan === null) {
        plan = emptyPlan();
        burstStart = scheduler.now();
      }
      if (change.list === true) plan.list = true;
      if (change.all === true) plan.all = true;
      if (typeof change.session === "string") plan.sessions.add(change.session);
      if (timer !== null) scheduler.clearTimeout(timer);
      const wait = Math.max(0, Math.min(delayMs, burstStart + maxWaitMs - scheduler.now()));
      timer = scheduler.setTimeout(fire, wait);
    },
    cancel() {
      if (timer !== null) scheduler.clearTimeout(timer);
      timer = null;
      plan = null;
    },
  };
}

/** The description of a task document the core returned (e.g. after adding a note). */
export function descriptionOf(document: unknown): string | null {
  if (typeof document !== "object" || document === null) return null;
  const description = (document as Record<string, unknown>).description;
  return typeof description === "string" ? description : null;
}
