import { describe, expect, it } from "vitest";
import { parseFlowEvent } from "./flow-event";

describe("parseFlowEvent", () => {
  it("passes the board's events through", () => {
    expect(parseFlowEvent({ type: "update", event: "change", sessionId: "abc", file: "3.json" })).toEqual({
      type: "update",
      event: "change",
      sessionId: "abc",
      file: "3.json",
    });
    expect(parseFlowEvent({ type: "update", event: "unlink" })).toEqual({
      type: "update",
      event: "unlink",
      sessionId: null,
      file: null,
    });
    expect(parseFlowEvent({ type: "metadata-update" })).toEqual({ type: "metadata-update" });
    expect(parseFlowEvent({ type: "agent-status", agent: "codex", status: "working", task: "x" })).toEqual({
      type: "agent-status",
      agent: "codex",
      status: "working",
      task: "x",
    });
    expect(parseFlowEvent({ type: "agent-status" })).toEqual({ type: "agent-status", agent: null, status: null, task: null });
    expect(parseFlowEvent({ type: "feature-update", featureId: 4, change: "passed" })).toEqual({
      type: "feature-update",
      featureId: 4,
      change: "passed",
    });
  });

  it("drops malformed and unknown events", () => {
    expect(parseFlowEvent({ type: "update", event: "rename", sessionId: "a" })).toBeNull();
    expect(parseFlowEvent({ type: "update", event: "add", sessionId: 3 })).toBeNull();
    expect(parseFlowEvent({ type: "agent-status", agent: 1 })).toBeNull();
    expect(parseFlowEvent({ type: "feature-update", featureId: "4", change: "x" })).toBeNull();
    expect(parseFlowEvent({ type: "feature-update", featureId: 4 })).toBeNull();
    expect(parseFlowEvent({ type: "something-new" })).toBeNull();
    expect(parseFlowEvent(null)).toBeNull();
    expect(parseFlowEvent("update")).toBeNull();
  });
});
