import type { FlowEvent, MonitorInterception, Proposal } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { parseFlowEvent } from "../../host/flow-event";
import { initialRunAgentic, openInterception, outcomeText, reduceRunAgentic, used, withInterception } from "./interception-logic";

function interception(id: string, status: MonitorInterception["status"], executionId = "run-1"): MonitorInterception {
  return { id, executionId, flowSlug: "f", nodeId: "read", error: "no notes.txt", autonomous: false, status, createdAt: "2026-12-04T00:00:00Z" };
}

/** Through the wire parser, as the hosts deliver it (a phase it dropped would fail here). */
function agentic(jobId: string, rest: Record<string, unknown>): FlowEvent {
  const event = parseFlowEvent({ type: "agentic", jobId, flowSlug: "f", nodeId: "read", ...rest });
  if (event === null) throw new Error(`the parser dropped ${JSON.stringify(rest)}`);
  return event;
}

describe("a run's interceptions", () => {
  it("opens on planning, streams the fix, shows the proposal, and closes once decided", () => {
    let state = initialRunAgentic("run-1");
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "interception", interception: interception("fix-1", "planning") }));
    expect(openInterception(state)?.interception.id).toBe("fix-1");
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "started", model: "m.gguf", maxTokens: 64 }));
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "token", delta: "{\"node\"" }));
    state = reduceRunAgentic(state, agentic("other", { phase: "token", delta: "noise" }));
    expect(state.text).toBe("{\"node\"");
    const proposal = { id: "fix-1", executionId: "run-1" } as Proposal;
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "proposed", proposal }));
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "interception", interception: interception("fix-1", "pending") }));
    expect(openInterception(state)?.proposal).toBe(proposal);
    expect(state.text).toBe("{\"node\"");
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "interception", interception: interception("fix-1", "fixed") }));
    expect(openInterception(state)).toBeNull();
    expect(state.interceptions["fix-1"]?.status).toBe("fixed");
  });

  it("ignores other runs and follows the budget and the end state", () => {
    let state = initialRunAgentic("run-1");
    state = withInterception(state, interception("fix-9", "planning", "run-2"));
    expect(openInterception(state)).toBeNull();
    const usage = { iterations: 1, maxIterations: 5, seconds: 3, maxSeconds: 900, tokens: 600, maxTokens: 50000 };
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "budget", executionId: "run-2", usage }));
    expect(state.budget).toBeNull();
    state = reduceRunAgentic(state, agentic("fix-1", { phase: "budget", executionId: "run-1", usage }));
    expect(state.budget).toEqual(usage);
    state = reduceRunAgentic(state, agentic("run-1", { phase: "finished", executionId: "run-1", outcome: "iterations_exhausted", usage }));
    expect(state.finished?.outcome).toBe("iterations_exhausted");
    expect(outcomeText("iterations_exhausted")).toContain("max_agentic_iterations");
    expect(outcomeText("converged")).toContain("passed");
  });

  it("meters clamp to 0..1", () => {
    expect(used(5, 10)).toBe(0.5);
    expect(used(20, 10)).toBe(1);
    expect(used(1, 0)).toBe(1);
  });
});
