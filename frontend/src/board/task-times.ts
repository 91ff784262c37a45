import type { TaskTimes } from "@flow/bindings";

// The core's task times (`board_task_times`), keyed for lookups by the board's views.

/** The key of a task across sessions. */
export function taskKey(sessionId: string, taskId: string): string {
  return `${sessionId}/${taskId}`;
}

/** The times by task key. */
export function timesByTask(times: readonly TaskTimes[]): Map<string, TaskTimes> {
  return new Map(times.map((entry) => [taskKey(entry.sessionId, entry.taskId), entry]));
}
