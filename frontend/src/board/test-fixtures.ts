import type { SessionListItem, Task } from "@flow/bindings";

// Builders shared by the board's unit tests.

export function sessionItem(id: string, over: Partial<SessionListItem> = {}): SessionListItem {
  return {
    id,
    name: null,
    slug: null,
    project: null,
    description: null,
    gitBranch: null,
    taskCount: 0,
    completed: 0,
    inProgress: 0,
    pending: 0,
    createdAt: null,
    modifiedAt: "2026-01-01T00:00:00.000Z",
    transcript: null,
    ...over,
  };
}

export function taskDoc(id: string, status: string, over: Partial<Task> = {}): Task {
  return { id, subject: `Task ${id}`, description: "", activeForm: "", status, owner: "", blocks: [], blockedBy: [], ...over };
}
