import type { AppError, ChatMessage, ChatRequest, ChatResult, FinishReason, FlowEvent } from "@flow/bindings";

/** The playground form, as typed. */
export interface PlaygroundForm {
  model: string;
  system: string;
  prompt: string;
  maxTokens: string;
  temperature: string;
  /** Blank: a random seed each time. */
  seed: string;
}

export const DEFAULT_FORM: Omit<PlaygroundForm, "model"> = {
  system: "",
  prompt: "",
  maxTokens: "256",
  temperature: "0.7",
  seed: "",
};

export const MAX_TOKENS_LIMIT = 32_768;

/** The chat request a form asks for, or the first problem with it. */
export function buildChatRequest(form: PlaygroundForm, requestId: string): { request: ChatRequest } | { error: string } {
  if (form.model === "") return { error: "Choose a model." };
  if (form.prompt.trim() === "") return { error: "Type a prompt." };
  const maxTokens = Number(form.maxTokens.trim());
  if (form.maxTokens.trim() === "" || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
    return { error: `Max tokens must be a whole number from 1 to ${MAX_TOKENS_LIMIT.toLocaleString("en-US")}.` };
  }
  const temperature = Number(form.temperature.trim());
  if (form.temperature.trim() === "" || !Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
    return { error: "Temperature must be a number from 0 to 2." };
  }
  let seed: number | null = null;
  if (form.seed.trim() !== "") {
    seed = Number(form.seed.trim());
    if (!Number.isSafeInteger(seed) || seed < 0) return { error: "The seed must be a whole number, 0 or more (or blank)." };
  }
  const messages: ChatMessage[] = [];
  if (form.system.trim() !== "") messages.push({ role: "system", content: form.system });
  messages.push({ role: "user", content: form.prompt });
  return { request: { model: form.model, messages, maxTokens, temperature, seed, requestId } };
}

/** A request id for `llm_chat` (tags its `llm-token` events; `llm_cancel` takes it). */
export function newRequestId(source: { randomUUID?: () => string } = globalThis.crypto): string {
  // randomUUID exists only in secure contexts (not plain http on a LAN address).
  if (typeof source.randomUUID === "function") return `playground-${source.randomUUID()}`;
  return `playground-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** One generation as the playground shows it. */
export interface PlaygroundRun {
  requestId: string;
  status: "running" | "done" | "failed";
  /** The text so far: streamed deltas, then the final answer. */
  text: string;
  /** The index the next `llm-token` of this request should have (earlier ones are repeats). */
  nextIndex: number;
  /** Stop was pressed. */
  stopping: boolean;
  result: ChatResult | null;
  error: AppError | null;
}

export type PlaygroundState = PlaygroundRun | null;

export type PlaygroundAction =
  | { type: "start"; requestId: string }
  | { type: "token"; event: FlowEvent }
  | { type: "stopping"; requestId: string }
  | { type: "finish"; result: ChatResult }
  | { type: "fail"; requestId: string; error: AppError };

/**
 * Folds the playground's generation. Only `llm-token` events of the current request count, while
 * it runs, each index once (a reconnect may replay some); the final answer replaces the streamed
 * text (it is the whole of it, even if a piece was missed).
 */
export function playgroundReducer(state: PlaygroundState, action: PlaygroundAction): PlaygroundState {
  switch (action.type) {
    case "start":
      return { requestId: action.requestId, status: "running", text: "", nextIndex: 0, stopping: false, result: null, error: null };
    case "token": {
      const { event } = action;
      if (state?.status !== "running" || event.type !== "llm-token" || event.requestId !== state.requestId) return state;
      if (event.index < state.nextIndex) return state;
      return { ...state, text: state.text + event.delta, nextIndex: event.index + 1 };
    }
    case "stopping":
      return state?.status === "running" && state.requestId === action.requestId ? { ...state, stopping: true } : state;
    case "finish":
      if (state?.requestId !== action.result.requestId) return state;
      return { ...state, status: "done", text: action.result.text, result: action.result, stopping: false };
    case "fail":
      if (state?.requestId !== action.requestId) return state;
      return { ...state, status: "failed", error: action.error, stopping: false };
  }
}

const FINISH_LABELS: Record<FinishReason, string> = {
  stop: "Finished",
  length: "Reached max tokens",
  cancelled: "Stopped",
};

export function finishLabel(reason: FinishReason): string {
  return FINISH_LABELS[reason];
}

/** The stats line of a finished generation, e.g. `24 tokens · 31.2 tokens/s · first token in 85 ms · 1.2 s`. */
export function chatStats(result: ChatResult): string[] {
  const parts = [`${result.completionTokens.toLocaleString("en-US")} ${result.completionTokens === 1 ? "token" : "tokens"}`];
  if (result.tokensPerSecond !== null && Number.isFinite(result.tokensPerSecond)) parts.push(`${result.tokensPerSecond.toFixed(1)} tokens/s`);
  if (result.timeToFirstTokenMs !== null) parts.push(`first token in ${formatMs(result.timeToFirstTokenMs)}`);
  if (result.durationMs !== null) parts.push(`total ${formatMs(result.durationMs)}`);
  parts.push(`prompt ${result.promptTokens.toLocaleString("en-US")} tokens`);
  return parts;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${String(Math.round(ms))} ms` : `${(ms / 1000).toFixed(2)} s`;
}
