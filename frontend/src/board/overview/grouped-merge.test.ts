import { describe, expect, it } from "vitest";
import { emptyGrouped, flatten, mergeGrouped, type Grouped } from "./grouped-merge";

interface Item {
  sessionId: string;
  id: string;
}
const item = (sessionId: string, id: string): Item => ({ sessionId, id });
const start = () => emptyGrouped<Item>();
const ids = (grouped: Grouped<Item>) =>
  flatten(grouped)
    .map((entry) => `${entry.sessionId}/${entry.id}`)
    .sort();

describe("mergeGrouped", () => {
  it("replaces everything on a whole-board answer and one session on a session answer", () => {
    let state = mergeGrouped(start(), 1, { all: true }, [item("a", "1"), item("b", "1")]);
    expect(ids(state)).toEqual(["a/1", "b/1"]);
    state = mergeGrouped(state, 2, { session: "a" }, [item("a", "1"), item("a", "2")]);
    expect(ids(state)).toEqual(["a/1", "a/2", "b/1"]);
    state = mergeGrouped(state, 3, { session: "b" }, []);
    expect(ids(state)).toEqual(["a/1", "a/2"]);
    state = mergeGrouped(state, 4, { all: true }, [item("c", "9")]);
    expect(ids(state)).toEqual(["c/9"]);
  });

  it("keeps a session's newer answer when an older whole-board answer lands late", () => {
    let state = mergeGrouped(start(), 2, { session: "a" }, [item("a", "new")]);
    state = mergeGrouped(state, 1, { all: true }, [item("a", "old"), item("b", "1")]);
    expect(ids(state)).toEqual(["a/new", "b/1"]);
    const late = mergeGrouped(state, 1, { session: "a" }, [item("a", "older")]);
    expect(late).toBe(state);
  });
});
