import { Link } from "react-router";
import { connectionsFor, statusBadge } from "./connections-logic";
import { useConnections } from "./use-connections";

export interface ConnectionPickerProps {
  id: string;
  required: boolean;
  "aria-invalid": boolean;
  "aria-describedby": string;
  onBlur: () => void;
  /** Offer only connections for this service (all when null). */
  service: string | null;
  value: string;
  onChange: (id: string) => void;
}

/** Picks a saved connection for a node by id; the secret stays in the credential store. */
export function ConnectionPicker({ service, value, onChange, ...common }: ConnectionPickerProps) {
  const { connections } = useConnections();
  const offered = connectionsFor(connections ?? [], service);
  const known = value === "" || offered.some((c) => c.id === value);
  return (
    <span className="conn-picker">
      <select {...common} value={value} onChange={(e) => { onChange(e.target.value); }}>
        <option value="">{connections === null ? "Loading connections…" : "(no connection)"}</option>
        {!known && <option value={value}>{value} (missing)</option>}
        {offered.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
            {c.status === "ready" ? "" : ` — ${statusBadge(c.status).text}`}
          </option>
        ))}
      </select>
      <Link to="/settings/connections" className="muted">
        Manage connections
      </Link>
    </span>
  );
}
