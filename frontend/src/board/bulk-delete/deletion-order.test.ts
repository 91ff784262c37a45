import { describe, expect, it } from "vitest";
import { taskDoc } from "../test-fixtures";
import { deletionOrder } from "./deletion-order";

// The same cases as core/src/board/delete.rs, so the preview and the core agree.
describe("deletionOrder", () => {
  it("deletes the tasks others wait for last, lowest id first", () => {
    const chain = [
      taskDoc("1", "completed"),
      taskDoc("2", "in_progress", { blockedBy: ["1"] }),
      taskDoc("3", "pending", { blockedBy: ["2"] }),
      taskDoc("10", "pending"),
    ];
    expect(deletionOrder(chain)).toEqual(["3", "2", "1", "10"]);
  });

  it("ends a cycle with the lowest id", () => {
    const cycle = [taskDoc("1", "pending", { blockedBy: ["2"] }), taskDoc("2", "pending", { blockedBy: ["1"] }), taskDoc("3", "pending", { blockedBy: ["1"] })];
    expect(deletionOrder(cycle)).toEqual(["3", "1", "2"]);
    expect(deletionOrder([])).toEqual([]);
  });

  it("ignores links to tasks outside the list", () => {
    expect(deletionOrder([taskDoc("10", "pending", { blockedBy: ["2", "99"] }), taskDoc("2", "pending")])).toEqual(["10", "2"]);
  });
});
