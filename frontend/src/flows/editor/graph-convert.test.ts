import type { CatalogEntry, FlowGraph } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { EMPTY_SELECTION, fromXyflow, toXyflow, withPositions } from "./graph-convert";

const entry: CatalogEntry = {
  slug: "run-command",
  name: "Run command",
  description: "Runs a shell command",
  category: "Shell",
  version: "1.0.0",
  nodeType: "action",
  identity: { adapter: "shell" },
  schema: { type: "object", properties: { command: { type: "string" } } },
  defaults: { command: "echo hi" },
};

const graph: FlowGraph = {
  id: "demo",
  name: "Demo",
  version: "1.2.0",
  description: "d",
  nodes: [
    { id: "a", type: "action", label: "A", data: { adapter: "shell", command: "ls", extra: { deep: [1, 2] } }, position: { x: 10, y: 20 } },
    { id: "b", type: "quantum", label: "B", data: { weird: true }, position: { x: 300, y: 20 } },
    { id: "c", type: "utility" },
  ],
  edges: [
    { source: "a", target: "b", outcome: "pass", label: "ok", condition: "{{a.code}} == 0" },
    { source: "a", target: "c", outcome: "fail" },
    { source: "b", target: "c" },
  ],
  subflows: [{ id: "s", label: "S", nodeIds: ["a", "b"], retry: 2 }],
};

const context = { entries: [entry], issues: [], selection: EMPTY_SELECTION, measured: {} };

describe("graph ⇄ xyflow", () => {
  it("round-trips every field, unknown data keys and types included", () => {
    const { nodes, edges } = toXyflow(graph, context);
    expect(fromXyflow(graph, nodes, edges)).toEqual(graph);
  });

  it("maps outcomes to handles and entries to nodes", () => {
    const { nodes, edges } = toXyflow(graph, { ...context, issues: [{ severity: "error", code: "x", message: "m", nodeId: "a" }] });
    expect(nodes[0]?.data.entry?.slug).toBe("run-command");
    expect(nodes[0]?.data.issues).toHaveLength(1);
    expect(nodes[1]?.data.entry).toBeNull();
    expect(edges.map((e) => e.sourceHandle)).toEqual(["pass", "fail", "always"]);
    expect(edges.every((e) => e.targetHandle === "in")).toBe(true);
    expect(edges[0]?.label).toBe("ok");
    expect(edges[1]?.label).toBe("fail");
  });

  it("takes moved positions and reconnected outcomes from the canvas", () => {
    const { nodes, edges } = toXyflow(graph, context);
    const moved = nodes.map((n) => (n.id === "c" ? { ...n, position: { x: 5, y: 6 } } : n));
    const rewired = edges.map((e, i) => (i === 2 ? { ...e, sourceHandle: "fail" } : e));
    const back = fromXyflow(graph, moved, rewired);
    expect(back.nodes?.[2]?.position).toEqual({ x: 5, y: 6 });
    expect(back.edges?.[2]).toEqual({ source: "b", target: "c", outcome: "fail" });
  });

  it("shows a run's node status and taken edges", () => {
    const plain = toXyflow(graph, context);
    expect(plain.nodes[0]?.data.run).toBeNull();
    const run = { nodes: { a: { status: "failed" as const, iteration: 0, durationMs: 5, error: "exit 3" } }, taken: new Set([1]) };
    const { nodes, edges } = toXyflow(graph, { ...context, run });
    expect(nodes[0]?.data.run?.status).toBe("failed");
    expect(nodes[1]?.data.run?.status).toBe("pending");
    expect(edges[1]?.className).toContain("taken");
    expect(edges[0]?.className).not.toContain("taken");
  });

  it("copies positions without touching anything else", () => {
    const next = withPositions(graph, [{ id: "a", position: { x: 1, y: 2 } }]);
    expect(next.nodes?.[0]).toEqual({ ...graph.nodes?.[0], position: { x: 1, y: 2 } });
    expect(next.nodes?.[1]).toBe(graph.nodes?.[1]);
  });
});
