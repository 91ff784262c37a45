import type { AppError, FlowDocument, RevisionDiff, RevisionInfo } from "@flow/bindings";
import { useEffect, useState } from "react";
import { asAppError, useHost } from "../../host";

export interface HistoryPanelProps {
  doc: FlowDocument;
  dirty: boolean;
  onRestored: (doc: FlowDocument) => void;
  onClose: () => void;
}

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

const DIFF_MARK = { insert: "+", delete: "-", equal: " " } as const;

/** Saved revisions of the flow; pick one to see its diff against the current one and restore it. */
export function HistoryPanel({ doc, dirty, onRestored, onClose }: HistoryPanelProps) {
  const { client } = useHost();
  const [revisions, setRevisions] = useState<RevisionInfo[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [diff, setDiff] = useState<{ revision: number; diff: RevisionDiff } | null>(null);
  const [diffError, setDiffError] = useState<AppError | null>(null);
  const [restoring, setRestoring] = useState(false);

  useEffect(() => {
    let cancelled = false;
    client.flowRevisions(doc.slug).then(
      (list) => {
        if (!cancelled) setRevisions([...list].sort((a, b) => b.revision - a.revision));
      },
      (cause: unknown) => {
        if (!cancelled) setError(asAppError(cause));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, doc.slug, doc.revision]);

  useEffect(() => {
    if (selected === null || selected === doc.revision) return;
    let cancelled = false;
    client.flowRevisionDiff(doc.slug, selected, doc.revision).then(
      (next) => {
        if (cancelled) return;
        setDiff({ revision: selected, diff: next });
        setDiffError(null);
      },
      (cause: unknown) => {
        if (!cancelled) setDiffError(asAppError(cause));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, doc.slug, doc.revision, selected]);

  const restore = (revision: number) => {
    if (dirty && !window.confirm("Restoring discards your unsaved changes. Continue?")) return;
    setRestoring(true);
    client.flowRevisionRestore(doc.slug, revision, doc.revision).then(
      (restored) => {
        setRestoring(false);
        setSelected(null);
        onRestored(restored);
      },
      (cause: unknown) => {
        setRestoring(false);
        setDiffError(asAppError(cause));
      },
    );
  };

  const shownDiff = diff !== null && diff.revision === selected ? diff.diff : null;
  return (
    <aside className="fe-history" aria-label="Revision history">
      <div className="fe-history-head">
        <h2>History</h2>
        <button type="button" className="quiet" onClick={onClose} aria-label="Close history">
          ✕
        </button>
      </div>
      {error !== null && <p className="error">Revisions unavailable: {error.error}</p>}
      {revisions === null && error === null && <p className="muted">Loading…</p>}
      <ul className="fe-revisions">
        {revisions?.map((r) => (
          <li key={r.revision}>
            <button type="button" aria-pressed={selected === r.revision} onClick={() => { setSelected(r.revision); }}>
              <strong>Revision {r.revision}</strong>
              {r.revision === doc.revision && <span className="badge">current</span>}
              <span className="muted">
                {when(r.savedAt)} · {r.name} · {r.nodeCount} nodes, {r.edgeCount} edges
              </span>
            </button>
          </li>
        ))}
      </ul>
      {selected !== null && selected !== doc.revision && (
        <section className="fe-diff" aria-label={`Changes from revision ${selected} to ${doc.revision}`}>
          <div className="fe-history-head">
            <h3>
              Revision {selected} → {doc.revision}
            </h3>
            <button type="button" className="primary" disabled={restoring} onClick={() => { restore(selected); }}>
              Restore
            </button>
          </div>
          {diffError !== null && <p className="error">{diffError.error}</p>}
          {shownDiff === null && diffError === null && <p className="muted">Loading diff…</p>}
          {shownDiff !== null && (
            <pre className="fe-diff-lines">
              {shownDiff.lines.map((line, i) => (
                <div key={i} data-op={line.op}>
                  {DIFF_MARK[line.op]} {line.text}
                </div>
              ))}
            </pre>
          )}
        </section>
      )}
    </aside>
  );
}
