import type { Task } from "@flow/bindings";

// The order the core deletes a session's tasks in, for the confirmation's preview. No React here.

function byId(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/**
 * Task ids in an order where a task goes only after every task that waits for it (tasks others
 * are blocked by go last), ties by id. Links to tasks outside the list are ignored; tasks in a
 * dependency cycle go at the end, by id.
 */
export function deletionOrder(tasks: readonly Task[]): string[] {
  const ids = new Set(tasks.map((task) => task.id));
  // waiters.get(a): the tasks that wait for a, which must be deleted before a.
  const waiters = new Map<string, Set<string>>([...ids].map((id) => [id, new Set<string>()]));
  for (const task of tasks) {
    for (const blocker of task.blockedBy) if (ids.has(blocker) && blocker !== task.id) waiters.get(blocker)?.add(task.id);
    for (const blocked of task.blocks) if (ids.has(blocked) && blocked !== task.id) waiters.get(task.id)?.add(blocked);
  }
  const order: string[] = [];
  const done = new Set<string>();
  let ready = [...ids].filter((id) => waiters.get(id)?.size === 0).sort(byId);
  while (ready.length > 0) {
    const next: string[] = [];
    for (const id of ready) {
      order.push(id);
      done.add(id);
    }
    for (const [id, waiting] of waiters) {
      if (done.has(id) || next.includes(id)) continue;
      if ([...waiting].every((waiter) => done.has(waiter))) next.push(id);
    }
    ready = next.sort(byId);
  }
  const cyclic = [...ids].filter((id) => !done.has(id)).sort(byId);
  return [...order, ...cyclic];
}
