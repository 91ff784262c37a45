import type { AgenticEvent, FlowEvent, FlowGraph, Proposal, ValidationIssue } from "@flow/bindings";

/** The agentic node that generates the main flow (not yet in monitor mode), or null. */
export function generatorNodeId(graph: FlowGraph): string | null {
  const grouped = new Set((graph.subflows ?? []).flatMap((s) => s.nodeIds ?? []));
  const node = (graph.nodes ?? []).find((n) => n.type === "agentic" && !grouped.has(n.id) && n.data?.mode !== "monitor");
  return node?.id ?? null;
}

/** Whether an agentic node of the main flow monitors it (so a run may be intercepted). */
export function isMonitored(graph: FlowGraph): boolean {
  return (graph.nodes ?? []).some((n) => n.type === "agentic" && n.data?.mode === "monitor");
}

/** Where a review stands. */
export type ReviewPhase = "generating" | "review" | "applying" | "failed";

/** The review dialog's state. */
export interface ReviewState {
  phase: ReviewPhase;
  /** The flow and agentic node being generated for. */
  slug: string;
  nodeId: string;
  /** The job, once its first event (or the proposal) names it. */
  jobId: string | null;
  model: string | null;
  maxTokens: number | null;
  /** The answer as it streams in. */
  text: string;
  proposal: Proposal | null;
  error: string | null;
}

/** A review that just started generating. */
export function startReview(slug: string, nodeId: string): ReviewState {
  return { phase: "generating", slug, nodeId, jobId: null, model: null, maxTokens: null, text: "", proposal: null, error: null };
}

/** The state after one live agentic event; events of other flows, nodes or jobs change nothing. */
export function reduceReview(state: ReviewState, event: FlowEvent): ReviewState {
  if (event.type !== "agentic") return state;
  if (event.flowSlug !== state.slug || event.nodeId !== state.nodeId) return state;
  if (state.jobId !== null && event.jobId !== state.jobId) return state;
  if (state.phase !== "generating") return state;
  return applyEvent({ ...state, jobId: event.jobId }, event);
}

function applyEvent(state: ReviewState, event: AgenticEvent): ReviewState {
  switch (event.phase) {
    case "started":
      return { ...state, model: event.model, maxTokens: event.maxTokens, text: "" };
    case "token":
      return { ...state, text: state.text + event.delta };
    case "proposed":
      return withProposal(state, event.proposal);
    case "failed":
      return { ...state, phase: "failed", error: event.error };
    case "resolved":
    case "interception":
    case "budget":
    case "finished":
      return state;
  }
}

/** The state once the proposal is known (from its event or the command's answer). */
export function withProposal(state: ReviewState, proposal: Proposal): ReviewState {
  if (state.phase !== "generating") return state;
  return { ...state, phase: "review", jobId: proposal.id, proposal, model: proposal.model };
}

/** A proposal's checks grouped by node (flow-level ones under ""), errors first. */
export function checksByNode(checks: readonly ValidationIssue[]): { nodeId: string; issues: ValidationIssue[] }[] {
  const groups = new Map<string, ValidationIssue[]>();
  for (const issue of checks) {
    const key = issue.nodeId ?? "";
    groups.set(key, [...(groups.get(key) ?? []), issue]);
  }
  return [...groups.entries()].map(([nodeId, issues]) => ({
    nodeId,
    issues: [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1)),
  }));
}

/** Lines added and removed by a proposal. */
export function diffCounts(proposal: Proposal): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of proposal.diff.lines) {
    if (line.op === "insert") added += 1;
    if (line.op === "delete") removed += 1;
  }
  return { added, removed };
}
