import type { ChatResult, FlowEvent } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { buildChatRequest, chatStats, DEFAULT_FORM, finishLabel, newRequestId, playgroundReducer, type PlaygroundAction, type PlaygroundState } from "./playground";

const tokenEvent = (requestId: string, index: number, delta: string): FlowEvent => ({ type: "llm-token", requestId, model: "gemma.gguf", delta, index });
const token = (requestId: string, index: number, delta: string): PlaygroundAction => ({ type: "token", event: tokenEvent(requestId, index, delta) });
const fold = (actions: readonly PlaygroundAction[], start: PlaygroundState = null) => actions.reduce(playgroundReducer, start);

function result(overrides: Partial<ChatResult> = {}): ChatResult {
  return {
    requestId: "mine",
    model: "gemma.gguf",
    text: "Paris.",
    finishReason: "stop",
    promptTokens: 12,
    completionTokens: 3,
    timeToFirstTokenMs: 85,
    durationMs: 1_234,
    tokensPerSecond: 31.25,
    ...overrides,
  };
}

describe("playground token accumulation", () => {
  it("appends only its own request's deltas, in order, while running", () => {
    const state = fold([
      { type: "start", requestId: "mine" },
      token("mine", 0, "The"),
      token("other", 0, "Nope"),
      token("mine", 1, " capital"),
      { type: "token", event: { type: "llm-changed", model: "gemma.gguf", change: "loaded" } },
      token("mine", 2, " is"),
    ]);
    expect(state).toMatchObject({ requestId: "mine", status: "running", text: "The capital is", nextIndex: 3 });
  });

  it("ignores tokens before a start and repeated indexes (a replay)", () => {
    expect(fold([token("mine", 0, "x")])).toBeNull();
    const state = fold([{ type: "start", requestId: "mine" }, token("mine", 0, "a"), token("mine", 1, "b"), token("mine", 1, "b"), token("mine", 0, "a")]);
    expect(state?.text).toBe("ab");
  });

  it("keeps going past a missed piece", () => {
    const state = fold([{ type: "start", requestId: "mine" }, token("mine", 0, "a"), token("mine", 2, "c")]);
    expect(state).toMatchObject({ text: "ac", nextIndex: 3 });
  });

  it("takes the final answer as the text and ignores late tokens", () => {
    let state = fold([{ type: "start", requestId: "mine" }, token("mine", 0, "Par")]);
    state = playgroundReducer(state, { type: "finish", result: result() });
    expect(state).toMatchObject({ status: "done", text: "Paris.", result: { finishReason: "stop" } });
    expect(playgroundReducer(state, token("mine", 1, "is."))).toBe(state);
  });

  it("a new start drops the previous run; answers of older requests are ignored", () => {
    let state = fold([{ type: "start", requestId: "old" }, token("old", 0, "x"), { type: "start", requestId: "mine" }]);
    expect(state).toMatchObject({ requestId: "mine", text: "" });
    state = playgroundReducer(state, { type: "finish", result: result({ requestId: "old" }) });
    expect(state?.status).toBe("running");
    state = playgroundReducer(state, { type: "fail", requestId: "old", error: { kind: "Internal", error: "x" } });
    expect(state?.status).toBe("running");
    state = playgroundReducer(state, token("old", 1, "late"));
    expect(state?.text).toBe("");
  });

  it("marks stopping, then finishes cancelled with the text so far", () => {
    let state = fold([{ type: "start", requestId: "mine" }, token("mine", 0, "Once"), { type: "stopping", requestId: "mine" }]);
    expect(state).toMatchObject({ stopping: true, status: "running" });
    state = playgroundReducer(state, { type: "finish", result: result({ text: "Once", finishReason: "cancelled" }) });
    expect(state).toMatchObject({ stopping: false, status: "done", text: "Once" });
    expect(finishLabel("cancelled")).toBe("Stopped");
  });

  it("records a failure", () => {
    const state = fold([{ type: "start", requestId: "mine" }, { type: "fail", requestId: "mine", error: { kind: "Unavailable", error: "local models are turned off" } }]);
    expect(state).toMatchObject({ status: "failed", error: { kind: "Unavailable" } });
  });
});

describe("playground requests", () => {
  const form = { ...DEFAULT_FORM, model: "gemma.gguf", prompt: "The capital of France is" };

  it("builds the chat request, the system prompt only when given", () => {
    expect(buildChatRequest({ ...form, maxTokens: "24", temperature: "0", seed: "42" }, "req")).toEqual({
      request: {
        model: "gemma.gguf",
        messages: [{ role: "user", content: "The capital of France is" }],
        maxTokens: 24,
        temperature: 0,
        seed: 42,
        requestId: "req",
      },
    });
    const withSystem = buildChatRequest({ ...form, system: "Be brief." }, "req");
    expect("request" in withSystem && withSystem.request.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect("request" in withSystem && withSystem.request.seed).toBeNull();
  });

  it("refuses bad input", () => {
    expect(buildChatRequest({ ...form, model: "" }, "r")).toEqual({ error: "Choose a model." });
    expect(buildChatRequest({ ...form, prompt: "  " }, "r")).toEqual({ error: "Type a prompt." });
    expect(buildChatRequest({ ...form, maxTokens: "0" }, "r")).toHaveProperty("error");
    expect(buildChatRequest({ ...form, maxTokens: "2.5" }, "r")).toHaveProperty("error");
    expect(buildChatRequest({ ...form, temperature: "3" }, "r")).toHaveProperty("error");
    expect(buildChatRequest({ ...form, temperature: "" }, "r")).toHaveProperty("error");
    expect(buildChatRequest({ ...form, seed: "-1" }, "r")).toHaveProperty("error");
  });

  it("makes request ids with randomUUID, or without it", () => {
    expect(newRequestId({ randomUUID: () => "uuid" })).toBe("playground-uuid");
    const fallback = newRequestId({});
    expect(fallback).toMatch(/^playground-[a-z0-9]+-[a-z0-9]+$/);
    expect(newRequestId(undefined)).not.toBe(fallback);
  });

  it("summarises a finished generation", () => {
    expect(chatStats(result())).toEqual(["3 tokens", "31.3 tokens/s", "first token in 85 ms", "total 1.23 s", "prompt 12 tokens"]);
    expect(chatStats(result({ completionTokens: 1, tokensPerSecond: null, timeToFirstTokenMs: null, durationMs: null }))).toEqual(["1 token", "prompt 12 tokens"]);
  });
});
