import type { ExecutionEvent, FlowGraph, JsonValue, RunStatus, RunTrigger } from "@flow/bindings";

/** Where one node stands in the run shown on the canvas. */
export type NodeRunStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";

export interface NodeRun {
  status: NodeRunStatus;
  /** The latest visit (0 on the acyclic path). */
  iteration: number;
  durationMs: number | null;
  error?: string;
  reason?: string;
  output?: JsonValue;
  /** The tool call it announced last (e.g. the command line), with its result once it has one. */
  tool?: string;
  /** Tool calls of an agentic `ai` node that finished (or were refused) in this visit. */
  toolCalls?: number;
  progress?: { bytes: number | null; total: number | null };
  /** Visits when its loop hit `maxIterations`. */
  cappedAt?: number;
  /** The text an `ai` node's model generated so far in this visit (its last {@link STREAMED_LIMIT} characters). */
  streamed?: string;
  /** How many `node_token` pieces arrived in this visit. */
  tokens?: number;
}

/**
 * A tool call in words: an agentic `ai` node's calls (`ai__read_file`) name their tool, since
 * one node makes several kinds; other nodes' summaries (the command line) say it already.
 */
export function toolSummary(name: string, summary: string): string {
  return name.startsWith("ai__") ? `${name.slice("ai__".length)} ${summary}` : summary;
}

/** The most streamed text a node keeps; the whole answer is in its output once it succeeds. */
export const STREAMED_LIMIT = 4_000;

/** `text` + `delta`, keeping the last `limit` characters. */
export function appendTail(text: string, delta: string, limit: number): string {
  const joined = text + delta;
  return joined.length > limit ? joined.slice(joined.length - limit) : joined;
}

export interface AwaitingPrompt {
  nodeId: string;
  action: string;
}

/** A run as the editor shows it, folded from its events. */
export interface RunView {
  executionId: string;
  flowName: string | null;
  flowSlug: string | null;
  trigger: RunTrigger | null;
  /** Null until the `started` event. */
  status: RunStatus | null;
  nodes: Readonly<Record<string, NodeRun>>;
  awaiting: AwaitingPrompt | null;
  /** The failed node the flow's monitor is deciding about, with its error. */
  intercepted: { nodeId: string; error: string } | null;
  /** The highest `seq` folded in (-1: none); older or repeated events are ignored. */
  lastSeq: number;
  startedAt: string | null;
  endedAt: string | null;
}

const PENDING: NodeRun = { status: "pending", iteration: 0, durationMs: null };

/** A run that has not reported anything yet; every node of `nodeIds` pending. */
export function initialRunView(executionId: string, nodeIds: readonly string[] = []): RunView {
  const nodes: Record<string, NodeRun> = {};
  for (const id of nodeIds) nodes[id] = PENDING;
  return {
    executionId,
    flowName: null,
    flowSlug: null,
    trigger: null,
    status: null,
    nodes,
    awaiting: null,
    intercepted: null,
    lastSeq: -1,
    startedAt: null,
    endedAt: null,
  };
}

/** The node ids of a graph, for {@link initialRunView}. */
export function graphNodeIds(graph: FlowGraph): string[] {
  return (graph.nodes ?? []).map((node) => node.id);
}

/** Whether a run can still change (not ended). */
export function isActive(status: RunStatus | null): boolean {
  return status === "running" || status === "paused" || status === "awaiting_confirmation" || status === "intercepted";
}

function withNode(state: RunView, nodeId: string, update: (node: NodeRun) => NodeRun): Readonly<Record<string, NodeRun>> {
  return { ...state.nodes, [nodeId]: update(state.nodes[nodeId] ?? PENDING) };
}

function withoutProgress(node: NodeRun): NodeRun {
  const rest = { ...node };
  delete rest.progress;
  return rest;
}

/**
 * Folds one event into the run. Events of other runs, and events at or below `lastSeq` (a
 * replay after a reconnect), leave the state as it is.
 */
export function runReducer(state: RunView, event: ExecutionEvent): RunView {
  if (event.execution_id !== state.executionId || event.seq <= state.lastSeq) return state;
  const next: RunView = { ...state, lastSeq: event.seq };
  switch (event.kind) {
    case "started":
      return {
        ...next,
        flowName: event.flow_name,
        flowSlug: event.flow_slug ?? null,
        trigger: event.trigger,
        status: state.status ?? "running",
        startedAt: event.at,
      };
    case "node_started":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => {
          const fresh: NodeRun = { status: "running", iteration: event.iteration, durationMs: null };
          if (node.cappedAt !== undefined) fresh.cappedAt = node.cappedAt;
          return fresh;
        }),
      };
    case "node_succeeded":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => {
          const done: NodeRun = { ...withoutProgress(node), status: "succeeded", iteration: event.iteration, durationMs: event.duration_ms, output: event.output };
          delete done.error;
          delete done.reason;
          return done;
        }),
      };
    case "node_failed":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => {
          const failed: NodeRun = { ...withoutProgress(node), status: "failed", iteration: event.iteration, durationMs: event.duration_ms, error: event.error };
          delete failed.reason;
          if (event.output !== undefined && event.output !== null) failed.output = event.output;
          else delete failed.output;
          return failed;
        }),
      };
    case "node_skipped":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => {
          const skipped: NodeRun = { ...withoutProgress(node), status: "skipped", iteration: event.iteration, durationMs: null, reason: event.reason };
          delete skipped.error;
          delete skipped.output;
          return skipped;
        }),
      };
    case "node_log":
      return next;
    case "tool_call":
      return { ...next, nodes: withNode(state, event.node_id, (node) => ({ ...node, tool: toolSummary(event.name, event.summary) })) };
    case "tool_result":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => ({
          ...node,
          tool: `${node.tool ?? event.name} → ${event.summary}`,
          toolCalls: (node.toolCalls ?? 0) + 1,
        })),
      };
    case "node_progress":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => ({ ...node, progress: { bytes: event.bytes, total: event.total ?? null } })),
      };
    case "node_token":
      return {
        ...next,
        nodes: withNode(state, event.node_id, (node) => ({
          ...node,
          streamed: appendTail(node.streamed ?? "", event.delta, STREAMED_LIMIT),
          tokens: (node.tokens ?? 0) + 1,
        })),
      };
    case "iteration_capped":
      return { ...next, nodes: withNode(state, event.node_id, (node) => ({ ...node, cappedAt: event.visits })) };
    case "paused":
      return isActive(state.status) || state.status === null ? { ...next, status: "paused" } : next;
    case "resumed":
      return state.status === "paused" ? { ...next, status: state.awaiting !== null ? "awaiting_confirmation" : "running" } : next;
    case "awaiting_confirmation":
      return { ...next, status: "awaiting_confirmation", awaiting: { nodeId: event.node_id, action: event.action } };
    case "confirmation_resolved":
      return {
        ...next,
        awaiting: null,
        status: state.status === "awaiting_confirmation" ? "running" : state.status,
      };
    case "intercepted":
      return { ...next, status: "intercepted", intercepted: { nodeId: event.node_id, error: event.error } };
    case "interception_resolved":
      return {
        ...next,
        intercepted: null,
        status: state.status === "intercepted" ? (state.awaiting !== null ? "awaiting_confirmation" : "running") : state.status,
      };
    case "done":
      return { ...next, status: event.status, awaiting: null, intercepted: null, endedAt: event.at };
    default:
      return next;
  }
}

/** Folds a list of events (e.g. a recorded page) in `seq` order. */
export function replay(state: RunView, events: readonly ExecutionEvent[]): RunView {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  return sorted.reduce(runReducer, state);
}

/** Words for a run status, as the status chip shows them. */
export function runStatusLabel(status: RunStatus): string {
  switch (status) {
    case "awaiting_confirmation":
      return "awaiting confirmation";
    case "intercepted":
      return "intercepted: planning a fix";
    default:
      return status;
  }
}

/**
 * Edges the run took, by index: the source finished with an outcome the edge follows
 * (`pass` on success, `fail` on failure, `always` either way) and the target was not skipped.
 */
export function takenEdges(graph: FlowGraph, nodes: Readonly<Record<string, NodeRun>>): Set<number> {
  const taken = new Set<number>();
  (graph.edges ?? []).forEach((edge, index) => {
    const source = nodes[edge.source]?.status;
    const target = nodes[edge.target]?.status;
    if (target === undefined || target === "pending" || target === "skipped") return;
    const outcome = edge.outcome ?? "always";
    const ok =
      (outcome === "always" && (source === "succeeded" || source === "failed")) ||
      (outcome === "pass" && source === "succeeded") ||
      (outcome === "fail" && source === "failed");
    if (ok) taken.add(index);
  });
  return taken;
}
