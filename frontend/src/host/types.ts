import type { AppError, Client, ExecutionEvent, FlowEvent, InstalledModel } from "@flow/bindings";
import type { ReadableStore } from "./store";
import type { UploadOptions } from "./upload";

export type ConnectionState = "connecting" | "open" | "reconnecting";

/** The UI's one way to the core: commands, pushed events and what this host can do besides. */
export interface Host {
  client: Client;
  /** Every FlowEvent pushed by the core, `resync` included (refetch state when it arrives). */
  subscribe: (listener: (event: FlowEvent) => void) => () => void;
  connection: ReadableStore<ConnectionState>;
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
  /** What differs between hosts. The UI asks for a capability here, never which host it runs in. */
  capabilities: HostCapabilities;
}

/** The abilities one host has and another lacks, each in the shape that host offers it. */
export interface HostCapabilities {
  /** A session that can be lost and must be signed into (a browser); null where the UI is the user's own process (desktop). */
  session: SessionCapability | null;
  /** How a GGUF file the user has is added to the core's models. */
  modelImport: ModelImportCapability;
  /** How an OAuth provider's redirect gets back to the core. */
  oauth: OAuthCapability;
}

/** Sign-in state of a host whose calls are authorised by a session (the HTTP host's cookie). */
export interface SessionCapability {
  /**
   * Becomes true when the core refuses a call as Unauthorized (cookie expired, signed out in
   * another tab, server restarted with a new token): the UI shows the sign-in screen.
   */
  required: ReadableStore<boolean>;
  /** Exchanges a bearer token for a session. Rejects with an AppError. */
  signIn: (token: string) => Promise<void>;
  /** Ends the session and closes the event stream. */
  signOut: () => Promise<void>;
}

/** How a model file is imported: the file's bytes sent from the user's machine, or a path the core reads. */
export type ModelImportCapability =
  | {
      kind: "upload";
      /** Uploads `file` into the core's `llms/` as `fileName`, with progress. Rejects with an AppError. */
      upload: (file: Blob, fileName: string, options?: UploadOptions) => Promise<InstalledModel>;
    }
  | {
      kind: "path";
      /** Has the core copy the file at `path` (on the core's machine, which is the user's). Rejects with an AppError. */
      importFile: (path: string) => Promise<InstalledModel>;
    };

/** Where an OAuth provider sends the browser back after the person consents. */
export type OAuthCapability =
  /**
   * To this origin's `/oauth/callback`: the UI navigates the page to the provider, and the
   * server's callback completes the grant.
   */
  | { kind: "redirect"; redirectBase: string }
  /**
   * To a loopback listener the core opens: the core opens the system browser and completes the
   * grant itself; the UI waits for the connection to change.
   */
  | { kind: "loopback" };
