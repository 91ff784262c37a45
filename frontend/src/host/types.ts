import type { Client, FlowEvent } from "@flow/bindings";
import type { ReadableStore } from "./store";

export type ConnectionState = "connecting" | "open" | "reconnecting";

export type HostKind = "ipc" | "http";

export interface Host {
  kind: HostKind;
  client: Client;
  /** Every FlowEvent pushed by the core, `resync` included (refetch state when it arrives). */
  subscribe: (listener: (event: FlowEvent) => void) => () => void;
  connection: ReadableStore<ConnectionState>;
  /** Becomes true when the core refuses a call as Unauthorized (http only). */
  authRequired: ReadableStore<boolean>;
  /** Opens the event stream; call once the session is authenticated. Idempotent. */
  start: () => void;
  /** Exchanges a bearer token for a session cookie (http only). Rejects with an AppError. */
  signIn?: (token: string) => Promise<void>;
  /** Ends the session and closes the event stream (http only). */
  signOut?: () => Promise<void>;
}
