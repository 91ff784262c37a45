import type { AutonomousOutcome, BudgetUse, FlowEvent, MonitorInterception, Proposal } from "@flow/bindings";

/** What the flow's monitor did in one run: its interceptions, the fix being planned, the budgets. */
export interface RunAgenticState {
  executionId: string;
  /** Every interception of the run, by id. */
  interceptions: Readonly<Record<string, MonitorInterception>>;
  /** The interception waiting for a decision (planning or pending), or null. */
  openId: string | null;
  /** The fix's text as the model writes it. */
  text: string;
  /** Fix proposals of the run, by id (the interception's id). */
  proposals: Readonly<Record<string, Proposal>>;
  /** An autonomous run's budget use, as last published. */
  budget: BudgetUse | null;
  /** How an autonomous run ended. */
  finished: { outcome: AutonomousOutcome; usage: BudgetUse } | null;
}

/** Nothing known yet of run `executionId`. */
export function initialRunAgentic(executionId: string): RunAgenticState {
  return { executionId, interceptions: {}, openId: null, text: "", proposals: {}, budget: null, finished: null };
}

/** Whether an interception still waits for a decision. */
export function isOpen(interception: MonitorInterception): boolean {
  return interception.status === "planning" || interception.status === "pending";
}

/** The state with `interception` as it stands now (from an event or a listing). */
export function withInterception(state: RunAgenticState, interception: MonitorInterception): RunAgenticState {
  if (interception.executionId !== state.executionId) return state;
  const interceptions = { ...state.interceptions, [interception.id]: interception };
  if (isOpen(interception)) {
    const fresh = state.openId !== interception.id;
    return { ...state, interceptions, openId: interception.id, text: fresh ? "" : state.text };
  }
  return { ...state, interceptions, openId: state.openId === interception.id ? null : state.openId };
}

/** The state after one live event; events of other runs change nothing. */
export function reduceRunAgentic(state: RunAgenticState, event: FlowEvent): RunAgenticState {
  if (event.type !== "agentic") return state;
  switch (event.phase) {
    case "interception":
      return withInterception(state, event.interception);
    case "started":
      return event.jobId === state.openId ? { ...state, text: "" } : state;
    case "token":
      return event.jobId === state.openId ? { ...state, text: state.text + event.delta } : state;
    case "proposed":
      return event.proposal.executionId === state.executionId
        ? { ...state, proposals: { ...state.proposals, [event.proposal.id]: event.proposal } }
        : state;
    case "budget":
      return event.executionId === state.executionId ? { ...state, budget: event.usage } : state;
    case "finished":
      return event.executionId === state.executionId
        ? { ...state, budget: event.usage, finished: { outcome: event.outcome, usage: event.usage } }
        : state;
    case "failed":
    case "resolved":
      return state;
  }
}

/** The open interception with its fix (once proposed), or null. */
export function openInterception(state: RunAgenticState): { interception: MonitorInterception; proposal: Proposal | null } | null {
  if (state.openId === null) return null;
  const interception = state.interceptions[state.openId];
  if (interception === undefined) return null;
  return { interception, proposal: state.proposals[interception.id] ?? null };
}

/** Words for how an autonomous run ended. */
export function outcomeText(outcome: AutonomousOutcome): string {
  switch (outcome) {
    case "converged":
      return "converged: the run passed";
    case "iterations_exhausted":
      return "stopped: the fix budget (max_agentic_iterations) is used up";
    case "seconds_exhausted":
      return "stopped: the time budget (max_agentic_seconds) is used up";
    case "tokens_exhausted":
      return "stopped: the token budget (max_agentic_tokens) is used up";
    case "no_fix":
      return "stopped: the model proposed no usable fix";
    case "stopped":
      return "stopped by you";
    case "failed":
      return "failed where no fix applies";
  }
}

/** A budget meter's fraction used, 0 to 1. */
export function used(value: number, max: number): number {
  if (max <= 0) return 1;
  return Math.min(1, Math.max(0, value / max));
}
