import type { CatalogEntry, FlowGraph } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  connect,
  groupEntries,
  matchEntry,
  nodeFromEntry,
  nodeIdProblem,
  removeElements,
  renameNode,
  slugifyId,
  uniqueId,
} from "./graph-ops";

const entry = (over: Partial<CatalogEntry>): CatalogEntry => ({
  slug: "run-command",
  name: "Run command",
  description: "",
  category: "Shell",
  version: "1",
  nodeType: "action",
  identity: { adapter: "shell" },
  schema: {},
  defaults: { command: "" },
  ...over,
});

const graph: FlowGraph = {
  name: "g",
  nodes: [
    { id: "a", type: "action" },
    { id: "b", type: "action" },
  ],
  edges: [{ source: "a", target: "b", outcome: "pass" }],
  subflows: [{ id: "s", nodeIds: ["a", "b"] }],
};

describe("ids", () => {
  it("derives unique ids", () => {
    expect(slugifyId("Run command")).toBe("run-command");
    expect(slugifyId("  !!")).toBe("node");
    expect(uniqueId("Run command", [])).toBe("run-command");
    expect(uniqueId("Run command", ["run-command"])).toBe("run-command-2");
    expect(uniqueId("Run command", ["run-command", "run-command-2"])).toBe("run-command-3");
  });

  it("checks a new id", () => {
    expect(nodeIdProblem(graph, "a", "a")).toBeNull();
    expect(nodeIdProblem(graph, "a", "b")).toMatch(/already/);
    expect(nodeIdProblem(graph, "a", "x y")).toMatch(/letters/);
    expect(nodeIdProblem(graph, "a", "")).toMatch(/required/);
  });

  it("renames a node everywhere", () => {
    const next = renameNode(graph, "a", "start");
    expect(next.nodes?.map((n) => n.id)).toEqual(["start", "b"]);
    expect(next.edges?.[0]).toEqual({ source: "start", target: "b", outcome: "pass" });
    expect(next.subflows?.[0]?.nodeIds).toEqual(["start", "b"]);
  });
});

describe("edits", () => {
  it("removes nodes with their edges and memberships", () => {
    const next = removeElements(graph, ["a"], []);
    expect(next.nodes).toHaveLength(1);
    expect(next.edges).toHaveLength(0);
    expect(next.subflows?.[0]?.nodeIds).toEqual(["b"]);
    expect(removeElements(graph, [], [0]).edges).toHaveLength(0);
  });

  it("connects once per outcome and never to itself", () => {
    expect(connect(graph, "a", "b", "pass")).toBe(graph);
    expect(connect(graph, "a", "a", "pass")).toBe(graph);
    expect(connect(graph, "a", "b", "fail").edges).toHaveLength(2);
  });

  it("builds a node from an entry", () => {
    const node = nodeFromEntry({ name: "g", nodes: [{ id: "run-command", type: "action" }] }, entry({}), { x: 1, y: 2 });
    expect(node).toEqual({
      id: "run-command-2",
      type: "action",
      label: "Run command",
      data: { adapter: "shell", command: "" },
      position: { x: 1, y: 2 },
    });
  });
});

describe("catalog", () => {
  it("matches by type and identity, preferring the most specific entry", () => {
    const shell = entry({});
    const git = entry({ slug: "git", identity: { adapter: "shell", actionId: "git" } });
    expect(matchEntry({ id: "x", type: "action", data: { adapter: "shell" } }, [shell, git])).toBe(shell);
    expect(matchEntry({ id: "x", type: "action", data: { adapter: "shell", actionId: "git" } }, [shell, git])).toBe(git);
    expect(matchEntry({ id: "x", type: "ai", data: { adapter: "shell" } }, [shell, git])).toBeNull();
  });

  it("groups and filters", () => {
    const groups = groupEntries([entry({}), entry({ slug: "log", name: "Log", category: "Utilities" })], "");
    expect(groups.map((g) => g.category)).toEqual(["Shell", "Utilities"]);
    expect(groupEntries([entry({}), entry({ slug: "log", name: "Log", category: "Utilities" })], "log")).toHaveLength(1);
  });
});
