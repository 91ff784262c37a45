import { useConnectionState, type ConnectionState } from "../host";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
};

export function ConnectionIndicator() {
  const state = useConnectionState();
  return (
    <span className="connection" data-state={state} role="status" title="Live updates from the core">
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
