import type { BudgetUse } from "@flow/bindings";
import { outcomeText, used, type RunAgenticState } from "./interception-logic";

/** An autonomous run's budgets as they are used: fixes, time and tokens; then how it ended. */
export function BudgetMeters({ state }: { state: RunAgenticState }) {
  const usage: BudgetUse | null = state.budget;
  return (
    <section className="agentic-budget" aria-label="Autonomous budget">
      <strong>Autonomous</strong>
      {usage === null ? (
        <span className="muted">watching the run; a failure is fixed without asking</span>
      ) : (
        <>
          <Meter label="Fixes" value={usage.iterations} max={usage.maxIterations} text={`${String(usage.iterations)} / ${String(usage.maxIterations)}`} />
          <Meter label="Time" value={usage.seconds ?? 0} max={usage.maxSeconds} text={`${(usage.seconds ?? 0).toFixed(0)} / ${String(usage.maxSeconds)} s`} />
          <Meter label="Tokens" value={usage.tokens} max={usage.maxTokens} text={`${String(usage.tokens)} / ${String(usage.maxTokens)}`} />
        </>
      )}
      {state.finished !== null && (
        <span role="status" className="agentic-outcome" data-outcome={state.finished.outcome}>
          {outcomeText(state.finished.outcome)}
        </span>
      )}
    </section>
  );
}

function Meter({ label, value, max, text }: { label: string; value: number; max: number; text: string }) {
  return (
    <label className="agentic-meter">
      {label}
      <meter min={0} max={1} value={used(value, max)} aria-label={`${label} used`} />
      <span>{text}</span>
    </label>
  );
}
