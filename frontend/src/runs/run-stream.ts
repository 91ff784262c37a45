import type { ExecutionEvent } from "@flow/bindings";
import { appendEvents, emptyLog, type LogBuffer } from "./log-buffer";
import { initialRunView, runReducer, type RunView } from "./run-reducer";

/** One run as a live view: folded status plus its bounded log. */
export interface StreamState {
  view: RunView;
  log: LogBuffer;
}

export function initialStream(executionId: string, nodeIds: readonly string[] = [], logLimit?: number): StreamState {
  return { view: initialRunView(executionId, nodeIds), log: emptyLog(logLimit) };
}

/**
 * The events of `events` that are new for this run: its own, after `lastSeq`, each `seq` once,
 * in order. Live events, replays and fetched pages can all be fed in any mix.
 */
export function freshEvents(state: StreamState, events: readonly ExecutionEvent[]): ExecutionEvent[] {
  const bySeq = new Map<number, ExecutionEvent>();
  for (const event of events) {
    if (event.execution_id === state.view.executionId && event.seq > state.view.lastSeq && !bySeq.has(event.seq)) bySeq.set(event.seq, event);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Folds a batch into the view and the log (one log copy per batch, not per event). */
export function applyBatch(state: StreamState, events: readonly ExecutionEvent[]): StreamState {
  const fresh = freshEvents(state, events);
  if (fresh.length === 0) return state;
  return { view: fresh.reduce(runReducer, state.view), log: appendEvents(state.log, fresh) };
}
