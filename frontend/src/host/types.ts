import type { AppError, Client, ExecutionEvent, FlowEvent, InstalledModel } from "@flow/bindings";
import type { ReadableStore } from "./store";
import type { UploadOptions } from "./upload";

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
  /**
   * The origin OAuth providers redirect back to (this server's `/oauth/callback`), or null where
   * the core completes OAuth itself on a loopback listener after opening the system browser
   * (desktop).
   */
  oauthRedirectBase: string | null;
  /**
   * Follows one run through the core's run follow: its recorded events after `after` (all when
   * null), then live ones, each `seq` once and in order, until `done`. `onError` gets a refusal
   * (an unknown run). Returns a function that stops following.
   */
  followRun: (
    executionId: string,
    after: number | null,
    onEvent: (event: ExecutionEvent) => void,
    onError?: (error: AppError) => void,
  ) => () => void;
  /** Opens the event stream; call once the session is authenticated. Idempotent. */
  start: () => void;
  /** Exchanges a bearer token for a session cookie (http only). Rejects with an AppError. */
  signIn?: (token: string) => Promise<void>;
  /** Ends the session and closes the event stream (http only). */
  signOut?: () => Promise<void>;
  /**
   * Uploads a GGUF file from the user's machine into the core's `llms/` as `fileName` (http
   * only: the desktop edition imports by path with `client.modelImportFile`). Rejects with an
   * AppError.
   */
  uploadModel?: (file: Blob, fileName: string, options?: UploadOptions) => Promise<InstalledModel>;
}
