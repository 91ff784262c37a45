import type { AppError, Connection, ConnectionTest } from "@flow/bindings";
import { useState } from "react";
import { asAppError, useHost } from "../host";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import { authLabel, deleteWarning, statusBadge } from "./connections-logic";

export interface ConnectionRowProps {
  connection: Connection;
  serviceName: string;
  onEdit: () => void;
  /** A person must finish connecting in the browser (desktop): say so until the change event arrives. */
  onWaitingForBrowser: (id: string) => void;
}

/** One connection with its actions: test, connect/reconnect/disconnect (OAuth), edit, delete. */
export function ConnectionRow({ connection, serviceName, onEdit, onWaitingForBrowser }: ConnectionRowProps) {
  const { client, capabilities } = useHost();
  const { oauth } = capabilities;
  const [busy, setBusy] = useState<string | null>(null);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [failure, setFailure] = useState<AppError | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const badge = statusBadge(connection.status);
  const isOauth = connection.auth === "oauth2";

  const act = <T,>(name: string, call: () => Promise<T>, then?: (value: T) => void) => {
    setBusy(name);
    setFailure(null);
    call().then(
      (value) => {
        setBusy(null);
        then?.(value);
      },
      (cause: unknown) => {
        setBusy(null);
        setFailure(asAppError(cause));
      },
    );
  };

  const connect = () => {
    act("connect", () => client.oauthStart(connection.id, oauth.kind === "redirect" ? oauth.redirectBase : null), (start) => {
      // A redirect comes back to this server's callback; with a loopback listener the core has
      // opened the system browser and completes the grant itself.
      if (oauth.kind === "redirect") window.location.assign(start.authorizeUrl);
      else onWaitingForBrowser(connection.id);
    });
  };

  const warning = deleteWarning(connection);
  return (
    <li className="card conn-row" aria-label={connection.name}>
      <div className="conn-row-main">
        <strong>{connection.name}</strong>
        <span className={`badge conn-status conn-status-${badge.tone}`}>{badge.text}</span>
        <span className="muted">
          {serviceName} · {authLabel(connection.auth)}
          {connection.config.baseUrl !== undefined && connection.config.baseUrl !== null && ` · ${connection.config.baseUrl}`}
        </span>
      </div>
      <div className="muted conn-row-meta">
        {connection.usedBy.length === 0 ? "Not used by a saved flow" : `Used by ${connection.usedBy.map((f) => f.name).join(", ")}`}
        {connection.lastUsedAt !== undefined && connection.lastUsedAt !== null && ` · last used ${new Date(connection.lastUsedAt).toLocaleString()}`}
        {connection.oauth?.expiresAt !== undefined && connection.oauth.expiresAt !== null && ` · token expires ${new Date(connection.oauth.expiresAt).toLocaleString()}`}
      </div>
      <div className="conn-actions">
        <button type="button" disabled={busy !== null} onClick={() => { act("test", () => client.connectionTest(connection.id), setTest); }}>
          {busy === "test" ? "Testing…" : "Test"}
        </button>
        {isOauth && (
          <button type="button" className={connection.status === "ready" ? undefined : "primary"} disabled={busy !== null} onClick={connect}>
            {connection.oauth === undefined || connection.oauth === null ? "Connect account" : "Reconnect"}
          </button>
        )}
        {isOauth && connection.oauth !== undefined && connection.oauth !== null && (
          <button type="button" disabled={busy !== null} onClick={() => { act("disconnect", () => client.connectionDisconnect(connection.id)); }}>
            Disconnect
          </button>
        )}
        <button type="button" disabled={busy !== null} onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="danger" disabled={busy !== null} onClick={() => { setConfirmDelete(true); }}>
          Delete
        </button>
      </div>
      {test !== null && (
        <p className={test.ok ? "conn-test ok" : "conn-test error"} role="status">
          {test.ok ? "Connection works" : "Connection failed"}: {test.message}
          {test.status !== undefined && test.status !== null && ` (HTTP ${test.status})`}
        </p>
      )}
      {failure !== null && (
        <p className="error" role="alert">
          {errorText(failure)}
        </p>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete “${connection.name}”?`}
          confirmLabel="Delete connection"
          danger
          busy={busy === "delete"}
          onCancel={() => { setConfirmDelete(false); }}
          onConfirm={() => {
            act("delete", () => client.connectionDelete(connection.id, warning === null ? null : true), () => { setConfirmDelete(false); });
          }}
        >
          <p>Its secret is removed from the credential store.</p>
          {warning !== null && <p className="warning">{warning}</p>}
        </ConfirmDialog>
      )}
    </li>
  );
}
