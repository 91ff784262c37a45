import { describe, expect, it } from "vitest";
import { sessionItem } from "../test-fixtures";
import { ARCHIVE_AFTER_MS, isArchived, splitArchived } from "./archive";

const NOW = Date.parse("2026-03-20T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("isArchived", () => {
  it("archives a session idle over seven days with nothing in progress", () => {
    expect(isArchived(sessionItem("a", { modifiedAt: iso(NOW - ARCHIVE_AFTER_MS - 1) }), NOW)).toBe(true);
    expect(isArchived(sessionItem("a", { modifiedAt: iso(NOW - ARCHIVE_AFTER_MS) }), NOW)).toBe(false);
  });

  it("keeps an old session with a task in progress", () => {
    expect(isArchived(sessionItem("a", { modifiedAt: iso(NOW - 30 * 86_400_000), inProgress: 1 }), NOW)).toBe(false);
  });

  it("counts a newer transcript line as activity", () => {
    const old = iso(NOW - 30 * 86_400_000);
    const transcript = { messageCount: 3, models: [], lastActivity: iso(NOW - 60_000) } as unknown as NonNullable<
      Parameters<typeof sessionItem>[1]
    >["transcript"];
    expect(isArchived(sessionItem("a", { modifiedAt: old, transcript }), NOW)).toBe(false);
  });

  it("keeps a session whose time does not parse", () => {
    expect(isArchived(sessionItem("a", { modifiedAt: "whenever" }), NOW)).toBe(false);
  });
});

describe("splitArchived", () => {
  it("keeps the order within both parts", () => {
    const old = iso(NOW - 10 * 86_400_000);
    const fresh = iso(NOW - 1_000);
    const list = [sessionItem("a", { modifiedAt: fresh }), sessionItem("b", { modifiedAt: old }), sessionItem("c", { modifiedAt: fresh }), sessionItem("d", { modifiedAt: old })];
    const { active, archived } = splitArchived(list, NOW);
    expect(active.map((s) => s.id)).toEqual(["a", "c"]);
    expect(archived.map((s) => s.id)).toEqual(["b", "d"]);
  });
});
