import { Graph, layout as dagreLayout } from "@dagrejs/dagre";
import type { FlowGraph, FlowNode } from "@flow/bindings";
import { edgesOf, hasPosition, nodesOf } from "./graph-ops";

/** The size the layout assumes for every node (the card's usual footprint). */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 100;
const GAP = 60;

interface Box {
  x: number;
  y: number;
}

/** Top-left positions for `nodes`, layered left to right along the edges among them. */
function layeredPositions(graph: FlowGraph, nodes: readonly FlowNode[]): Map<string, Box> {
  const g = new Graph<{ rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number }, { width: number; height: number; x?: number; y?: number }, object>({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 80, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  edgesOf(graph).forEach((edge, index) => {
    if (ids.has(edge.source) && ids.has(edge.target) && edge.source !== edge.target) g.setEdge(edge.source, edge.target, {}, `e${index}`);
  });
  dagreLayout(g);
  const out = new Map<string, Box>();
  nodes.forEach((node, index) => {
    const label = g.node(node.id) as { x?: number; y?: number } | undefined;
    const x = label?.x;
    const y = label?.y;
    // Centre → top-left; anything dagre could not place goes in a row underneath.
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) {
      out.set(node.id, { x: Math.round(x - NODE_WIDTH / 2), y: Math.round(y - NODE_HEIGHT / 2) });
    } else {
      out.set(node.id, { x: index * (NODE_WIDTH + GAP), y: 0 });
    }
  });
  return out;
}

/** Every node laid out afresh, left to right. */
export function layout(graph: FlowGraph): FlowGraph {
  return layoutOnly(graph, new Set(nodesOf(graph).map((node) => node.id)));
}

/**
 * Lays out only the nodes in `ids` (e.g. nodes a DSL edit introduced), placed as a block under
 * the nodes that keep their positions, so nothing already placed moves or is overlapped.
 */
export function layoutOnly(graph: FlowGraph, ids: ReadonlySet<string>): FlowGraph {
  const targets = nodesOf(graph).filter((node) => ids.has(node.id));
  if (targets.length === 0) return graph;
  const fixed = nodesOf(graph).filter((node) => !ids.has(node.id) && hasPosition(node));
  const positions = layeredPositions(graph, targets);
  let dx = 0;
  let dy = 0;
  if (fixed.length > 0) {
    let minX = Infinity;
    let maxY = -Infinity;
    for (const node of fixed) {
      if (!hasPosition(node)) continue;
      minX = Math.min(minX, node.position.x);
      maxY = Math.max(maxY, node.position.y + NODE_HEIGHT);
    }
    dx = minX;
    dy = maxY + GAP;
  }
  return {
    ...graph,
    nodes: nodesOf(graph).map((node) => {
      const p = positions.get(node.id);
      return p === undefined ? node : { ...node, position: { x: p.x + dx, y: p.y + dy } };
    }),
  };
}
