import type { SessionListItem } from "@flow/bindings";
import { lastActivity } from "../board-logic";

// Which sessions go into the collapsed Archived section. No React here.

/** How long a session must be idle before it is archived. */
export const ARCHIVE_AFTER_MS = 7 * 24 * 60 * 60 * 1_000;

/**
 * A session is archived when nothing of it is in progress and its last activity (the newest task
 * file, or a newer transcript line) is more than seven days before `now`. An unreadable time
 * keeps the session in the main list.
 */
export function isArchived(session: SessionListItem, now: number): boolean {
  if (session.inProgress > 0) return false;
  const at = Date.parse(lastActivity(session));
  return !Number.isNaN(at) && now - at > ARCHIVE_AFTER_MS;
}

/** Splits sessions (in their order) into the main list and the archived ones. */
export function splitArchived<T extends SessionListItem>(sessions: readonly T[], now: number): { active: T[]; archived: T[] } {
  const active: T[] = [];
  const archived: T[] = [];
  for (const session of sessions) (isArchived(session, now) ? archived : active).push(session);
  return { active, archived };
}
