import type { AppInfo, Connection } from "@flow/bindings";
import { useMemo, useState } from "react";
import { useLocation } from "react-router";
import { useFlowEvents, useLiveQuery } from "../host";
import { useCatalog } from "../nodes/use-catalog";
import { errorText } from "../ui/error-text";
import { ConnectionForm } from "./ConnectionForm";
import { ConnectionRow } from "./ConnectionRow";
import { callbackNotice, serviceOptions, type CallbackNotice } from "./connections-logic";
import { useConnections } from "./use-connections";

function storeText(info: AppInfo): string {
  const store = info.secretStore;
  if (store.kind === "keyring") return `Secrets are kept in the OS credential store (${store.backend}).`;
  const key = store.keySource === "env" ? "its key is derived from FLOW_SECRET_KEY" : "its key file sits in the data directory: set FLOW_SECRET_KEY for real protection";
  return `Secrets are kept in the encrypted file store (${key}).`;
}

/** Settings → Connections: accounts and keys for service nodes and cloud AI, metadata only. */
export function ConnectionsPanel() {
  const { connections, error, reload } = useConnections(true);
  const { catalog } = useCatalog();
  const info = useLiveQuery((client) => client.appInfo(), () => false);
  const location = useLocation();
  const [editing, setEditing] = useState<Connection | "new" | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  const urlNotice = useMemo(() => callbackNotice(location.search), [location.search]);
  const [eventNotice, setEventNotice] = useState<CallbackNotice>(null);
  const notice = eventNotice ?? urlNotice;
  const services = useMemo(() => serviceOptions((catalog ?? []).filter((l) => l.installed).map((l) => l.entry)), [catalog]);

  useFlowEvents((event) => {
    if (event.type === "connections-changed" && event.id === waiting && event.change === "connected") {
      setWaiting(null);
      setEventNotice({ kind: "connected", id: event.id });
    }
  });

  const nameOf = (id: string) => connections?.find((c) => c.id === id)?.name ?? id;
  return (
    <section className="connections" aria-labelledby="connections-heading">
      <div className="page-header">
        <h2 id="connections-heading">Connections</h2>
        <button type="button" className="primary" onClick={() => { setEditing("new"); }} disabled={editing !== null}>
          Add connection
        </button>
      </div>
      <p className="muted">
        Service nodes and cloud AI use these. {info.data !== null && storeText(info.data)} A secret is never sent back to this page, written to a flow, a log or run history.
      </p>
      {notice?.kind === "connected" && (
        <p className="conn-notice ok" role="status">
          Connected “{nameOf(notice.id)}”.
        </p>
      )}
      {notice?.kind === "error" && (
        <p className="conn-notice error" role="alert">
          Connecting failed: {notice.message}
        </p>
      )}
      {waiting !== null && <p className="muted" role="status">Finish connecting “{nameOf(waiting)}” in your browser…</p>}
      {editing !== null && (
        <ConnectionForm
          services={services}
          editing={editing === "new" ? null : editing}
          onCancel={() => { setEditing(null); }}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {error !== null && (
        <div className="error card" role="alert">
          <p>Could not load connections: {errorText(error)}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {connections === null && error === null && <p className="muted">Loading connections…</p>}
      {connections !== null && connections.length === 0 && editing === null && <p className="muted">No connections yet. Add one to call an API from a flow.</p>}
      {connections !== null && connections.length > 0 && (
        <ul className="conn-list">
          {connections.map((connection) => (
            <ConnectionRow
              key={connection.id}
              connection={connection}
              serviceName={services.find((s) => s.id === connection.service)?.name ?? connection.service}
              onEdit={() => { setEditing(connection); }}
              onWaitingForBrowser={setWaiting}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
