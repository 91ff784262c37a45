import type { ExecutionEvent, ExecutionEventKind, FlowGraph } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { appendTail, graphNodeIds, initialRunView, isActive, replay, runReducer, runStatusLabel, STREAMED_LIMIT, takenEdges, type RunView } from "./run-reducer";

const ID = "exec-1";
let seq = 0;
function ev(kind: ExecutionEventKind, executionId = ID): ExecutionEvent {
  const event = { execution_id: executionId, at: `2026-11-24T10:00:${String(seq % 60).padStart(2, "0")}Z`, seq, ...kind };
  seq += 1;
  return event;
}

function fold(events: readonly ExecutionEvent[], start: RunView = initialRunView(ID, ["build", "notify"])): RunView {
  return events.reduce(runReducer, start);
}

const RECORDED: ExecutionEvent[] = (() => {
  seq = 0;
  return [
    ev({ kind: "started", flow_name: "Build", flow_slug: "build", trigger: "manual" }),
    ev({ kind: "node_started", node_id: "build", iteration: 0 }),
    ev({ kind: "tool_call", node_id: "build", name: "shell__run-command", summary: "exit 3" }),
    ev({ kind: "node_log", node_id: "build", stream: "stderr", line: "boom" }),
    ev({ kind: "node_failed", node_id: "build", error: "exit code 3", output: { exitCode: 3 }, iteration: 0, duration_ms: 12 }),
    ev({ kind: "node_started", node_id: "notify", iteration: 0 }),
    ev({ kind: "node_succeeded", node_id: "notify", output: { ok: true }, iteration: 0, duration_ms: 3 }),
    ev({ kind: "done", status: "succeeded" }),
  ];
})();

describe("runReducer", () => {
  it("starts with every node pending", () => {
    const state = initialRunView(ID, ["a", "b"]);
    expect(state.nodes.a?.status).toBe("pending");
    expect(state.status).toBeNull();
    expect(state.lastSeq).toBe(-1);
  });

  it("folds a recorded run", () => {
    const state = fold(RECORDED);
    expect(state.flowName).toBe("Build");
    expect(state.flowSlug).toBe("build");
    expect(state.trigger).toBe("manual");
    expect(state.status).toBe("succeeded");
    expect(state.nodes.build).toMatchObject({ status: "failed", error: "exit code 3", durationMs: 12, tool: "exit 3", output: { exitCode: 3 } });
    expect(state.nodes.notify).toMatchObject({ status: "succeeded", durationMs: 3, output: { ok: true } });
    expect(state.endedAt).not.toBeNull();
    expect(state.lastSeq).toBe(7);
  });

  it("gives the same state on replay, in any delivery order, with duplicates", () => {
    const once = fold(RECORDED);
    expect(replay(initialRunView(ID, ["build", "notify"]), [...RECORDED].reverse())).toEqual(once);
    const twice = fold([...RECORDED, ...RECORDED]);
    expect(twice).toEqual(once);
  });

  it("ignores events of other runs", () => {
    seq = 100;
    const state = initialRunView(ID);
    expect(runReducer(state, ev({ kind: "node_started", node_id: "x", iteration: 0 }, "other"))).toBe(state);
  });

  it("tracks iterations of a loop and its cap", () => {
    seq = 0;
    const state = fold([
      ev({ kind: "node_started", node_id: "loop", iteration: 0 }),
      ev({ kind: "node_succeeded", node_id: "loop", output: null, iteration: 0, duration_ms: 1 }),
      ev({ kind: "node_started", node_id: "loop", iteration: 1 }),
      ev({ kind: "iteration_capped", node_id: "loop", visits: 2 }),
    ]);
    expect(state.nodes.loop).toMatchObject({ status: "running", iteration: 1, durationMs: null, cappedAt: 2 });
  });

  it("records skips with their reason and progress", () => {
    seq = 0;
    const state = fold([
      ev({ kind: "node_skipped", node_id: "notify", reason: "build passed", iteration: 0 }),
      ev({ kind: "node_started", node_id: "dl", iteration: 0 }),
      ev({ kind: "node_progress", node_id: "dl", bytes: 10, total: 100 }),
    ]);
    expect(state.nodes.notify).toMatchObject({ status: "skipped", reason: "build passed" });
    expect(state.nodes.dl?.progress).toEqual({ bytes: 10, total: 100 });
  });

  it("holds while the monitor decides about an intercepted failure", () => {
    seq = 0;
    let state = fold([ev({ kind: "started", flow_name: "F", trigger: "manual" }), ev({ kind: "node_failed", node_id: "read", error: "no file", iteration: 0, duration_ms: 1 })]);
    state = runReducer(state, ev({ kind: "intercepted", node_id: "read", error: "no file" }));
    expect(state.status).toBe("intercepted");
    expect(state.intercepted).toEqual({ nodeId: "read", error: "no file" });
    expect(isActive(state.status)).toBe(true);
    expect(runStatusLabel("intercepted")).toContain("planning a fix");
    state = runReducer(state, ev({ kind: "interception_resolved", node_id: "read", verdict: "fixed" }));
    expect(state.intercepted).toBeNull();
    expect(state.status).toBe("running");
    state = runReducer(state, ev({ kind: "node_started", node_id: "read", iteration: 1 }));
    expect(state.nodes.read?.status).toBe("running");
    expect(state.nodes.read?.iteration).toBe(1);
  });

  it("pauses, resumes and asks for confirmation", () => {
    seq = 0;
    let state = fold([ev({ kind: "started", flow_name: "F", trigger: "manual" }), ev({ kind: "paused" })]);
    expect(state.status).toBe("paused");
    state = runReducer(state, ev({ kind: "resumed" }));
    expect(state.status).toBe("running");
    state = runReducer(state, ev({ kind: "awaiting_confirmation", node_id: "rm", action: "rm -rf build/" }));
    expect(state.status).toBe("awaiting_confirmation");
    expect(state.awaiting).toEqual({ nodeId: "rm", action: "rm -rf build/" });
    state = runReducer(state, ev({ kind: "confirmation_resolved", node_id: "rm", approved: false }));
    expect(state.awaiting).toBeNull();
    expect(state.status).toBe("running");
    state = runReducer(state, ev({ kind: "done", status: "cancelled" }));
    expect(state.status).toBe("cancelled");
    expect(isActive(state.status)).toBe(false);
  });

  it("shows an agentic ai node's latest tool call with its result and counts the calls", () => {
    const state = fold([
      ev({ kind: "node_started", node_id: "build", iteration: 0 }),
      ev({ kind: "tool_call", node_id: "build", name: "ai__read_file", summary: "README.md" }),
      ev({ kind: "tool_result", node_id: "build", name: "ai__read_file", ok: true, summary: "120 bytes" }),
      ev({ kind: "tool_call", node_id: "build", name: "ai__run_shell", summary: "rm -rf /" }),
    ]);
    expect(state.nodes.build?.tool).toBe("run_shell rm -rf /");
    expect(state.nodes.build?.toolCalls).toBe(1);
    const after = fold([ev({ kind: "tool_result", node_id: "build", name: "ai__run_shell", ok: false, summary: "refused: rm -rf / (rm)" })], state);
    expect(after.nodes.build?.tool).toBe("run_shell rm -rf / → refused: rm -rf / (rm)");
    expect(after.nodes.build?.toolCalls).toBe(2);
  });

  it("node_log changes only the sequence", () => {
    seq = 5;
    const state = initialRunView(ID, ["a"]);
    const next = runReducer(state, ev({ kind: "node_log", node_id: "a", stream: "stdout", line: "hi" }));
    expect(next.nodes).toBe(state.nodes);
    expect(next.lastSeq).toBe(5);
  });

  it("node_token accumulates the node's streamed text and counts its pieces, per visit", () => {
    seq = 0;
    let state = fold([
      ev({ kind: "node_started", node_id: "ask", iteration: 0 }),
      ev({ kind: "node_token", node_id: "ask", delta: "The capital" }),
      ev({ kind: "node_token", node_id: "ask", delta: " is" }),
      ev({ kind: "node_token", node_id: "ask", delta: " Paris." }),
    ]);
    expect(state.nodes.ask).toMatchObject({ status: "running", streamed: "The capital is Paris.", tokens: 3 });
    // A replayed token (same seq) is not appended twice.
    const replayed = runReducer(state, { execution_id: ID, at: "2026-11-24T10:00:03Z", seq: 3, kind: "node_token", node_id: "ask", delta: " Paris." });
    expect(replayed).toBe(state);
    state = runReducer(state, ev({ kind: "node_succeeded", node_id: "ask", output: { text: "The capital is Paris." }, iteration: 0, duration_ms: 40 }));
    expect(state.nodes.ask).toMatchObject({ status: "succeeded", streamed: "The capital is Paris.", tokens: 3 });
    // The next visit of a loop starts over.
    state = runReducer(state, ev({ kind: "node_started", node_id: "ask", iteration: 1 }));
    expect(state.nodes.ask?.streamed).toBeUndefined();
    expect(state.nodes.ask?.tokens).toBeUndefined();
  });

  it("bounds a node's streamed text to its tail", () => {
    expect(appendTail("abc", "def", 4)).toBe("cdef");
    expect(appendTail("", "xy", 4)).toBe("xy");
    seq = 0;
    const events = Array.from({ length: 50 }, (_, n) => ev({ kind: "node_token", node_id: "ask", delta: String(n % 10).repeat(100) }));
    const streamed = fold(events).nodes.ask?.streamed ?? "";
    expect(streamed).toHaveLength(STREAMED_LIMIT);
    expect(streamed.endsWith("9".repeat(100))).toBe(true);
  });

  it("labels statuses", () => {
    expect(runStatusLabel("awaiting_confirmation")).toBe("awaiting confirmation");
    expect(runStatusLabel("failed")).toBe("failed");
  });
});

describe("takenEdges", () => {
  const graph: FlowGraph = {
    name: "g",
    nodes: [
      { id: "build", type: "shell" },
      { id: "ok", type: "log" },
      { id: "bad", type: "log" },
    ],
    edges: [
      { source: "build", target: "ok", outcome: "pass" },
      { source: "build", target: "bad", outcome: "fail" },
    ],
  };

  it("marks the edges the run followed", () => {
    const state = fold(
      (() => {
        seq = 0;
        return [
          ev({ kind: "node_failed", node_id: "build", error: "x", iteration: 0, duration_ms: 1 }),
          ev({ kind: "node_skipped", node_id: "ok", reason: "fail path", iteration: 0 }),
          ev({ kind: "node_succeeded", node_id: "bad", output: null, iteration: 0, duration_ms: 1 }),
        ];
      })(),
      initialRunView(ID, graphNodeIds(graph)),
    );
    expect([...takenEdges(graph, state.nodes)]).toEqual([1]);
  });
});
