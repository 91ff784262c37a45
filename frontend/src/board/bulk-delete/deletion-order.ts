import type { Task } from "@flow/bindings";

// The order the core deletes a session's tasks in (`board_delete_session_tasks`), for the
// confirmation's preview. It mirrors core/src/board/delete.rs `dependency_order`: keep the two
// in step, the browser test compares the preview with what the core reports. No React here.

/** The core's id order: numeric ids by value (others count as 0), then by text. */
function byId(a: string, b: string): number {
  const number = (id: string) => (/^\d+$/.test(id) ? Number(id) : 0);
  return number(a) - number(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Task ids so that each comes after every task that waits for it (`blockedBy`): repeatedly the
 * lowest id no remaining task waits for; in a cycle, the lowest remaining id.
 */
export function deletionOrder(tasks: readonly Pick<Task, "id" | "blockedBy">[]): string[] {
  const left = [...new Set(tasks.map((task) => task.id))].sort(byId);
  const order: string[] = [];
  const waitedOn = (id: string) =>
    tasks.some((task) => task.id !== id && left.includes(task.id) && task.blockedBy.includes(id));
  while (left.length > 0) {
    const next = left.find((id) => !waitedOn(id)) ?? left[0];
    if (next === undefined) break;
    left.splice(left.indexOf(next), 1);
    order.push(next);
  }
  return order;
}
