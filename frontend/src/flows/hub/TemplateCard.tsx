import type { TemplateHubListing } from "@flow/bindings";
import { useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { asAppError, useHost } from "../../host";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { errorText } from "../../ui/error-text";
import { flowPath } from "../list/flows-logic";
import { countsText, hubActions, isEditConflict, statusBadge, updateLabel } from "./hub-logic";

/** One Template Hub entry: what it does, its size and install state, and Install / Update / Open. */
export function TemplateCard({
  listing,
  collection,
  onChanged,
}: {
  listing: TemplateHubListing;
  /** Where Install puts the new flow (`null`: Default). */
  collection: string | null;
  onChanged: () => void;
}) {
  const { client } = useHost();
  const navigate = useNavigate();
  const { entry } = listing;
  const nameId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const badge = statusBadge(listing);
  const actions = hubActions(listing);
  const installedSlug = listing.installed?.slug ?? null;

  const install = () => {
    setBusy(true);
    setError(null);
    client.templateHubInstall(entry.id, collection).then(
      (done) => {
        setBusy(false);
        void navigate(flowPath(done.flow.slug));
      },
      (cause: unknown) => {
        setBusy(false);
        setError(errorText(asAppError(cause)));
        onChanged();
      },
    );
  };

  const update = (force: boolean) => {
    setBusy(true);
    setError(null);
    client.templateHubUpdate(entry.id, force).then(
      () => {
        setBusy(false);
        setConfirming(false);
        onChanged();
      },
      (cause: unknown) => {
        const appError = asAppError(cause);
        setBusy(false);
        // Edited since the list was loaded: the same question the badge would have asked.
        if (!force && isEditConflict(appError)) {
          setConfirming(true);
        } else {
          setConfirming(false);
          setError(errorText(appError));
        }
        onChanged();
      },
    );
  };

  return (
    <li className="node-card card template-card" aria-labelledby={nameId} data-template={entry.id}>
      <div className="node-card-header">
        <h3 id={nameId}>{entry.name}</h3>
        <span className={`install-badge ${badge.kind}`}>{badge.label}</span>
      </div>
      <p className="node-description">{entry.description}</p>
      <p className="node-meta muted">
        {countsText(entry.nodeCount, entry.edgeCount)} · v{entry.version} · {entry.category}
      </p>
      {entry.tags.length > 0 && (
        <ul className="template-tags" aria-label="Tags">
          {entry.tags.map((tag) => (
            <li key={tag}>{tag}</li>
          ))}
        </ul>
      )}
      <div className="node-actions">
        {actions.install && (
          <button type="button" className="primary" aria-describedby={nameId} disabled={busy} onClick={install}>
            Install
          </button>
        )}
        {actions.update && (
          <button
            type="button"
            className={actions.updateNeedsConfirm ? undefined : "primary"}
            aria-describedby={nameId}
            disabled={busy}
            onClick={() => {
              if (actions.updateNeedsConfirm) {
                setError(null);
                setConfirming(true);
              } else update(false);
            }}
          >
            {updateLabel(listing)}
          </button>
        )}
        {actions.open && installedSlug !== null && (
          <Link className="template-open" to={flowPath(installedSlug)} aria-describedby={nameId}>
            Open
          </Link>
        )}
        {busy && <span className="muted">Working…</span>}
      </div>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Overwrite your edits to “${entry.name}”?`}
          confirmLabel="Overwrite"
          danger
          busy={busy}
          onConfirm={() => {
            update(true);
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          <p>
            You changed this flow after installing it. Updating replaces it with the hub&apos;s version {entry.version}; your
            edited version stays in the flow&apos;s revision history.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}
