import type { TaskTimes } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { timesByTask } from "../task-times";
import { taskDoc } from "../test-fixtures";
import { timelinePlan } from "./timeline-rows";

const times: TaskTimes[] = [
  { sessionId: "s", taskId: "1", createdAt: "2026-03-05T10:00:05.000Z", updatedAt: "2026-03-05T10:00:09.000Z" },
  { sessionId: "s", taskId: "2", createdAt: "2026-03-05T10:00:00.000Z", updatedAt: "2026-03-05T10:00:03.000Z" },
  { sessionId: "s", taskId: "3", createdAt: "not a time", updatedAt: "2026-03-05T10:00:03.000Z" },
];

describe("timelinePlan", () => {
  it("orders rows by creation, sets the axis over them and keeps tasks without times apart", () => {
    const tasks = ["1", "2", "3", "4"].map((id) => ({ ...taskDoc(id, "pending"), sessionId: "s" }));
    const plan = timelinePlan(tasks, timesByTask(times));
    expect(plan.rows.map((row) => row.task.id)).toEqual(["2", "1"]);
    expect(plan.untimed.map((task) => task.id)).toEqual(["3", "4"]);
    expect(plan.axis?.start).toBe(Date.parse("2026-03-05T10:00:00.000Z"));
    expect(plan.axis?.end).toBe(Date.parse("2026-03-05T10:00:10.000Z"));
    expect(plan.axis?.unit).toBe("seconds");
  });

  it("spans a bar over both times when the update predates the creation", () => {
    const copied: TaskTimes = { sessionId: "s", taskId: "1", createdAt: "2026-03-08T00:00:00.000Z", updatedAt: "2026-03-05T00:00:00.000Z" };
    const plan = timelinePlan([{ ...taskDoc("1", "pending"), sessionId: "s" }], timesByTask([copied]));
    expect(plan.rows[0]?.from).toBe(Date.parse(copied.updatedAt));
    expect(plan.rows[0]?.to).toBe(Date.parse(copied.createdAt));
    expect(plan.axis?.unit).toBe("days");
  });

  it("has no axis when no task has times", () => {
    expect(timelinePlan([{ ...taskDoc("1", "pending"), sessionId: "s" }], new Map()).axis).toBeNull();
  });
});
