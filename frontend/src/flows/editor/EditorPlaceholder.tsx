import type { AppError } from "@flow/bindings";

/** What the editor shows until the flow and the node catalog are loaded: progress, or why it cannot open. */
export function EditorPlaceholder({ slug, loadError, onRetry }: { slug: string; loadError: AppError | null; onRetry: () => void }) {
  if (loadError !== null) {
    return (
      <main className="page flow-editor-page">
        <div className="card" role="alert">
          <h1>Cannot open “{slug}”</h1>
          <p>{loadError.error}</p>
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="page flow-editor-page" aria-busy="true">
      <p className="muted">Loading flow…</p>
    </main>
  );
}
