import type { AppError, CatalogEntry } from "@flow/bindings";
import { useMemo, useState } from "react";
import { groupEntries } from "./graph-ops";
import { typeIcon } from "./node-display";

/** The drag payload type for a palette entry (its slug). */
export const PALETTE_MIME = "application/x-flow-node";

export interface PaletteProps {
  entries: readonly CatalogEntry[];
  error: AppError | null;
  onAdd: (entry: CatalogEntry) => void;
}

/** Installed node types by category: click to add, or drag onto the canvas. */
export function Palette({ entries, error, onAdd }: PaletteProps) {
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => groupEntries(entries, filter), [entries, filter]);
  return (
    <aside className="fe-palette" aria-label="Node palette">
      <input type="search" aria-label="Search nodes" placeholder="Search nodes" value={filter} onChange={(e) => { setFilter(e.target.value); }} />
      {error !== null && <p className="error">Nodes unavailable: {error.error}</p>}
      {error === null && groups.length === 0 && <p className="muted">{entries.length === 0 ? "No nodes installed." : "No match."}</p>}
      {groups.map((group) => (
        <section key={group.category} aria-label={group.category}>
          <h3>{group.category}</h3>
          <ul>
            {group.entries.map((entry) => (
              <li key={entry.slug}>
                <button
                  type="button"
                  className="fe-palette-item"
                  draggable
                  title={entry.description}
                  aria-label={entry.name}
                  onDragStart={(event) => {
                    event.dataTransfer.setData(PALETTE_MIME, entry.slug);
                    event.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => {
                    onAdd(entry);
                  }}
                >
                  <span className="fe-palette-icon" aria-hidden="true">
                    {typeIcon(entry.nodeType)}
                  </span>
                  <span>{entry.name}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
