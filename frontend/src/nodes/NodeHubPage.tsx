import { useMemo, useState } from "react";
import { errorText } from "../ui/error-text";
import { filterCatalog, groupCatalog } from "./node-hub-logic";
import { NodeCard } from "./NodeCard";
import { useCatalog } from "./use-catalog";

/** The Node Hub: every catalog entry by category, to install, update, uninstall and inspect. */
export function NodeHubPage() {
  const { catalog, error, reload } = useCatalog();
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => (catalog === null ? null : groupCatalog(filterCatalog(catalog, filter))), [catalog, filter]);
  const installedCount = catalog?.filter((listing) => listing.installed).length ?? 0;

  return (
    <div className="page node-hub">
      <div className="page-header">
        <h1>Node Hub</h1>
        {catalog !== null && (
          <p className="muted">
            {installedCount} of {catalog.length} installed
          </p>
        )}
      </div>
      <input
        className="node-filter"
        type="search"
        aria-label="Filter nodes"
        placeholder="Filter by name, category, type"
        value={filter}
        onChange={(event) => {
          setFilter(event.target.value);
        }}
      />
      {error !== null && (
        <div className="error card" role="alert">
          <p>Could not load the node catalog: {errorText(error)}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {catalog === null && error === null && <p className="muted">Loading nodes…</p>}
      {catalog !== null && catalog.length === 0 && <p className="muted">The catalog is empty.</p>}
      {groups !== null && catalog !== null && catalog.length > 0 && groups.length === 0 && (
        <p className="muted">No node matches “{filter}”.</p>
      )}
      {groups?.map((group) => (
        <section key={group.category} className="node-group" aria-label={group.category}>
          <h2>
            {group.category} <span className="muted">({group.listings.length})</span>
          </h2>
          <ul className="node-list">
            {group.listings.map((listing) => (
              <NodeCard key={listing.entry.slug} listing={listing} onChanged={reload} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
