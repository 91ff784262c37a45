import type { SessionListItem, Task } from "@flow/bindings";
import Fuse, { type Expression, type FuseOptionKey } from "fuse.js";

// Fuzzy search of sessions by name, description, project path, branch and their tasks' text.

/** What one session is searched by. */
interface SearchDocument {
  index: number;
  name: string;
  slug: string;
  id: string;
  project: string;
  branch: string;
  description: string;
  tasks: string[];
}

const KEYS: FuseOptionKey<SearchDocument>[] = [
  { name: "name", weight: 3 },
  { name: "slug", weight: 2 },
  { name: "id", weight: 1 },
  { name: "project", weight: 2 },
  { name: "branch", weight: 2 },
  { name: "description", weight: 1 },
  { name: "tasks", weight: 1 },
];
const KEY_NAMES = ["name", "slug", "id", "project", "branch", "description", "tasks"] as const;

/**
 * One typo per five characters: a short word ("main") must match exactly, so it does not pull in
 * every text with a near miss ("explain"), while "refactr" still finds "refactor".
 */
const THRESHOLD = 0.2;

/** The words of a query; every one of them must match some field. */
export function queryWords(query: string): string[] {
  return query
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
}

/** A search over sessions, built once per change of the sessions or of their tasks. */
export interface SessionSearch<S extends SessionListItem> {
  /** The sessions matching every word of `query`, best match first (ties keep the input order). */
  search: (query: string) => S[];
}

/**
 * Builds the index; `tasksBySession` adds each session's task subjects and descriptions (a
 * session without tasks there is found by its own fields only).
 */
export function createSessionSearch<S extends SessionListItem>(
  sessions: readonly S[],
  tasksBySession: ReadonlyMap<string, readonly Pick<Task, "subject" | "description">[]>,
): SessionSearch<S> {
  const documents: SearchDocument[] = sessions.map((session, index) => ({
    index,
    name: session.name ?? "",
    slug: session.slug ?? "",
    id: session.id,
    project: session.project ?? "",
    branch: session.gitBranch ?? "",
    description: session.description ?? "",
    tasks: (tasksBySession.get(session.id) ?? []).flatMap((task) => [task.subject, task.description]).filter((text) => text !== ""),
  }));
  const fuse = new Fuse(documents, {
    keys: KEYS,
    threshold: THRESHOLD,
    ignoreLocation: true,
    includeScore: true,
    isCaseSensitive: false,
    minMatchCharLength: 1,
  });
  return {
    search(query) {
      const words = queryWords(query);
      if (words.length === 0) return [...sessions];
      const expression: Expression = {
        $and: words.map((word) => ({ $or: KEY_NAMES.map((key) => ({ [key]: word })) })),
      };
      return fuse
        .search(expression)
        .sort((a, b) => (a.score ?? 0) - (b.score ?? 0) || a.item.index - b.item.index)
        .flatMap((result) => {
          const session = sessions[result.item.index];
          return session === undefined ? [] : [session];
        });
    },
  };
}

/** Groups tasks by their session. */
export function tasksBySession<T extends { sessionId: string }>(tasks: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const task of tasks) {
    const list = grouped.get(task.sessionId);
    if (list === undefined) grouped.set(task.sessionId, [task]);
    else list.push(task);
  }
  return grouped;
}
