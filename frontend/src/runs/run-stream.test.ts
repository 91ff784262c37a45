import type { ExecutionEvent, ExecutionEventKind } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { applyBatch, freshEvents, initialStream } from "./run-stream";

function ev(seq: number, kind: ExecutionEventKind, id = "e"): ExecutionEvent {
  return { execution_id: id, at: "2026-11-24T10:00:00Z", seq, ...kind };
}

describe("run stream", () => {
  const log = (seq: number, line: string) => ev(seq, { kind: "node_log", node_id: "a", stream: "stdout", line });

  it("applies a batch in seq order, once each, only for its run", () => {
    const state = initialStream("e", ["a"]);
    const next = applyBatch(state, [log(2, "c"), log(0, "a"), log(1, "b"), log(1, "b"), ev(3, { kind: "paused" }, "other")]);
    expect(next.log.lines.map((l) => l.text)).toEqual(["a", "b", "c"]);
    expect(next.view.lastSeq).toBe(2);
  });

  it("ignores what it already has (a reconnect replay)", () => {
    const once = applyBatch(initialStream("e"), [log(0, "a"), log(1, "b")]);
    expect(applyBatch(once, [log(0, "a"), log(1, "b")])).toBe(once);
    const more = applyBatch(once, [log(1, "b"), log(2, "c")]);
    expect(more.log.lines.map((l) => l.text)).toEqual(["a", "b", "c"]);
  });

  it("filters fresh events", () => {
    const state = applyBatch(initialStream("e"), [log(0, "a")]);
    expect(freshEvents(state, [log(0, "a"), log(5, "f"), log(3, "d")]).map((e) => e.seq)).toEqual([3, 5]);
  });
});
