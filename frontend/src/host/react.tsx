import type { FlowEvent } from "@flow/bindings";
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from "react";
import type { ConnectionState, Host } from "./types";

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

export function useAuthRequired(): boolean {
  const { authRequired } = useHost();
  return useSyncExternalStore(authRequired.subscribe, authRequired.get);
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
