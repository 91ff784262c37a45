import type { CatalogEntry, EdgeOutcome, FlowEdge, FlowGraph, FlowNode, JsonValue } from "@flow/bindings";

/** The only characters a node id may use. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const OUTCOMES: readonly EdgeOutcome[] = ["always", "pass", "fail"];

export function isOutcome(value: unknown): value is EdgeOutcome {
  return typeof value === "string" && (OUTCOMES as readonly string[]).includes(value);
}

export function nodesOf(graph: FlowGraph): FlowNode[] {
  return graph.nodes ?? [];
}

export function edgesOf(graph: FlowGraph): FlowEdge[] {
  return graph.edges ?? [];
}

export function outcomeOf(edge: FlowEdge): EdgeOutcome {
  return edge.outcome ?? "always";
}

/** Lower-case, dash-separated text usable as a node id (`Run command` → `run-command`). */
export function slugifyId(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return slug === "" ? "node" : slug;
}

/** `base`, or `base-2`, `base-3`, … — the first one not in `taken`. */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const root = slugifyId(base);
  if (!used.has(root)) return root;
  for (let n = 2; ; n += 1) {
    const candidate = `${root}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** Why `id` cannot be the new id of node `current`, or null when it can. */
export function nodeIdProblem(graph: FlowGraph, current: string, id: string): string | null {
  if (id === "") return "The id is required.";
  if (!NODE_ID_PATTERN.test(id)) return "Use only letters, digits, '-' and '_'.";
  if (id !== current && nodesOf(graph).some((node) => node.id === id)) return `Another node already has the id "${id}".`;
  return null;
}

/** Renames a node and every reference to it (edges, sub-flow members). */
export function renameNode(graph: FlowGraph, from: string, to: string): FlowGraph {
  if (from === to) return graph;
  const swap = (id: string) => (id === from ? to : id);
  return {
    ...graph,
    nodes: nodesOf(graph).map((node) => (node.id === from ? { ...node, id: to } : node)),
    edges: edgesOf(graph).map((edge) =>
      edge.source === from || edge.target === from ? { ...edge, source: swap(edge.source), target: swap(edge.target) } : edge,
    ),
    subflows: (graph.subflows ?? []).map((sub) =>
      sub.nodeIds?.includes(from) === true ? { ...sub, nodeIds: sub.nodeIds.map(swap) } : sub,
    ),
  };
}

export function updateNode(graph: FlowGraph, id: string, change: (node: FlowNode) => FlowNode): FlowGraph {
  return { ...graph, nodes: nodesOf(graph).map((node) => (node.id === id ? change(node) : node)) };
}

export function updateEdge(graph: FlowGraph, index: number, change: (edge: FlowEdge) => FlowEdge): FlowGraph {
  return { ...graph, edges: edgesOf(graph).map((edge, i) => (i === index ? change(edge) : edge)) };
}

/** Removes nodes (with their edges and sub-flow memberships) and edges by index. */
export function removeElements(graph: FlowGraph, nodeIds: readonly string[], edgeIndexes: readonly number[]): FlowGraph {
  if (nodeIds.length === 0 && edgeIndexes.length === 0) return graph;
  const gone = new Set(nodeIds);
  const goneEdges = new Set(edgeIndexes);
  return {
    ...graph,
    nodes: nodesOf(graph).filter((node) => !gone.has(node.id)),
    edges: edgesOf(graph).filter((edge, i) => !goneEdges.has(i) && !gone.has(edge.source) && !gone.has(edge.target)),
    subflows: (graph.subflows ?? []).map((sub) =>
      sub.nodeIds?.some((id) => gone.has(id)) === true ? { ...sub, nodeIds: sub.nodeIds.filter((id) => !gone.has(id)) } : sub,
    ),
  };
}

/** Adds an edge unless the same source, target and outcome are already joined. */
export function connect(graph: FlowGraph, source: string, target: string, outcome: EdgeOutcome): FlowGraph {
  if (source === target) return graph;
  const exists = edgesOf(graph).some((e) => e.source === source && e.target === target && outcomeOf(e) === outcome);
  if (exists) return graph;
  return { ...graph, edges: [...edgesOf(graph), { source, target, outcome }] };
}

/** A new node for a catalog entry: unique id from its name, its identity and defaults as data. */
export function nodeFromEntry(graph: FlowGraph, entry: CatalogEntry, position: { x: number; y: number }): FlowNode {
  const data: Record<string, JsonValue> = { ...entry.identity, ...entry.defaults };
  return {
    id: uniqueId(entry.name, nodesOf(graph).map((node) => node.id)),
    type: entry.nodeType,
    label: entry.name,
    data,
    position: { x: position.x, y: position.y },
  };
}

export function addNode(graph: FlowGraph, node: FlowNode): FlowGraph {
  return { ...graph, nodes: [...nodesOf(graph), node] };
}

export function hasPosition(node: FlowNode): node is FlowNode & { position: { x: number; y: number } } {
  const p = node.position;
  return p !== undefined && typeof p.x === "number" && typeof p.y === "number" && Number.isFinite(p.x) && Number.isFinite(p.y);
}

/** Where a node added by clicking the palette goes: right of the right-most node. */
export function nextFreePosition(graph: FlowGraph): { x: number; y: number } {
  const placed = nodesOf(graph).filter(hasPosition);
  if (placed.length === 0) return { x: 0, y: 0 };
  let right = placed[0];
  for (const node of placed) if (right === undefined || node.position.x > right.position.x) right = node;
  return right === undefined ? { x: 0, y: 0 } : { x: right.position.x + 280, y: right.position.y };
}

/** Structural equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(ra[k], rb[k]));
}

/** The installed entry a node was made from: same type and every identity field equal. */
export function matchEntry(node: FlowNode, entries: readonly CatalogEntry[]): CatalogEntry | null {
  let best: CatalogEntry | null = null;
  let bestKeys = -1;
  for (const entry of entries) {
    if (entry.nodeType !== node.type) continue;
    const keys = Object.keys(entry.identity);
    if (!keys.every((key) => jsonEqual(node.data?.[key], entry.identity[key]))) continue;
    if (keys.length > bestKeys) {
      best = entry;
      bestKeys = keys.length;
    }
  }
  return best;
}

/** Palette groups: entries matching `filter` (name, description, category), by category. */
export function groupEntries(entries: readonly CatalogEntry[], filter: string): { category: string; entries: CatalogEntry[] }[] {
  const needle = filter.trim().toLowerCase();
  const groups = new Map<string, CatalogEntry[]>();
  for (const entry of entries) {
    const text = `${entry.name} ${entry.description} ${entry.category} ${entry.slug}`.toLowerCase();
    if (needle !== "" && !text.includes(needle)) continue;
    const list = groups.get(entry.category) ?? [];
    list.push(entry);
    groups.set(entry.category, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => ({ category, entries: [...list].sort((a, b) => a.name.localeCompare(b.name)) }));
}
