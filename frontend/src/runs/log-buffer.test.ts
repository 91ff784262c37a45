import type { ExecutionEvent, ExecutionEventKind } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { appendEvents, emptyLog, filterLines, isAtBottom, lineFromEvent, nodesWithLines } from "./log-buffer";

let seq = 0;
function ev(kind: ExecutionEventKind): ExecutionEvent {
  return { execution_id: "e", at: "2026-11-24T10:00:00Z", seq: seq++, ...kind };
}

describe("log buffer", () => {
  it("turns events into lines", () => {
    expect(lineFromEvent(ev({ kind: "node_log", node_id: "a", stream: "stderr", line: "oops" }))).toMatchObject({ nodeId: "a", kind: "stderr", text: "oops" });
    expect(lineFromEvent(ev({ kind: "node_skipped", node_id: "b", reason: "not reached", iteration: 0 }))?.text).toBe("b skipped: not reached");
    expect(lineFromEvent(ev({ kind: "node_failed", node_id: "a", error: "exit 3", iteration: 1, duration_ms: 1500 }))).toMatchObject({
      kind: "lifecycle",
      tone: "error",
      text: "a failed (iteration 2) in 1.5 s: exit 3",
    });
    expect(lineFromEvent(ev({ kind: "node_progress", node_id: "a", bytes: 1, total: null }))).toBeNull();
    expect(lineFromEvent(ev({ kind: "done", status: "failed" }))).toMatchObject({ nodeId: null, kind: "run", text: "Run failed" });
  });

  it("keeps at most the limit, counting what it dropped", () => {
    let buffer = emptyLog(3);
    buffer = appendEvents(buffer, [1, 2].map((n) => ev({ kind: "node_log", node_id: "a", stream: "stdout", line: `l${n}` })));
    expect(buffer.lines.map((l) => l.text)).toEqual(["l1", "l2"]);
    buffer = appendEvents(buffer, [3, 4, 5].map((n) => ev({ kind: "node_log", node_id: "a", stream: "stdout", line: `l${n}` })));
    expect(buffer.lines.map((l) => l.text)).toEqual(["l3", "l4", "l5"]);
    expect(buffer.dropped).toBe(2);
  });

  it("bounds a large stream at 5,000 lines by default", () => {
    const events = Array.from({ length: 6_000 }, (_, n) => ev({ kind: "node_log", node_id: "a", stream: "stdout", line: String(n) }));
    const buffer = appendEvents(emptyLog(), events);
    expect(buffer.lines).toHaveLength(5_000);
    expect(buffer.lines[0]?.text).toBe("1000");
    expect(buffer.dropped).toBe(1_000);
  });

  it("returns the same buffer when nothing is shown", () => {
    const buffer = emptyLog();
    expect(appendEvents(buffer, [ev({ kind: "node_progress", node_id: "a", bytes: 1, total: 2 })])).toBe(buffer);
  });

  it("filters by node and by output", () => {
    const buffer = appendEvents(emptyLog(), [
      ev({ kind: "started", flow_name: "F", trigger: "manual" }),
      ev({ kind: "node_started", node_id: "a", iteration: 0 }),
      ev({ kind: "node_log", node_id: "a", stream: "stdout", line: "a1" }),
      ev({ kind: "node_log", node_id: "b", stream: "stderr", line: "b1" }),
    ]);
    expect(filterLines(buffer.lines, { nodeId: null })).toBe(buffer.lines);
    expect(filterLines(buffer.lines, { nodeId: "a" }).map((l) => l.text)).toEqual(["a started", "a1"]);
    expect(filterLines(buffer.lines, { nodeId: null, outputOnly: true }).map((l) => l.text)).toEqual(["a1", "b1"]);
    expect(nodesWithLines(buffer.lines)).toEqual(["a", "b"]);
  });

  it("knows when a box is scrolled to the bottom", () => {
    expect(isAtBottom({ scrollTop: 900, scrollHeight: 1000, clientHeight: 100 })).toBe(true);
    expect(isAtBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 100 })).toBe(false);
  });
});
