import type { FlowGraph } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { hasPosition } from "./graph-ops";
import { layout, layoutOnly, NODE_HEIGHT, NODE_WIDTH } from "./layout";

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
}

const chain: FlowGraph = {
  name: "chain",
  nodes: ["a", "b", "c", "d"].map((id) => ({ id, type: "utility" })),
  edges: [
    { source: "a", target: "b", outcome: "pass" },
    { source: "b", target: "c" },
    { source: "b", target: "d", outcome: "fail" },
    { source: "c", target: "c" },
  ],
};

describe("layout", () => {
  it("gives every node a finite position without overlaps, left to right", () => {
    const out = layout(chain);
    const nodes = out.nodes ?? [];
    expect(nodes.every(hasPosition)).toBe(true);
    const positions = nodes.map((n) => ({ x: n.position?.x ?? NaN, y: n.position?.y ?? NaN }));
    for (let i = 0; i < positions.length; i += 1)
      for (let j = i + 1; j < positions.length; j += 1) expect(overlaps(positions[i] ?? { x: 0, y: 0 }, positions[j] ?? { x: 0, y: 0 })).toBe(false);
    expect((positions[1]?.x ?? 0) > (positions[0]?.x ?? 0)).toBe(true);
    expect(out.edges).toBe(chain.edges);
  });

  it("handles an empty graph and lone nodes", () => {
    expect(layout({ name: "e" })).toEqual({ name: "e" });
    const lone = layout({ name: "l", nodes: [{ id: "x", type: "ai" }, { id: "y", type: "ai" }] });
    expect(lone.nodes?.every(hasPosition)).toBe(true);
  });

  it("places only the new nodes, under the placed ones", () => {
    const g: FlowGraph = {
      name: "p",
      nodes: [
        { id: "a", type: "utility", position: { x: 100, y: 50 } },
        { id: "n", type: "utility" },
      ],
    };
    const out = layoutOnly(g, new Set(["n"]));
    expect(out.nodes?.[0]).toBe(g.nodes?.[0]);
    const p = out.nodes?.[1]?.position;
    expect(p?.x).toBe(100);
    expect((p?.y ?? 0) >= 50 + NODE_HEIGHT).toBe(true);
  });
});

describe("placeNodes", () => {
  it("lays out nodes that all sit at the origin, as DSL-made flows do", async () => {
    const { placeNodes } = await import("./use-flow-document");
    const stacked: FlowGraph = {
      ...chain,
      nodes: (chain.nodes ?? []).map((node) => ({ ...node, position: { x: 0, y: 0 } })),
    };
    const placed = (placeNodes(stacked).nodes ?? []).map((node) => ({ x: node.position?.x ?? 0, y: node.position?.y ?? 0 }));
    for (let i = 0; i < placed.length; i += 1) {
      for (let j = i + 1; j < placed.length; j += 1) {
        expect(overlaps(placed[i] ?? { x: 0, y: 0 }, placed[j] ?? { x: 0, y: 0 })).toBe(false);
      }
    }
  });

  it("keeps a graph whose nodes already have distinct positions", async () => {
    const { placeNodes } = await import("./use-flow-document");
    const spread: FlowGraph = {
      ...chain,
      nodes: (chain.nodes ?? []).map((node, i) => ({ ...node, position: { x: i * 300, y: 40 } })),
    };
    expect(placeNodes(spread)).toBe(spread);
  });
});
