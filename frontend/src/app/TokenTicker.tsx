import { useEffect, useReducer } from "react";
import { useFlowEvents } from "../host";
import { IDLE_TICKER, tickerHidesIn, tickerReducer, tickerSummary, type TickerState } from "../models/token-ticker";

/** The header chip shown while a local model generates anywhere (see token-ticker.ts). */
export function TokenTicker() {
  const [state, dispatch] = useReducer(tickerReducer, IDLE_TICKER);

  useFlowEvents((event) => {
    if (event.type !== "llm-token") return;
    dispatch({ type: "token", at: Date.now(), requestId: event.requestId, model: event.model, delta: event.delta });
  });

  // One timer per new token: fires when the burst has been quiet long enough to hide.
  useEffect(() => {
    const wait = tickerHidesIn(state, Date.now());
    if (wait === null) return;
    const timer = setTimeout(() => {
      dispatch({ type: "tick", at: Date.now() });
    }, wait + 50);
    return () => {
      clearTimeout(timer);
    };
  }, [state]);

  return <TokenTickerChip state={state} />;
}

/** The chip itself, from a ticker state (nothing while idle). */
export function TokenTickerChip({ state }: { state: TickerState }) {
  if (!state.active) return null;
  const sources = state.requests.length > 1 ? ` across ${String(state.requests.length)} requests` : "";
  return (
    <span
      className="token-ticker"
      data-testid="token-ticker"
      title={`${state.model ?? "A local model"} is generating${sources}`}
    >
      <span className="token-ticker-dot" aria-hidden="true" />
      <span className="token-ticker-count">{tickerSummary(state)}</span>
      <span className="token-ticker-tail">
        {state.tail}
      </span>
    </span>
  );
}
