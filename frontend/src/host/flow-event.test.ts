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

  it("passes model download events through, filling absent optionals", () => {
    const download = {
      type: "model-download",
      id: "gemma-3-270m",
      fileName: "gemma-3-270m-q4_k_m.gguf",
      status: "downloading",
      bytes: 1_000,
      total: 4_000,
      rateBps: 500,
      etaSecs: 6,
      error: null,
    };
    expect(parseFlowEvent(download)).toEqual(download);
    const bare: Record<string, unknown> = { ...download, status: "failed" };
    delete bare.etaSecs;
    delete bare.error;
    delete bare.rateBps;
    expect(parseFlowEvent(bare)).toEqual({ ...download, status: "failed", rateBps: null, etaSecs: null, error: null });
    expect(parseFlowEvent({ ...download, total: null })).toEqual({ ...download, total: null });
    expect(parseFlowEvent({ ...download, status: "exploded" })).toBeNull();
    expect(parseFlowEvent({ ...download, bytes: "1000" })).toBeNull();
    expect(parseFlowEvent({ ...download, total: Number.NaN })).toBeNull();
    expect(parseFlowEvent({ ...download, fileName: 7 })).toBeNull();
    expect(parseFlowEvent({ ...download, etaSecs: "soon" })).toBeNull();
    expect(parseFlowEvent({ ...download, error: 3 })).toBeNull();
    expect(parseFlowEvent({ ...download, id: undefined })).toBeNull();
  });

  it("passes local model runtime events through", () => {
    const token = { type: "llm-token", requestId: "req-1", model: "gemma.gguf", delta: " Paris", index: 3 };
    expect(parseFlowEvent(token)).toEqual(token);
    expect(parseFlowEvent({ ...token, extra: true })).toEqual(token);
    expect(parseFlowEvent({ ...token, delta: 5 })).toBeNull();
    expect(parseFlowEvent({ ...token, index: "3" })).toBeNull();
    expect(parseFlowEvent({ ...token, index: Number.NaN })).toBeNull();
    expect(parseFlowEvent({ ...token, requestId: null })).toBeNull();
    expect(parseFlowEvent({ ...token, model: undefined })).toBeNull();

    expect(parseFlowEvent({ type: "llm-changed", model: "gemma.gguf", change: "evicted" })).toEqual({
      type: "llm-changed",
      model: "gemma.gguf",
      change: "evicted",
    });
    expect(parseFlowEvent({ type: "llm-changed", model: "gemma.gguf" })).toBeNull();
    expect(parseFlowEvent({ type: "models-changed", fileName: "mine.gguf", change: "imported" })).toEqual({
      type: "models-changed",
      fileName: "mine.gguf",
      change: "imported",
    });
    expect(parseFlowEvent({ type: "models-changed", fileName: 1, change: "deleted" })).toBeNull();
    expect(parseFlowEvent({ type: "connections-changed", id: "gh", change: "refreshed" })).toEqual({ type: "connections-changed", id: "gh", change: "refreshed" });
    expect(parseFlowEvent({ type: "connections-changed", id: "gh" })).toBeNull();
  });

  it("passes node_token execution events through and drops malformed ones", () => {
    const event = { type: "execution", execution_id: "e", at: "2026-11-24T10:00:00Z", seq: 4, kind: "node_token", node_id: "ask", delta: "Hi" };
    expect(parseFlowEvent(event)).toEqual(event);
    expect(parseFlowEvent({ ...event, delta: null })).toBeNull();
    expect(parseFlowEvent({ ...event, node_id: 3 })).toBeNull();
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
