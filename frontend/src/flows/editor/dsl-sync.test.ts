import type { FlowGraph } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { hasPosition } from "./graph-ops";
import { dslProblemFrom, mergeDslGraph, problemRange } from "./dsl-sync";

describe("dsl problems", () => {
  it("reads line and column", () => {
    expect(dslProblemFrom({ kind: "InvalidInput", error: "3:7: expected a string" })).toEqual({ line: 3, column: 7, message: "expected a string" });
    expect(dslProblemFrom({ kind: "Unavailable", error: "not yet" })).toEqual({ line: null, column: null, message: "Unavailable: not yet" });
  });

  it("maps a problem to a range on its line", () => {
    const text = "flow \"a\" v1\nnode x\nend";
    expect(problemRange(text, { line: 2, column: 3, message: "" })).toEqual({ from: 14, to: 18 });
    expect(problemRange(text, { line: 99, column: 1, message: "" })).toEqual({ from: 19, to: 22 });
    expect(problemRange(text, { line: null, column: null, message: "" })).toBeNull();
  });
});

describe("mergeDslGraph", () => {
  const previous: FlowGraph = {
    id: "demo",
    name: "Demo",
    nodes: [
      { id: "a", type: "action", position: { x: 500, y: 400 } },
      { id: "b", type: "action", position: { x: 800, y: 400 } },
    ],
  };

  it("keeps positions of known ids and lays out new ones without moving the rest", () => {
    const parsed: FlowGraph = {
      id: "",
      name: "Demo 2",
      nodes: [
        { id: "a", type: "action", label: "renamed" },
        { id: "c", type: "ai", position: { x: null, y: null } },
      ],
      edges: [{ source: "a", target: "c" }],
    };
    const merged = mergeDslGraph(previous, parsed);
    expect(merged.id).toBe("demo");
    expect(merged.name).toBe("Demo 2");
    expect(merged.nodes?.[0]).toEqual({ id: "a", type: "action", label: "renamed", position: { x: 500, y: 400 } });
    const c = merged.nodes?.[1];
    expect(c !== undefined && hasPosition(c)).toBe(true);
    expect((c?.position?.y ?? 0) > 400).toBe(true);
  });

  it("lays out everything when nothing had a position", () => {
    const merged = mergeDslGraph({ name: "x" }, { name: "x", nodes: [{ id: "p", type: "ai" }, { id: "q", type: "ai" }], edges: [{ source: "p", target: "q" }] });
    expect(merged.nodes?.every(hasPosition)).toBe(true);
    expect((merged.nodes?.[1]?.position?.x ?? 0) > (merged.nodes?.[0]?.position?.x ?? 0)).toBe(true);
  });
});
