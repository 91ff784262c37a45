import type { AppError, Connection } from "@flow/bindings";
import { useId, useMemo, useState, type SubmitEvent } from "react";
import { asAppError, useHost } from "../host";
import { errorText } from "../ui/error-text";
import { authLabel, draftErrors, draftFor, secretLabel, toInput, type ConnectionDraft, type ServiceOption } from "./connections-logic";

export interface ConnectionFormProps {
  services: readonly ServiceOption[];
  /** The connection to edit; null adds one. */
  editing: Connection | null;
  onSaved: (connection: Connection) => void;
  onCancel: () => void;
}

/** Adds or edits a connection; the form follows the chosen auth kind, and the secret is write-only. */
export function ConnectionForm({ services, editing, onSaved, onCancel }: ConnectionFormProps) {
  const { client, capabilities } = useHost();
  const { oauth } = capabilities;
  const formId = useId();
  const initialService = services.find((s) => s.id === editing?.service) ?? services[0];
  const [draft, setDraft] = useState<ConnectionDraft | null>(initialService === undefined ? null : draftFor(initialService, editing));
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<AppError | null>(null);
  const service = useMemo(() => services.find((s) => s.id === draft?.service) ?? null, [services, draft?.service]);
  if (draft === null) return <p className="muted">No service can take a connection: install a service node in the Node Hub first.</p>;
  const errors = draftErrors(draft, service);
  const shown = touched ? errors : {};
  const set = (change: Partial<ConnectionDraft>) => {
    setDraft({ ...draft, ...change });
  };
  const secret = secretLabel(draft.auth);
  const authKinds = service?.authKinds ?? [draft.auth];

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    setFailure(null);
    client.connectionSave(toInput(draft)).then(
      (saved) => {
        setSaving(false);
        onSaved(saved);
      },
      (cause: unknown) => {
        setSaving(false);
        setFailure(asAppError(cause));
      },
    );
  };

  const field = (key: keyof typeof errors, label: string, input: React.ReactNode, help?: string) => (
    <div className="conn-field" data-invalid={shown[key] !== undefined ? "true" : undefined}>
      <label htmlFor={`${formId}-${key}`}>{label}</label>
      {input}
      {help !== undefined && <span className="muted">{help}</span>}
      {shown[key] !== undefined && <span className="error">{shown[key]}</span>}
    </div>
  );
  const text = (key: "name" | "baseUrl" | "username" | "keyName" | "clientId" | "authorizeUrl" | "tokenUrl", placeholder?: string) => (
    <input
      id={`${formId}-${key}`}
      value={draft[key]}
      placeholder={placeholder}
      aria-invalid={shown[key] !== undefined}
      onChange={(e) => {
        set({ [key]: e.target.value });
      }}
    />
  );

  return (
    <form className="card conn-form" onSubmit={submit} aria-label={editing === null ? "New connection" : `Edit ${editing.name}`} noValidate>
      <h3>{editing === null ? "New connection" : `Edit “${editing.name}”`}</h3>
      <div className="conn-field">
        <label htmlFor={`${formId}-service`}>Service</label>
        <select
          id={`${formId}-service`}
          value={draft.service}
          disabled={editing !== null}
          onChange={(e) => {
            const next = services.find((s) => s.id === e.target.value);
            if (next !== undefined) setDraft(draftFor(next));
          }}
        >
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {service?.helpUrl !== null && service?.helpUrl !== undefined && (
          <a className="muted" href={service.helpUrl} target="_blank" rel="noreferrer">
            Where to get credentials for {service.name}
          </a>
        )}
      </div>
      {field("name", "Name", text("name"))}
      <div className="conn-field">
        <label htmlFor={`${formId}-auth`}>Authentication</label>
        <select
          id={`${formId}-auth`}
          value={draft.auth}
          onChange={(e) => {
            const auth = authKinds.find((k) => k === e.target.value);
            if (auth !== undefined) set({ auth });
          }}
        >
          {authKinds.map((kind) => (
            <option key={kind} value={kind}>
              {authLabel(kind)}
            </option>
          ))}
        </select>
      </div>
      {field("baseUrl", "Base URL", text("baseUrl", service?.defaultBaseUrl ?? "https://api.example.com"), service?.defaultBaseUrl !== null && service?.defaultBaseUrl !== undefined ? "Leave empty for the service's own URL." : undefined)}
      {draft.auth === "basic" && field("username", "Username", text("username"))}
      {draft.auth === "apiKey" && (
        <>
          {field("keyName", "Key name", text("keyName", "X-API-Key"))}
          <div className="conn-field">
            <label htmlFor={`${formId}-keyIn`}>Send the key in</label>
            <select
              id={`${formId}-keyIn`}
              value={draft.keyIn}
              onChange={(e) => {
                set({ keyIn: e.target.value === "query" ? "query" : "header" });
              }}
            >
              <option value="header">a request header</option>
              <option value="query">a query parameter</option>
            </select>
          </div>
        </>
      )}
      {draft.auth === "oauth2" && (
        <>
          <p className="muted conn-callback">
            Register this callback URL with the provider:{" "}
            <code>{oauth.kind === "redirect" ? `${oauth.redirectBase}/oauth/callback` : "http://127.0.0.1/oauth/callback (any port)"}</code>
          </p>
          {field("clientId", "Client id", text("clientId"))}
          {field("authorizeUrl", "Authorization URL", text("authorizeUrl", service?.oauth?.authorizeUrl ?? ""))}
          {field("tokenUrl", "Token URL", text("tokenUrl", service?.oauth?.tokenUrl ?? ""))}
          <div className="conn-field">
            <label htmlFor={`${formId}-scopes`}>Scopes</label>
            <input
              id={`${formId}-scopes`}
              value={draft.scopes}
              placeholder={(service?.oauth?.scopes ?? []).join(" ")}
              onChange={(e) => {
                set({ scopes: e.target.value });
              }}
            />
          </div>
        </>
      )}
      {secret !== null &&
        field(
          "secret",
          secret,
          <input
            id={`${formId}-secret`}
            type="password"
            autoComplete="new-password"
            value={draft.secret}
            disabled={draft.clearSecret}
            placeholder={draft.hasSecret ? "Stored — leave blank to keep it" : ""}
            aria-invalid={shown.secret !== undefined}
            onChange={(e) => {
              set({ secret: e.target.value });
            }}
          />,
          "Write-only: it goes to the credential store and is never shown again.",
        )}
      {secret !== null && draft.hasSecret && (
        <label className="conn-check">
          <input
            type="checkbox"
            checked={draft.clearSecret}
            onChange={(e) => {
              set({ clearSecret: e.target.checked, secret: "" });
            }}
          />
          Remove the stored {secret.toLowerCase()}
        </label>
      )}
      {failure !== null && (
        <p className="error" role="alert">
          {errorText(failure)}
        </p>
      )}
      <div className="conn-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? "Saving…" : "Save connection"}
        </button>
        <button type="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
