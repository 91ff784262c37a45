// The header's token ticker: while `llm-token` events arrive (from the playground, `ai` nodes or
// OpenAI API clients) it shows the current burst's piece count, rate and the tail of the text.
// Pure, so the component only feeds it events and clock ticks.

/** How long after the last token the ticker hides (and the next token starts a new burst). */
export const TICKER_HIDE_AFTER_MS = 3_000;

/** How many characters of the text the ticker shows. */
export const TICKER_TAIL_CHARS = 40;

/** Below this much time between the first and last piece there is no meaningful rate. */
const MIN_RATE_WINDOW_MS = 200;

export interface TickerState {
  /** Whether the ticker shows (a token arrived within {@link TICKER_HIDE_AFTER_MS}). */
  active: boolean;
  /** When the burst's first token arrived (ms, the caller's clock). */
  startedAt: number;
  /** When its latest token arrived. */
  lastAt: number;
  /** `llm-token` pieces in this burst (a piece is one token or a few). */
  count: number;
  /** The last {@link TICKER_TAIL_CHARS} characters of the burst's text, whitespace collapsed. */
  tail: string;
  /** The model of the latest piece. */
  model: string | null;
  /** The requests seen in this burst (how many generations feed it). */
  requests: readonly string[];
}

export const IDLE_TICKER: TickerState = {
  active: false,
  startedAt: 0,
  lastAt: 0,
  count: 0,
  tail: "",
  model: null,
  requests: [],
};

export type TickerAction =
  | { type: "token"; at: number; requestId: string; model: string; delta: string }
  /** The clock moved on: hides the ticker once the burst has been quiet long enough. */
  | { type: "tick"; at: number };

/** Newlines and runs of whitespace read as one space on a single-line chip. */
function collapse(text: string): string {
  return text.replace(/\s+/g, " ");
}

function tailOf(text: string): string {
  const flat = collapse(text);
  return flat.length > TICKER_TAIL_CHARS ? flat.slice(flat.length - TICKER_TAIL_CHARS) : flat;
}

/** Whether a burst is over at `at`. */
function quiet(state: TickerState, at: number): boolean {
  return at - state.lastAt >= TICKER_HIDE_AFTER_MS;
}

export function tickerReducer(state: TickerState, action: TickerAction): TickerState {
  switch (action.type) {
    case "token": {
      if (!state.active || quiet(state, action.at)) {
        return {
          active: true,
          startedAt: action.at,
          lastAt: action.at,
          count: 1,
          tail: tailOf(action.delta),
          model: action.model,
          requests: [action.requestId],
        };
      }
      return {
        active: true,
        startedAt: state.startedAt,
        lastAt: Math.max(state.lastAt, action.at),
        count: state.count + 1,
        tail: tailOf(state.tail + action.delta),
        model: action.model,
        requests: state.requests.includes(action.requestId) ? state.requests : [...state.requests, action.requestId],
      };
    }
    case "tick":
      return state.active && quiet(state, action.at) ? { ...state, active: false } : state;
  }
}

/** Pieces per second over the burst so far; null until there is a span to measure. */
export function tickerRate(state: TickerState): number | null {
  const span = state.lastAt - state.startedAt;
  if (state.count < 2 || span < MIN_RATE_WINDOW_MS) return null;
  return ((state.count - 1) * 1000) / span;
}

/** Milliseconds until the ticker should hide (for a timer); null while it is hidden. */
export function tickerHidesIn(state: TickerState, now: number): number | null {
  if (!state.active) return null;
  return Math.max(0, state.lastAt + TICKER_HIDE_AFTER_MS - now);
}

/** The chip's words, e.g. `24 tokens · 18.3 tok/s`. */
export function tickerSummary(state: TickerState): string {
  const rate = tickerRate(state);
  const count = `${state.count.toLocaleString("en-US")} ${state.count === 1 ? "token" : "tokens"}`;
  return rate === null ? count : `${count} · ${rate.toFixed(1)} tok/s`;
}
