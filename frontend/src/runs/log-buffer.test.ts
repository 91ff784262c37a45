import type { ExecutionEvent, ExecutionEventKind } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { appendEvents, emptyLog, filterLines, GENERATED_LINE_LIMIT, isAtBottom, lineFromEvent, nodesWithLines } from "./log-buffer";

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

  it("shows tool calls and their results, a refusal as an error", () => {
    expect(lineFromEvent(ev({ kind: "tool_call", node_id: "build", name: "shell__run-command", summary: "make" }))?.text).toBe("build → make");
    expect(lineFromEvent(ev({ kind: "tool_call", node_id: "agent", name: "ai__list_dir", summary: "." }))).toMatchObject({
      nodeId: "agent",
      kind: "lifecycle",
      text: "agent → list_dir .",
    });
    expect(lineFromEvent(ev({ kind: "tool_result", node_id: "agent", name: "ai__list_dir", ok: true, summary: "3 entries" }))).toMatchObject({
      text: "agent ← list_dir 3 entries",
      tone: "ok",
    });
    expect(
      lineFromEvent(ev({ kind: "tool_result", node_id: "agent", name: "ai__read_file", ok: false, summary: "refused: path escapes the workspace: ../x" })),
    ).toMatchObject({ text: "agent ← read_file refused: path escapes the workspace: ../x", tone: "error" });
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

  it("grows one generated line per node from its tokens instead of a line per token", () => {
    const token = (node: string, delta: string) => ev({ kind: "node_token", node_id: node, delta });
    let buffer = appendEvents(emptyLog(), [ev({ kind: "node_started", node_id: "ask", iteration: 0 }), token("ask", "The"), token("ask", " capital")]);
    expect(buffer.lines.map((l) => [l.kind, l.text])).toEqual([
      ["lifecycle", "ask started"],
      ["generated", "The capital"],
    ]);
    const firstSeq = buffer.lines[1]?.seq;
    // Later batches keep growing the same line (same seq, so the row keeps its key).
    buffer = appendEvents(buffer, [token("ask", " is"), token("other", "Hi"), token("ask", " Paris.")]);
    expect(buffer.lines.map((l) => [l.nodeId, l.text])).toEqual([
      ["ask", "ask started"],
      ["ask", "The capital is Paris."],
      ["other", "Hi"],
    ]);
    expect(buffer.lines[1]?.seq).toBe(firstSeq);
    // Any other line of the node closes its generated line: later tokens start a new one.
    buffer = appendEvents(buffer, [ev({ kind: "node_log", node_id: "ask", stream: "stderr", line: "warn" }), token("ask", "More")]);
    expect(buffer.lines.slice(-2).map((l) => [l.kind, l.text])).toEqual([
      ["stderr", "warn"],
      ["generated", "More"],
    ]);
    expect(filterLines(buffer.lines, { nodeId: "ask", outputOnly: true }).map((l) => l.text)).toEqual(["The capital is Paris.", "warn", "More"]);
  });

  it("bounds generated lines: their text keeps its tail, and lines count against the limit", () => {
    const chunk = "x".repeat(1_000);
    const buffer = appendEvents(
      emptyLog(),
      Array.from({ length: 40 }, () => ev({ kind: "node_token", node_id: "ask", delta: chunk })),
    );
    expect(buffer.lines).toHaveLength(1);
    expect(buffer.lines[0]?.text).toHaveLength(GENERATED_LINE_LIMIT);
    expect(buffer.lines[0]?.text.startsWith("…x")).toBe(true);

    let small = emptyLog(2);
    small = appendEvents(small, [
      ev({ kind: "node_token", node_id: "a", delta: "1" }),
      ev({ kind: "node_log", node_id: "a", stream: "stdout", line: "mid" }),
      ev({ kind: "node_token", node_id: "a", delta: "2" }),
      ev({ kind: "node_token", node_id: "a", delta: "3" }),
    ]);
    expect(small.lines.map((l) => l.text)).toEqual(["mid", "23"]);
    expect(small.dropped).toBe(1);
  });

  it("knows when a box is scrolled to the bottom", () => {
    expect(isAtBottom({ scrollTop: 900, scrollHeight: 1000, clientHeight: 100 })).toBe(true);
    expect(isAtBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 100 })).toBe(false);
  });
});
