import { describe, expect, it } from "vitest";
import { taskDoc } from "../test-fixtures";
import { deletionOrder } from "./deletion-order";

describe("deletionOrder", () => {
  it("deletes the tasks others wait for last", () => {
    const tasks = [
      taskDoc("1", "completed", { blocks: ["2"] }),
      taskDoc("2", "in_progress", { blockedBy: ["1"], blocks: ["3"] }),
      taskDoc("3", "pending", { blockedBy: ["2"] }),
      taskDoc("4", "pending"),
    ];
    expect(deletionOrder(tasks)).toEqual(["3", "4", "2", "1"]);
  });

  it("reads the link from either side and ignores links outside the list", () => {
    const tasks = [taskDoc("10", "pending", { blockedBy: ["2", "99"] }), taskDoc("2", "pending")];
    expect(deletionOrder(tasks)).toEqual(["10", "2"]);
    expect(deletionOrder([taskDoc("2", "pending", { blocks: ["10"] }), taskDoc("10", "pending")])).toEqual(["10", "2"]);
  });

  it("puts a cycle at the end by id", () => {
    const tasks = [taskDoc("1", "pending", { blockedBy: ["2"] }), taskDoc("2", "pending", { blockedBy: ["1"] }), taskDoc("3", "pending")];
    expect(deletionOrder(tasks)).toEqual(["3", "1", "2"]);
  });
});
