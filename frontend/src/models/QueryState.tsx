import type { LiveQuery } from "../host";
import { errorText } from "../ui/error-text";

/** A list's loading note or error (with a retry). */
export function QueryState({ query, what }: { query: LiveQuery<unknown>; what: string }) {
  if (query.error !== null) {
    return (
      <div className="models-query-error">
        <p className="error" role="alert">
          Could not load {what}: {errorText(query.error)}
        </p>
        <button type="button" onClick={query.reload}>
          Retry
        </button>
      </div>
    );
  }
  if (query.data === null) return <p className="muted">Loading {what}…</p>;
  return null;
}
