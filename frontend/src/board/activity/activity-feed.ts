import type { TaskTimes } from "@flow/bindings";
import { taskKey } from "../task-times";

// The live activity feed: what is in progress across every session, newest update first.

/** The fields of a task the feed shows. */
export interface FeedTask {
  sessionId: string;
  id: string;
  subject: string;
  activeForm: string;
  status: string;
}

/** One feed entry: the task and when it last changed (null when the core has no time for it). */
export interface FeedEntry<T extends FeedTask> {
  task: T;
  updatedAt: string | null;
}

/** In-progress tasks, newest update first (unknown times last), then by session and id. */
export function activityFeed<T extends FeedTask>(tasks: readonly T[], times: ReadonlyMap<string, TaskTimes>): FeedEntry<T>[] {
  return tasks
    .filter((task) => task.status === "in_progress")
    .map((task) => {
      const updatedAt = times.get(taskKey(task.sessionId, task.id))?.updatedAt ?? null;
      const parsed = updatedAt === null ? Number.NaN : Date.parse(updatedAt);
      return { task, updatedAt, at: Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed };
    })
    .sort(
      (a, b) =>
        (a.at === b.at ? 0 : a.at < b.at ? 1 : -1) ||
        a.task.sessionId.localeCompare(b.task.sessionId) ||
        a.task.id.localeCompare(b.task.id, undefined, { numeric: true }),
    )
    .map(({ task, updatedAt }) => ({ task, updatedAt }));
}
