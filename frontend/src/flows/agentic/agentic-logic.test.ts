import type { FlowEvent, FlowGraph, Proposal } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { parseFlowEvent } from "../../host/flow-event";
import { checksByNode, diffCounts, generatorNodeId, reduceReview, startReview, withProposal } from "./agentic-logic";

const graph = (nodes: FlowGraph["nodes"], subflows: FlowGraph["subflows"] = []): FlowGraph => ({
  id: "f",
  name: "F",
  version: "1.0.0",
  nodes,
  edges: [],
  subflows,
});
const node = (id: string, type: string, data: Record<string, string> = {}) => ({ id, type, label: id, data, position: { x: 0, y: 0 } });

const proposal = (id: string): Proposal =>
  ({
    id,
    kind: "generation",
    status: "pending",
    flowSlug: "f",
    baseRevision: 1,
    nodeId: "agent",
    request: "run tests",
    model: "gemma.gguf",
    dsl: "flow \"F\"\n",
    graph: graph([]),
    generated: graph([node("a", "action")]),
    diff: {
      from: 1,
      to: 2,
      fromDsl: "",
      toDsl: "",
      lines: [
        { op: "equal", text: "flow" },
        { op: "insert", text: "a" },
        { op: "insert", text: "b" },
        { op: "delete", text: "c" },
      ],
    },
    checks: [],
    valid: true,
    workspace: { root: "/w", files: [], commands: [], truncated: false },
    promptTokens: 10,
    completionTokens: 20,
    durationMs: 1000,
    sanitized: 0,
    createdAt: "2026-12-04T00:00:00Z",
  }) satisfies Proposal;

const agentic = (jobId: string, rest: Record<string, unknown>): FlowEvent => {
  const event = parseFlowEvent({ type: "agentic", jobId, flowSlug: "f", nodeId: "agent", ...rest });
  if (event === null) throw new Error("refused");
  return event;
};

describe("generatorNodeId", () => {
  it("finds the main flow's agentic node until it monitors", () => {
    expect(generatorNodeId(graph([node("a", "action"), node("agent", "agentic")]))).toBe("agent");
    expect(generatorNodeId(graph([node("agent", "agentic", { mode: "monitor" })]))).toBeNull();
    expect(generatorNodeId(graph([node("a", "action")]))).toBeNull();
    // A sub-flow's own agentic node does not generate the main flow.
    expect(generatorNodeId(graph([node("inner", "agentic")], [{ id: "s", label: "S", nodeIds: ["inner"] }]))).toBeNull();
  });
});

describe("reduceReview", () => {
  it("streams the answer and then holds the proposal; other jobs, flows and nodes change nothing", () => {
    let state = startReview("f", "agent");
    state = reduceReview(state, agentic("j1", { phase: "started", model: "gemma.gguf", maxTokens: 2048 }));
    expect(state.jobId).toBe("j1");
    expect(state.maxTokens).toBe(2048);
    state = reduceReview(state, agentic("j1", { phase: "token", delta: '{"name"' }));
    state = reduceReview(state, agentic("j2", { phase: "token", delta: "other job" }));
    const otherFlow = parseFlowEvent({ type: "agentic", jobId: "j1", flowSlug: "g", nodeId: "agent", phase: "token", delta: "x" });
    if (otherFlow === null) throw new Error("refused");
    state = reduceReview(state, otherFlow);
    state = reduceReview(state, agentic("j1", { phase: "token", delta: ": 1}" }));
    expect(state.text).toBe('{"name": 1}');
    state = reduceReview(state, agentic("j1", { phase: "proposed", proposal: proposal("j1") }));
    expect(state.phase).toBe("review");
    expect(state.proposal?.id).toBe("j1");
    // Late tokens after the proposal do not change what is reviewed.
    expect(reduceReview(state, agentic("j1", { phase: "token", delta: "late" })).text).toBe('{"name": 1}');
  });

  it("a failure ends the generation with its reason", () => {
    const state = reduceReview(startReview("f", "agent"), agentic("j1", { phase: "failed", error: "cut off" }));
    expect(state.phase).toBe("failed");
    expect(state.error).toBe("cut off");
    // The command's answer arriving after the failure does not reopen it.
    expect(withProposal(state, proposal("j1")).phase).toBe("failed");
  });
});

describe("parseFlowEvent for agentic events", () => {
  it("refuses malformed tokens, proposals and phases", () => {
    expect(parseFlowEvent({ type: "agentic", jobId: "j", flowSlug: "f", nodeId: "n", phase: "token" })).toBeNull();
    expect(parseFlowEvent({ type: "agentic", jobId: "j", flowSlug: "f", nodeId: "n", phase: "proposed" })).toBeNull();
    expect(parseFlowEvent({ type: "agentic", jobId: "j", flowSlug: "f", nodeId: "n", phase: "dance" })).toBeNull();
    expect(parseFlowEvent({ type: "agentic", flowSlug: "f", nodeId: "n", phase: "started" })).toBeNull();
  });
});

describe("checks and diff", () => {
  it("groups checks per node, errors first, and counts diff lines", () => {
    const groups = checksByNode([
      { severity: "warning", code: "w", message: "slow", nodeId: "a" },
      { severity: "error", code: "e", message: "broken", nodeId: "a" },
      { severity: "warning", code: "x", message: "flow-wide" },
    ]);
    expect(groups.map((g) => g.nodeId)).toEqual(["a", ""]);
    expect(groups[0]?.issues.map((i) => i.severity)).toEqual(["error", "warning"]);
    expect(diffCounts(proposal("p"))).toEqual({ added: 2, removed: 1 });
  });
});
