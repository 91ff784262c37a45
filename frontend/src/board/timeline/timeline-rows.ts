import type { TaskTimes } from "@flow/bindings";
import type { BoardTask } from "../BoardPage";
import { taskKey } from "../task-times";
import { parseTime, timeAxis, type TimeAxis } from "./time-axis";

/** A task on the Timeline: a bar from its creation to its last update. */
export interface TimelineRow {
  task: BoardTask;
  createdAt: string;
  updatedAt: string;
  from: number;
  to: number;
}

/** The Timeline of `tasks`: rows ordered by creation, the axis over them, and tasks without times. */
export interface TimelinePlan {
  rows: TimelineRow[];
  axis: TimeAxis | null;
  untimed: BoardTask[];
}

export function timelinePlan(tasks: readonly BoardTask[], times: ReadonlyMap<string, TaskTimes>): TimelinePlan {
  const rows: TimelineRow[] = [];
  const untimed: BoardTask[] = [];
  for (const task of tasks) {
    const entry = times.get(taskKey(task.sessionId, task.id));
    const from = entry === undefined ? null : parseTime(entry.createdAt);
    const to = entry === undefined ? null : parseTime(entry.updatedAt);
    if (entry === undefined || from === null || to === null) untimed.push(task);
    // A file copied in with an older mtime was "updated" before it was first seen: the bar
    // still spans both times.
    else rows.push({ task, createdAt: entry.createdAt, updatedAt: entry.updatedAt, from: Math.min(from, to), to: Math.max(from, to) });
  }
  rows.sort((a, b) => a.from - b.from || a.to - b.to || a.task.sessionId.localeCompare(b.task.sessionId) || a.task.id.localeCompare(b.task.id, undefined, { numeric: true }));
  if (rows.length === 0) return { rows, axis: null, untimed };
  const min = Math.min(...rows.map((row) => row.from));
  const max = Math.max(...rows.map((row) => row.to));
  return { rows, axis: timeAxis(min, max), untimed };
}
