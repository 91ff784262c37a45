import type { CatalogListing } from "@flow/bindings";
import { useId, useState } from "react";
import { asAppError, useHost } from "../host";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorText } from "../ui/error-text";
import { CliCheck } from "./CliCheck";
import { availableActions, installState } from "./node-hub-logic";
import { NodeDetail } from "./NodeDetail";

/** One catalog entry: what it is, its install state, and Install / Update / Uninstall. */
export function NodeCard({ listing, onChanged }: { listing: CatalogListing; onChanged: () => void }) {
  const { client } = useHost();
  const { entry } = listing;
  const nameId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const state = installState(listing);
  const actions = availableActions(listing);

  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    action().then(
      () => {
        setBusy(false);
        setConfirming(false);
        onChanged();
      },
      (cause: unknown) => {
        setBusy(false);
        setConfirming(false);
        setError(errorText(asAppError(cause)));
      },
    );
  };

  return (
    <li className="node-card card" aria-labelledby={nameId} data-slug={entry.slug}>
      <div className="node-card-header">
        <h3 id={nameId}>{entry.name}</h3>
        <span className={`install-badge ${state.kind}`}>{state.label}</span>
        {!listing.builtIn && <span className="count">Local</span>}
      </div>
      {entry.description !== "" && <p className="node-description">{entry.description}</p>}
      <p className="node-meta muted">
        v{listing.installed && listing.installedVersion != null ? listing.installedVersion : entry.version} · type{" "}
        <code>{entry.nodeType}</code>
      </p>
      <div className="node-actions">
        {(actions.install || actions.update) && (
          // Installing a newer built-in over the installed copy is the same call as installing.
          <button
            type="button"
            className="primary"
            aria-describedby={nameId}
            disabled={busy}
            onClick={() => {
              run(() => client.nodeInstall(entry.slug));
            }}
          >
            {actions.update ? "Update" : "Install"}
          </button>
        )}
        {actions.uninstall && (
          <button
            type="button"
            className="danger"
            aria-describedby={nameId}
            disabled={busy}
            onClick={() => {
              setConfirming(true);
              setError(null);
            }}
          >
            Uninstall
          </button>
        )}
        {busy && <span className="muted">Working…</span>}
      </div>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {entry.cliTool != null && <CliCheck slug={entry.slug} name={entry.name} tool={entry.cliTool} />}
      <NodeDetail entry={entry} />
      {confirming && (
        <ConfirmDialog
          title={`Uninstall “${entry.name}”?`}
          confirmLabel="Uninstall"
          danger
          busy={busy}
          onConfirm={() => {
            run(() => client.nodeUninstall(entry.slug));
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          <p>Flows that use it keep their nodes, shown as unsupported.</p>
        </ConfirmDialog>
      )}
    </li>
  );
}
