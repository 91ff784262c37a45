import type { FlowEvent } from "@flow/bindings";
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from "react";
import { createStore, type ReadableStore } from "./store";
import type { ConnectionState, Host } from "./types";

/** Where there is no session, none is ever required. */
const NO_SESSION_REQUIRED: ReadableStore<boolean> = createStore(false);

const HostContext = createContext<Host | null>(null);

export function HostProvider({ host, children }: { host: Host; children: ReactNode }) {
  return <HostContext.Provider value={host}>{children}</HostContext.Provider>;
}

export function useHost(): Host {
  const host = useContext(HostContext);
  if (host === null) throw new Error("useHost must be used inside <HostProvider>");
  return host;
}

export function useConnectionState(): ConnectionState {
  const { connection } = useHost();
  return useSyncExternalStore(connection.subscribe, connection.get);
}

/** Whether the host's session was lost and the sign-in screen must show; always false without a session. */
export function useAuthRequired(): boolean {
  const required = useHost().capabilities.session?.required ?? NO_SESSION_REQUIRED;
  return useSyncExternalStore(required.subscribe, required.get);
}

/** Calls `onEvent` for every FlowEvent while mounted; the latest callback is always used. */
export function useFlowEvents(onEvent: (event: FlowEvent) => void): void {
  const host = useHost();
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(
    () =>
      host.subscribe((event) => {
        latest.current(event);
      }),
    [host],
  );
}
