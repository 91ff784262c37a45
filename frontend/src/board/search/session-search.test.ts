import { describe, expect, it } from "vitest";
import { sessionItem } from "../test-fixtures";
import { createSessionSearch, queryWords } from "./session-search";

const SESSIONS = [
  sessionItem("3f2b9c1e", { name: "refactor-auth-flow", slug: "glimmering-dancing-otter", project: "/home/dev/src/webapp", gitBranch: "feat/auth" }),
  sessionItem("8a1d2c3b", { name: "docs-pass", slug: "quiet-paper-crane", project: "/home/dev/src/site", gitBranch: "main", description: "Tidy the docs" }),
  sessionItem("c0ffee00"),
];
const TASKS = new Map([
  ["3f2b9c1e", [{ subject: "Add JWT middleware", description: "Explain the **token** exchange." }]],
  ["c0ffee00", [{ subject: "Lonely task", description: "Rotate the signing keys" }]],
]);

const ids = (query: string) =>
  createSessionSearch(SESSIONS, TASKS)
    .search(query)
    .map((session) => session.id);

describe("session search", () => {
  it("gives every session, in order, for an empty query", () => {
    expect(ids("  ")).toEqual(["3f2b9c1e", "8a1d2c3b", "c0ffee00"]);
  });

  it("matches short words exactly, case-insensitively", () => {
    expect(ids("MAIN")).toEqual(["8a1d2c3b"]);
  });

  it("forgives a typo in a longer word", () => {
    expect(ids("refactr")).toEqual(["3f2b9c1e"]);
    expect(ids("glimmerng")).toEqual(["3f2b9c1e"]);
  });

  it("searches project paths, descriptions and the tasks' text", () => {
    expect(ids("src/site")).toEqual(["8a1d2c3b"]);
    expect(ids("tidy")).toEqual(["8a1d2c3b"]);
    expect(ids("signing keys")).toEqual(["c0ffee00"]);
    expect(ids("middleware")).toEqual(["3f2b9c1e"]);
  });

  it("needs every word to match, in any field", () => {
    expect(ids("webapp middleware")).toEqual(["3f2b9c1e"]);
    expect(ids("webapp tidy")).toEqual([]);
  });

  it("ranks the better match first", () => {
    const search = createSessionSearch(
      [sessionItem("x", { name: "alpha", description: "mentions the deploy script" }), sessionItem("y", { name: "deploy" })],
      new Map(),
    );
    expect(search.search("deploy").map((s) => s.id)).toEqual(["y", "x"]);
  });

  it("splits the query into words", () => {
    expect(queryWords("  a  b\tc ")).toEqual(["a", "b", "c"]);
  });
});
