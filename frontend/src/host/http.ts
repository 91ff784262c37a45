import { appErrorFromResponse, createClient, createHttpTransport, isAppError, type AppError, type Transport } from "@flow/bindings";
import { createEventHub } from "./event-hub";
import { parseFlowEvent } from "./flow-event";
import { createStore } from "./store";
import { followRunOverHttp } from "./run-follow-http";
import type { ConnectionState, Host } from "./types";
import { uploadModelFile } from "./upload";

const EVENTS_PATH = "/api/events";
const SESSION_PATH = "/api/session";
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

async function sessionRequest(method: "POST" | "DELETE", token?: string): Promise<void> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(SESSION_PATH, { method, headers, credentials: "same-origin" });
  } catch (cause) {
    throw { kind: "Unavailable", error: cause instanceof Error ? cause.message : String(cause) } satisfies AppError;
  }
  if (response.ok) return;
  throw appErrorFromResponse(response.status, await response.text().catch(() => ""));
}

export function createHttpHost(): Host {
  const hub = createEventHub();
  const connection = createStore<ConnectionState>("connecting");
  const authRequired = createStore(false);

  const wire = createHttpTransport();
  // Any call refused as Unauthorized means the session cookie is gone (expired, signed out in
  // another tab, server restarted with a new token): the shell switches to the sign-in screen.
  const signedOut = (cause: unknown): Promise<never> => {
    if (isAppError(cause) && cause.kind === "Unauthorized") {
      authRequired.set(true);
      stop();
    }
    return Promise.reject(cause);
  };
  const transport: Transport = {
    invoke: (command, args) => wire.invoke(command, args).catch(signedOut),
  };
  const client = createClient(transport);

  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = RETRY_MIN_MS;
  let wanted = false;

  function stop(): void {
    wanted = false;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    source?.close();
    source = null;
  }

  function open(): void {
    const es = new EventSource(EVENTS_PATH);
    source = es;
    let openedBefore = false;
    es.onopen = () => {
      if (source !== es) return;
      retryDelay = RETRY_MIN_MS;
      connection.set("open");
      // A new EventSource carries no Last-Event-ID, so anything published before it first
      // opened (including while the page was loading its first snapshot) is unseen: refetch.
      // The browser's own reconnects of this EventSource send Last-Event-ID and get a replay.
      if (!openedBefore) {
        openedBefore = true;
        hub.emit({ type: "resync" });
      }
    };
    es.onmessage = (message: MessageEvent<string>) => {
      if (source !== es) return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseFlowEvent(data);
      if (event !== null) hub.emit(event);
    };
    es.onerror = () => {
      if (source !== es) return;
      connection.set("reconnecting");
      if (es.readyState !== EventSource.CLOSED) return; // the browser retries with Last-Event-ID
      // Closed for good (an HTTP error such as 401, or the server went away mid-handshake).
      es.close();
      source = null;
      scheduleReopen();
    };
  }

  function scheduleReopen(): void {
    if (!wanted || retryTimer !== null) return;
    const delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!wanted) return;
      // A cheap authenticated call tells a lost session (-> sign-in screen) from a server
      // that is down (-> keep retrying).
      client.appInfo().then(
        () => {
          if (wanted && source === null) open();
        },
        (cause: unknown) => {
          if (isAppError(cause) && cause.kind === "Unauthorized") return;
          scheduleReopen();
        },
      );
    }, delay);
  }

  return {
    client,
    subscribe: hub.subscribe,
    // Same-origin, so the session cookie authenticates the stream like every `/api` call.
    followRun: (executionId, after, onEvent, onError) =>
      followRunOverHttp(executionId, after, onEvent, onError, {
        onUnauthorized: () => {
          authRequired.set(true);
          stop();
        },
      }),
    connection,
    start() {
      if (wanted) return;
      wanted = true;
      connection.set("connecting");
      open();
    },
    capabilities: {
      session: {
        required: authRequired,
        async signIn(token: string) {
          await sessionRequest("POST", token);
          authRequired.set(false);
        },
        async signOut() {
          stop();
          try {
            await sessionRequest("DELETE");
          } finally {
            authRequired.set(true);
          }
        },
      },
      modelImport: {
        kind: "upload",
        // Same-origin, so the session cookie authenticates it like every `/api/invoke` call.
        upload: (file, fileName, options) => uploadModelFile(file, fileName, options).catch(signedOut),
      },
      // Providers redirect back to this server's `/oauth/callback`.
      oauth: { kind: "redirect", redirectBase: window.location.origin },
    },
  };
}
