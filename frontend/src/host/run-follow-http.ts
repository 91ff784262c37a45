import { appErrorFromResponse, type AppError, type ExecutionEvent } from "@flow/bindings";
import { createParser } from "eventsource-parser";
import { parseExecutionEvent } from "./flow-event";

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export interface HttpFollowOptions {
  /** Server origin; empty for same-origin (the browser UI, authenticated by the session cookie). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`; omit to rely on the session cookie. */
  token?: string;
  /** A `fetch` implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /** Called when the server refuses the session (the follow then stops). */
  onUnauthorized?: () => void;
}

/** The URL of a run's event stream, after `after` when given. */
export function runEventsUrl(executionId: string, after: number | null, baseUrl = ""): string {
  const path = `${baseUrl}/api/runs/${encodeURIComponent(executionId)}/events`;
  return after === null ? path : `${path}?after=${String(after)}`;
}

/**
 * Reads one SSE response, calling `onData` with each frame's data (`id:` repeats the event's
 * seq and comments are keep-alives: both ignored). Resolves when the server ends the stream;
 * rejects when the connection breaks.
 */
async function readFrames(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const parser = createParser({
    onEvent: (message) => {
      onData(message.data);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(decoder.decode(value, { stream: true }));
  }
}

/**
 * Follows a run over `GET /api/runs/{id}/events` (the core's run follow as SSE): its recorded
 * events after `after`, then live ones, each `seq` once and in order, until `done`. A broken
 * connection is resumed after the last event seen. Returns a function that stops following.
 */
export function followRunOverHttp(
  executionId: string,
  after: number | null,
  onEvent: (event: ExecutionEvent) => void,
  onError: (error: AppError) => void = () => undefined,
  options: HttpFollowOptions = {},
): () => void {
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  // A function, not a narrowed property read: stopping happens while awaiting.
  const stopped = () => controller.signal.aborted;
  let last = after;
  let delay = RETRY_MIN_MS;

  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;

  // One attach: true when the run is over (or the server refused), false to attach again.
  async function attach(): Promise<boolean> {
    const response = await doFetch(runEventsUrl(executionId, last, base), {
      headers,
      credentials: "same-origin",
      signal: controller.signal,
    });
    if (!response.ok || response.body === null) {
      const error = appErrorFromResponse(response.status, await response.text().catch(() => ""));
      if (error.kind === "Unauthorized") options.onUnauthorized?.();
      onError(error);
      return true;
    }
    delay = RETRY_MIN_MS;
    const seen = { delivered: 0, done: false };
    await readFrames(response.body, (data) => {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        return;
      }
      const event = parseExecutionEvent(value);
      if (event?.execution_id !== executionId || (last !== null && event.seq <= last)) return;
      last = event.seq;
      seen.delivered += 1;
      if (event.kind === "done") seen.done = true;
      if (!stopped()) onEvent(event);
    });
    // The server ends a stream after `done`, at the recorded end of a run that stopped without
    // one, and when it shuts down. An attach that brought nothing new means the run is over.
    return seen.done || seen.delivered === 0;
  }

  void (async () => {
    while (!stopped()) {
      try {
        if (await attach()) return;
      } catch {
        // The connection broke (or the server is away): resume after the last event seen.
      }
      if (stopped()) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  })();

  return () => {
    controller.abort();
  };
}
