import { describe, expect, it } from "vitest";
import {
  IDLE_TICKER,
  TICKER_HIDE_AFTER_MS,
  TICKER_TAIL_CHARS,
  tickerHidesIn,
  tickerRate,
  tickerReducer,
  tickerSummary,
  type TickerAction,
  type TickerState,
} from "./token-ticker";

const token = (at: number, delta: string, requestId = "r1", model = "gemma.gguf"): TickerAction => ({ type: "token", at, requestId, model, delta });
const fold = (actions: readonly TickerAction[], start: TickerState = IDLE_TICKER) => actions.reduce(tickerReducer, start);

describe("token ticker", () => {
  it("is hidden until a token arrives, then counts the burst", () => {
    expect(IDLE_TICKER.active).toBe(false);
    const state = fold([token(1_000, "The"), token(1_100, " capital"), token(1_500, " is")]);
    expect(state).toMatchObject({ active: true, startedAt: 1_000, lastAt: 1_500, count: 3, tail: "The capital is", model: "gemma.gguf" });
    expect(tickerSummary(state)).toBe("3 tokens · 4.0 tok/s");
  });

  it("has no rate for a single piece or a too-short span", () => {
    const one = fold([token(0, "Hi")]);
    expect(tickerRate(one)).toBeNull();
    expect(tickerSummary(one)).toBe("1 token");
    expect(tickerRate(fold([token(0, "a"), token(50, "b")]))).toBeNull();
    expect(tickerRate(fold([token(0, "a"), token(500, "b"), token(1_000, "c")]))).toBe(2);
  });

  it("keeps only the tail of the text, whitespace collapsed", () => {
    const long = "x".repeat(100);
    const state = fold([token(0, "line one\n\n"), token(10, "line   two"), token(20, long)]);
    expect(state.tail).toHaveLength(TICKER_TAIL_CHARS);
    expect(state.tail).toBe(long.slice(0, TICKER_TAIL_CHARS));
    expect(fold([token(0, "a\n\tb")]).tail).toBe("a b");
  });

  it("hides after the quiet period, not before", () => {
    const state = fold([token(1_000, "a"), token(2_000, "b")]);
    expect(tickerReducer(state, { type: "tick", at: 2_000 + TICKER_HIDE_AFTER_MS - 1 })).toBe(state);
    const hidden = tickerReducer(state, { type: "tick", at: 2_000 + TICKER_HIDE_AFTER_MS });
    expect(hidden.active).toBe(false);
    expect(tickerReducer(hidden, { type: "tick", at: 99_999 })).toBe(hidden);
    expect(tickerHidesIn(state, 2_500)).toBe(TICKER_HIDE_AFTER_MS - 500);
    expect(tickerHidesIn(state, 9_999)).toBe(0);
    expect(tickerHidesIn(hidden, 2_500)).toBeNull();
  });

  it("starts a new burst after a pause, even without a tick", () => {
    const first = fold([token(0, "old"), token(100, " text")]);
    const next = tickerReducer(first, token(100 + TICKER_HIDE_AFTER_MS, "new", "r2"));
    expect(next).toMatchObject({ active: true, startedAt: 100 + TICKER_HIDE_AFTER_MS, count: 1, tail: "new", requests: ["r2"] });
    const afterHide = tickerReducer(tickerReducer(first, { type: "tick", at: 10_000 }), token(10_001, "again"));
    expect(afterHide).toMatchObject({ count: 1, tail: "again" });
  });

  it("counts pieces of every source in one burst, remembering the requests", () => {
    const state = fold([token(0, "a", "r1", "m1.gguf"), token(10, "b", "r2", "m2.gguf"), token(20, "c", "r1", "m1.gguf")]);
    expect(state.count).toBe(3);
    expect(state.requests).toEqual(["r1", "r2"]);
    expect(state.model).toBe("m1.gguf");
    expect(state.tail).toBe("abc");
  });
});
