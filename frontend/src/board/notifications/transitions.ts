import { taskKey } from "../task-times";

// Detects tasks that moved from in progress to completed between two snapshots. No React here.

/** The fields of a task the detection looks at. */
export interface StatusSnapshotTask {
  sessionId: string;
  id: string;
  status: string;
  subject: string;
}

/** Status by task key. */
export type StatusSnapshot = Map<string, string>;

export function statusSnapshot(tasks: readonly StatusSnapshotTask[]): StatusSnapshot {
  return new Map(tasks.map((task) => [taskKey(task.sessionId, task.id), task.status]));
}

/**
 * The tasks of `next` that were in progress in `previous` and are completed now. A task first
 * seen already completed, or one that skipped in progress, is not a completion worth a chime.
 */
export function completedSince<T extends StatusSnapshotTask>(previous: StatusSnapshot, next: readonly T[]): T[] {
  return next.filter((task) => task.status === "completed" && previous.get(taskKey(task.sessionId, task.id)) === "in_progress");
}
