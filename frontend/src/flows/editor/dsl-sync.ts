import type { AppError, FlowGraph } from "@flow/bindings";
import { hasPosition, nodesOf } from "./graph-ops";
import { layout, layoutOnly } from "./layout";

export interface DslProblem {
  /** 1-based; null when the message names no position. */
  line: number | null;
  column: number | null;
  message: string;
}

/** Reads `line:col: message` from a parse rejection; other failures keep their whole text. */
export function dslProblemFrom(error: AppError): DslProblem {
  const match = /^(\d+):(\d+):\s*([\s\S]*)$/.exec(error.error);
  if (error.kind === "InvalidInput" && match !== null) {
    return { line: Number(match[1]), column: Number(match[2]), message: match[3] ?? "" };
  }
  return { line: null, column: null, message: error.kind === "InvalidInput" ? error.error : `${error.kind}: ${error.error}` };
}

/** Character offsets [from, to) of the problem's line in `text`, for a lint marker. */
export function problemRange(text: string, problem: DslProblem): { from: number; to: number } | null {
  if (problem.line === null) return null;
  const lines = text.split("\n");
  const index = Math.min(Math.max(problem.line, 1), lines.length) - 1;
  let from = 0;
  for (let i = 0; i < index; i += 1) from += (lines[i]?.length ?? 0) + 1;
  const lineText = lines[index] ?? "";
  const column = Math.min(Math.max((problem.column ?? 1) - 1, 0), lineText.length);
  const start = from + column;
  const end = from + lineText.length;
  return { from: start, to: Math.max(end, start) };
}

/**
 * The graph a successful DSL parse becomes. The DSL carries no positions: nodes whose id already
 * existed keep theirs; new ones are laid out (everything is, when nothing had a position).
 */
export function mergeDslGraph(previous: FlowGraph, parsed: FlowGraph): FlowGraph {
  const old = new Map(nodesOf(previous).map((node) => [node.id, node]));
  const fresh = new Set<string>();
  const nodes = nodesOf(parsed).map((node) => {
    const before = old.get(node.id);
    if (before !== undefined && hasPosition(before)) return { ...node, position: { x: before.position.x, y: before.position.y } };
    if (hasPosition(node)) return node;
    fresh.add(node.id);
    const rest = { ...node };
    delete rest.position;
    return rest;
  });
  const merged: FlowGraph = { ...parsed, nodes };
  if (parsed.id === undefined || parsed.id === "") {
    if (previous.id !== undefined) merged.id = previous.id;
  }
  if (fresh.size === 0) return merged;
  if (fresh.size === nodes.length) return layout(merged);
  return layoutOnly(merged, fresh);
}
