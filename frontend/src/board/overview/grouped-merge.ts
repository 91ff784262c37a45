// Merges answers of whole-board and per-session requests into one map by session, so a slow
// older answer never overwrites a newer one, whichever kind of request each was. No React here.

/** Items by session id, and the generation of the request each session's items came from. */
export interface Grouped<T> {
  bySession: Map<string, T[]>;
  generation: Map<string, number>;
}

export function emptyGrouped<T>(): Grouped<T> {
  return { bySession: new Map(), generation: new Map() };
}

/**
 * Applies the answer of request `generation`: for `scope` "all", `items` is every session's
 * (sessions missing from it are gone); otherwise it is that one session's. Sessions a newer
 * request already answered keep their items.
 */
export function mergeGrouped<T extends { sessionId: string }>(
  current: Grouped<T>,
  generation: number,
  scope: { all: true } | { session: string },
  items: readonly T[],
): Grouped<T> {
  const bySession = new Map(current.bySession);
  const generations = new Map(current.generation);
  const newer = (sessionId: string) => (generations.get(sessionId) ?? 0) > generation;
  if ("session" in scope) {
    if (newer(scope.session)) return current;
    const list = items.filter((item) => item.sessionId === scope.session);
    if (list.length === 0) bySession.delete(scope.session);
    else bySession.set(scope.session, list);
    generations.set(scope.session, generation);
    return { bySession, generation: generations };
  }
  const incoming = new Map<string, T[]>();
  for (const item of items) {
    const list = incoming.get(item.sessionId);
    if (list === undefined) incoming.set(item.sessionId, [item]);
    else list.push(item);
  }
  for (const sessionId of new Set([...bySession.keys(), ...incoming.keys()])) {
    if (newer(sessionId)) continue;
    const list = incoming.get(sessionId);
    if (list === undefined) bySession.delete(sessionId);
    else bySession.set(sessionId, list);
    generations.set(sessionId, generation);
  }
  return { bySession, generation: generations };
}

/** Every item, sessions in key order. */
export function flatten<T>(grouped: Grouped<T>): T[] {
  return [...grouped.bySession.values()].flat();
}
