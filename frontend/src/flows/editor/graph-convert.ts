import type { CatalogEntry, FlowEdge, FlowGraph, FlowNode, ValidationIssue } from "@flow/bindings";
import type { Edge, Node } from "@xyflow/react";
import type { NodeRun } from "../../runs/run-reducer";
import { edgesOf, hasPosition, isOutcome, matchEntry, nodesOf, outcomeOf } from "./graph-ops";

/** What the canvas node component gets: the wire node untouched, plus display context. */
// xyflow wants node/edge data assignable to Record<string, unknown>, which interfaces are not.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type FlowNodeCardData = {
  node: FlowNode;
  /** The installed entry it matches, or null for an "Unsupported" stub. */
  entry: CatalogEntry | null;
  issues: readonly ValidationIssue[];
  /** How the node stands in the run shown on the canvas; null when no run is shown. */
  run: NodeRun | null;
};

// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type FlowEdgeData = {
  edge: FlowEdge;
  index: number;
  issues: readonly ValidationIssue[];
};

export type CanvasNode = Node<FlowNodeCardData, "flow">;
export type CanvasEdge = Edge<FlowEdgeData>;

export interface Selection {
  nodeIds: readonly string[];
  edgeIndexes: readonly number[];
}

export const EMPTY_SELECTION: Selection = { nodeIds: [], edgeIndexes: [] };

export interface ConvertContext {
  entries: readonly CatalogEntry[];
  issues: readonly ValidationIssue[];
  selection: Selection;
  /** Sizes the canvas measured, by node id (kept so re-created nodes need no re-measure). */
  measured: Readonly<Record<string, { width: number; height: number }>>;
  /** The run shown on the canvas: per-node status and the edges it took. */
  run?: CanvasRun | null;
}

export interface CanvasRun {
  nodes: Readonly<Record<string, NodeRun>>;
  taken: ReadonlySet<number>;
}

const PENDING_RUN: NodeRun = { status: "pending", iteration: 0, durationMs: null };

export const INPUT_HANDLE = "in";

export function edgeId(index: number): string {
  return `edge-${index}`;
}

export function toXyflow(graph: FlowGraph, context: ConvertContext): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const selectedNodes = new Set(context.selection.nodeIds);
  const selectedEdges = new Set(context.selection.edgeIndexes);
  const nodes: CanvasNode[] = nodesOf(graph).map((node) => {
    const measured = context.measured[node.id];
    const rf: CanvasNode = {
      id: node.id,
      type: "flow",
      position: hasPosition(node) ? { x: node.position.x, y: node.position.y } : { x: 0, y: 0 },
      data: {
        node,
        entry: matchEntry(node, context.entries),
        issues: context.issues.filter((issue) => issue.nodeId === node.id),
        run: context.run === undefined || context.run === null ? null : (context.run.nodes[node.id] ?? PENDING_RUN),
      },
      selected: selectedNodes.has(node.id),
    };
    if (measured !== undefined) rf.measured = measured;
    return rf;
  });
  const edges: CanvasEdge[] = edgesOf(graph).map((edge, index) => {
    const outcome = outcomeOf(edge);
    const issues = context.issues.filter((issue) => issue.edgeIndex === index);
    const label = edge.label ?? (outcome === "always" ? undefined : outcome);
    const rf: CanvasEdge = {
      id: edgeId(index),
      source: edge.source,
      target: edge.target,
      sourceHandle: outcome,
      targetHandle: INPUT_HANDLE,
      data: { edge, index, issues },
      className: `flow-edge outcome-${outcome}${issues.length > 0 ? " has-issues" : ""}${context.run?.taken.has(index) === true ? " taken" : ""}`,
      selected: selectedEdges.has(index),
    };
    if (label !== undefined && label !== "") rf.label = label;
    return rf;
  });
  return { nodes, edges };
}

/**
 * Back to the wire graph: each node's own data untouched, its position from the canvas; each
 * edge's fields kept, its ends and outcome from the canvas connection.
 */
export function fromXyflow(graph: FlowGraph, nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): FlowGraph {
  const next: FlowGraph = {
    ...graph,
    nodes: nodes.map((rf) => {
      const original = rf.data.node;
      const moved = rf.position.x !== 0 || rf.position.y !== 0;
      if (!hasPosition(original) && !moved) return { ...original, id: rf.id };
      return { ...original, id: rf.id, position: { x: rf.position.x, y: rf.position.y } };
    }),
    edges: edges.map((rf) => {
      const original: FlowEdge = rf.data?.edge ?? { source: rf.source, target: rf.target };
      const outcome = isOutcome(rf.sourceHandle) ? rf.sourceHandle : outcomeOf(original);
      const edge: FlowEdge = { ...original, source: rf.source, target: rf.target };
      if (original.outcome !== undefined || outcome !== "always") edge.outcome = outcome;
      return edge;
    }),
  };
  return next;
}

/** Copies the canvas positions of `nodes` into `graph` (nothing else changes). */
export function withPositions(graph: FlowGraph, positions: readonly { id: string; position: { x: number; y: number } }[]): FlowGraph {
  const byId = new Map(positions.map((p) => [p.id, p.position]));
  return {
    ...graph,
    nodes: nodesOf(graph).map((node) => {
      const p = byId.get(node.id);
      if (p === undefined) return node;
      if (hasPosition(node) && node.position.x === p.x && node.position.y === p.y) return node;
      return { ...node, position: { x: p.x, y: p.y } };
    }),
  };
}
