import { createClient, isAppError, type AppError, type ExecutionEvent, type Transport } from "@flow/bindings";
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { createEventHub } from "./event-hub";
import { parseExecutionEvent, parseFlowEvent } from "./flow-event";
import { createStore } from "./store";
import type { ConnectionState, Host } from "./types";

// Tauri rejects with whatever the command returned as its error; the core returns AppError
// JSON, but a missing command or a serialisation failure comes back as a bare string.
function toAppError(cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  if (typeof cause === "string") {
    try {
      const parsed: unknown = JSON.parse(cause);
      if (isAppError(parsed)) return parsed;
    } catch {
      // Not JSON: report the string itself.
    }
    return { kind: "Internal", error: cause };
  }
  return { kind: "Internal", error: cause instanceof Error ? cause.message : String(cause) };
}

const ipcTransport: Transport = {
  invoke: (command, args) => invoke<unknown>(command, args).catch((cause: unknown) => Promise.reject(toAppError(cause))),
};

/** The core's run follow over a Tauri channel (`run_follow`; `run_follow_stop` ends it early). */
function followRun(
  executionId: string,
  after: number | null,
  onEvent: (event: ExecutionEvent) => void,
  onError: (error: AppError) => void = () => undefined,
): () => void {
  let stopped = false;
  let ended = false;
  const channel = new Channel<unknown>((message) => {
    const event = parseExecutionEvent(message);
    if (!stopped && event !== null) onEvent(event);
  });
  invoke("run_follow", { executionId, after, onEvent: channel }).then(
    () => {
      ended = true;
    },
    (cause: unknown) => {
      ended = true;
      if (!stopped) onError(toAppError(cause));
    },
  );
  return () => {
    if (stopped) return;
    stopped = true;
    if (!ended) {
      invoke("run_follow_stop", { channel: channel.id }).catch((cause: unknown) => {
        console.error("could not stop following a run", cause);
      });
    }
  };
}

export function createIpcHost(): Host {
  const hub = createEventHub();
  const connection = createStore<ConnectionState>("connecting");
  let started = false;

  const client = createClient(ipcTransport);

  return {
    client,
    subscribe: hub.subscribe,
    followRun,
    connection,
    start() {
      if (started) return;
      started = true;
      listen<unknown>("flow-event", (message) => {
        const event = parseFlowEvent(message.payload);
        if (event !== null) hub.emit(event);
      }).then(
        () => {
          connection.set("open");
        },
        (cause: unknown) => {
          console.error("could not listen for flow events", cause);
          connection.set("reconnecting");
        },
      );
    },
    capabilities: {
      // The desktop shell is the user's own process: there is no session to lose.
      session: null,
      // The core runs on the user's machine and reads the file where it is.
      modelImport: { kind: "path", importFile: (path) => client.modelImportFile(path) },
      // The core opens the system browser and takes the redirect on a loopback listener.
      oauth: { kind: "loopback" },
    },
  };
}
