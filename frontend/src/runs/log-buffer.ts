import type { ExecutionEvent } from "@flow/bindings";

import { toolSummary } from "./run-reducer";

/** The panel keeps this many lines; older ones are in the run's history (Runs page). */
export const LOG_LIMIT = 5_000;

/** A generated line holds the text an `ai` node streamed (`node_token` pieces joined). */
export type LogLineKind = "stdout" | "stderr" | "generated" | "lifecycle" | "run";

/** The most characters one generated line keeps (its tail); the full answer is in the node's output. */
export const GENERATED_LINE_LIMIT = 16_000;

/** How far back a token looks for its node's generated line before starting a new one. */
const TOKEN_LOOKBACK = 200;

export interface LogLine {
  seq: number;
  at: string;
  /** The node it belongs to; null for run-wide lines (started, paused, done). */
  nodeId: string | null;
  kind: LogLineKind;
  text: string;
  /** For lifecycle lines: how the node ended, for styling. */
  tone?: "ok" | "error" | "muted";
}

export interface LogBuffer {
  lines: readonly LogLine[];
  /** How many older lines were dropped to stay within the limit. */
  dropped: number;
  limit: number;
}

export function emptyLog(limit = LOG_LIMIT): LogBuffer {
  return { lines: [], dropped: 0, limit };
}

function iterationSuffix(iteration: number): string {
  return iteration > 0 ? ` (iteration ${iteration + 1})` : "";
}

function formatMs(ms: number | null): string {
  if (ms === null) return "";
  return ms < 1000 ? ` in ${ms} ms` : ` in ${(ms / 1000).toFixed(1)} s`;
}

/** The log line an event shows as, or null for events the log does not show. */
export function lineFromEvent(event: ExecutionEvent): LogLine | null {
  const base = { seq: event.seq, at: event.at };
  switch (event.kind) {
    case "started":
      return { ...base, nodeId: null, kind: "run", text: `Run of ${event.flow_name} started (${event.trigger})` };
    case "node_started":
      return { ...base, nodeId: event.node_id, kind: "lifecycle", text: `${event.node_id} started${iterationSuffix(event.iteration)}`, tone: "muted" };
    case "node_succeeded":
      return {
        ...base,
        nodeId: event.node_id,
        kind: "lifecycle",
        text: `${event.node_id} succeeded${iterationSuffix(event.iteration)}${formatMs(event.duration_ms)}`,
        tone: "ok",
      };
    case "node_failed":
      return {
        ...base,
        nodeId: event.node_id,
        kind: "lifecycle",
        text: `${event.node_id} failed${iterationSuffix(event.iteration)}${formatMs(event.duration_ms)}: ${event.error}`,
        tone: "error",
      };
    case "node_skipped":
      return { ...base, nodeId: event.node_id, kind: "lifecycle", text: `${event.node_id} skipped: ${event.reason}`, tone: "muted" };
    case "node_log":
      return { ...base, nodeId: event.node_id, kind: event.stream, text: event.line };
    case "node_token":
      return { ...base, nodeId: event.node_id, kind: "generated", text: event.delta };
    case "tool_call":
      return { ...base, nodeId: event.node_id, kind: "lifecycle", text: `${event.node_id} → ${toolSummary(event.name, event.summary)}`, tone: "muted" };
    case "tool_result":
      return {
        ...base,
        nodeId: event.node_id,
        kind: "lifecycle",
        text: `${event.node_id} ← ${toolSummary(event.name, event.summary)}`,
        tone: event.ok ? "ok" : "error",
      };
    case "iteration_capped":
      return { ...base, nodeId: event.node_id, kind: "lifecycle", text: `${event.node_id} reached its iteration cap (${event.visits} visits)`, tone: "muted" };
    case "paused":
      return { ...base, nodeId: null, kind: "run", text: "Run paused" };
    case "resumed":
      return { ...base, nodeId: null, kind: "run", text: "Run resumed" };
    case "awaiting_confirmation":
      return { ...base, nodeId: event.node_id, kind: "run", text: `Waiting for approval of ${event.node_id}: ${event.action}` };
    case "confirmation_resolved":
      return { ...base, nodeId: event.node_id, kind: "run", text: `${event.node_id} ${event.approved ? "approved" : "denied"}` };
    case "intercepted":
      return { ...base, nodeId: event.node_id, kind: "run", text: `${event.node_id} failed unhandled: the monitor is planning a fix (${event.error})`, tone: "error" };
    case "interception_resolved":
      return { ...base, nodeId: event.node_id, kind: "run", text: `Monitor: ${event.node_id} ${event.verdict}` };
    case "done":
      return { ...base, nodeId: null, kind: "run", text: `Run ${event.status}`, tone: event.status === "succeeded" ? "ok" : "error" };
    default:
      return null;
  }
}

/**
 * Where a node's next token goes: the index of its generated line when that is the node's latest
 * line (tokens of parallel nodes interleave, each growing its own line), else -1.
 */
function openGeneratedLine(lines: readonly LogLine[], nodeId: string): number {
  const stop = Math.max(0, lines.length - TOKEN_LOOKBACK);
  for (let index = lines.length - 1; index >= stop; index -= 1) {
    const line = lines[index];
    if (line?.nodeId !== nodeId) continue;
    return line.kind === "generated" ? index : -1;
  }
  return -1;
}

/**
 * Appends the lines of `events` (already in order), keeping at most `limit` lines. A node's
 * `node_token` pieces grow one generated line (it keeps its first token's `seq`) rather than
 * adding a line per token.
 */
export function appendEvents(buffer: LogBuffer, events: readonly ExecutionEvent[]): LogBuffer {
  let all: LogLine[] | null = null;
  for (const event of events) {
    const line = lineFromEvent(event);
    if (line === null) continue;
    all ??= [...buffer.lines];
    if (line.kind === "generated" && line.nodeId !== null) {
      const open = openGeneratedLine(all, line.nodeId);
      const current = all[open];
      if (current !== undefined) {
        const text = current.text + line.text;
        all[open] = { ...current, text: text.length > GENERATED_LINE_LIMIT ? `…${text.slice(text.length - GENERATED_LINE_LIMIT + 1)}` : text };
        continue;
      }
    }
    all.push(line);
  }
  if (all === null) return buffer;
  const over = all.length - buffer.limit;
  if (over <= 0) return { ...buffer, lines: all };
  return { ...buffer, lines: all.slice(over), dropped: buffer.dropped + over };
}

export interface LogFilter {
  /** Only this node's lines (run-wide lines stay visible); null: every line. */
  nodeId: string | null;
  /** Hide lifecycle lines. */
  outputOnly?: boolean;
}

export function filterLines(lines: readonly LogLine[], filter: LogFilter): readonly LogLine[] {
  if (filter.nodeId === null && filter.outputOnly !== true) return lines;
  return lines.filter(
    (line) =>
      (filter.nodeId === null || line.nodeId === filter.nodeId) && (filter.outputOnly !== true || line.kind === "stdout" || line.kind === "stderr" || line.kind === "generated"),
  );
}

/** The nodes that have lines, in first-seen order (for the filter menu). */
export function nodesWithLines(lines: readonly LogLine[]): string[] {
  const seen = new Set<string>();
  for (const line of lines) if (line.nodeId !== null) seen.add(line.nodeId);
  return [...seen];
}

/** Whether a scrolled box is (close to) its bottom, so new lines should keep it there. */
export function isAtBottom(box: { scrollTop: number; scrollHeight: number; clientHeight: number }, slack = 24): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}
