import { isTauri } from "@tauri-apps/api/core";
import type { Host } from "./types";

export type { ConnectionState, Host, HostCapabilities, ModelImportCapability, OAuthCapability, SessionCapability } from "./types";
export type { ReadableStore } from "./store";
export type { UploadOptions, UploadProgress } from "./upload";
export { asAppError } from "./app-error";
export { readUrlToken, stripUrlToken } from "./url-token";
export { HostProvider, useHost, useConnectionState, useFlowEvents, useAuthRequired } from "./react";
export { useLiveQuery, type LiveQuery } from "./use-live-query";

/** Picks the transport for where the UI is running: Tauri's IPC in the desktop shell, HTTP in a browser. */
export async function createHost(): Promise<Host> {
  // Loaded lazily so each edition's bundle path only executes the transport it uses.
  if (isTauri()) {
    const { createIpcHost } = await import("./ipc");
    return createIpcHost();
  }
  const { createHttpHost } = await import("./http");
  return createHttpHost();
}
