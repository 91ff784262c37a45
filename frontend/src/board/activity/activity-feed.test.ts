import type { TaskTimes } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { timesByTask } from "../task-times";
import { activityFeed } from "./activity-feed";

const task = (sessionId: string, id: string, status: string) => ({ sessionId, id, subject: `Task ${id}`, activeForm: "", status });
const at = (sessionId: string, taskId: string, updatedAt: string): TaskTimes => ({ sessionId, taskId, createdAt: updatedAt, updatedAt });

describe("activityFeed", () => {
  it("lists in-progress tasks across sessions, newest update first, unknown times last", () => {
    const tasks = [task("a", "1", "in_progress"), task("a", "2", "completed"), task("b", "1", "in_progress"), task("c", "7", "in_progress"), task("b", "2", "in_progress")];
    const times = timesByTask([
      at("a", "1", "2026-03-05T10:00:00.000Z"),
      at("b", "1", "2026-03-05T11:00:00.000Z"),
      at("a", "2", "2026-03-05T12:00:00.000Z"),
      at("b", "2", "garbage"),
    ]);
    expect(activityFeed(tasks, times).map((entry) => `${entry.task.sessionId}/${entry.task.id}`)).toEqual(["b/1", "a/1", "b/2", "c/7"]);
    expect(activityFeed(tasks, times)[0]?.updatedAt).toBe("2026-03-05T11:00:00.000Z");
  });
});
