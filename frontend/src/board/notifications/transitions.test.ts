import { describe, expect, it } from "vitest";
import { completedSince, statusSnapshot } from "./transitions";

const t = (sessionId: string, id: string, status: string) => ({ sessionId, id, status, subject: `Task ${id}` });

describe("completedSince", () => {
  it("reports only tasks that went from in progress to completed", () => {
    const before = statusSnapshot([t("a", "1", "in_progress"), t("a", "2", "pending"), t("b", "1", "in_progress"), t("a", "3", "completed")]);
    const after = [t("a", "1", "completed"), t("a", "2", "completed"), t("b", "1", "in_progress"), t("a", "3", "completed"), t("a", "4", "completed")];
    expect(completedSince(before, after).map((task) => `${task.sessionId}/${task.id}`)).toEqual(["a/1"]);
  });

  it("tells sessions apart", () => {
    const before = statusSnapshot([t("a", "1", "in_progress")]);
    expect(completedSince(before, [t("b", "1", "completed")])).toEqual([]);
  });
});
