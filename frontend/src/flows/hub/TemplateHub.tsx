import type { Collection } from "@flow/bindings";
import { useMemo, useState } from "react";
import { errorText } from "../../ui/error-text";
import { filterHub } from "./hub-logic";
import { TemplateList } from "./TemplateList";
import { useTemplateHub } from "./use-template-hub";

const DEFAULT_COLLECTION = "default";

/** The Hub tab of the Flows page: every starter with its state, to install into a collection or update. */
export function TemplateHub({ collections, initialCollection }: { collections: Collection[] | null; initialCollection: string | null }) {
  const { listings, error, reload } = useTemplateHub();
  const [filter, setFilter] = useState("");
  const [collection, setCollection] = useState(initialCollection ?? DEFAULT_COLLECTION);
  const shown = useMemo(() => (listings === null ? null : filterHub(listings, filter)), [listings, filter]);
  const installedCount = listings?.filter((listing) => listing.status !== "not-installed").length ?? 0;

  return (
    <section className="template-hub" aria-label="Template Hub">
      <div className="flows-toolbar">
        <h2>
          Template Hub{" "}
          {listings !== null && (
            <span className="muted">
              ({installedCount} of {listings.length} installed)
            </span>
          )}
        </h2>
        <label className="template-target">
          Install into
          <select
            value={collection}
            onChange={(event) => {
              setCollection(event.target.value);
            }}
          >
            {(collections ?? [{ slug: DEFAULT_COLLECTION, name: "Default", isSystem: true, flowCount: 0 }]).map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          aria-label="Filter templates"
          placeholder="Filter by name, category, tag"
          value={filter}
          onChange={(event) => {
            setFilter(event.target.value);
          }}
        />
      </div>
      {error !== null && (
        <div className="error card" role="alert">
          <p>Could not load the Template Hub: {errorText(error)}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {listings === null && error === null && <p className="muted">Loading templates…</p>}
      {listings !== null && listings.length === 0 && <p className="muted">The Template Hub catalog is empty.</p>}
      {shown !== null && listings !== null && listings.length > 0 && shown.length === 0 && (
        <p className="muted">No template matches “{filter}”.</p>
      )}
      {shown !== null && shown.length > 0 && (
        <TemplateList listings={shown} collection={collection} label="Templates" onChanged={reload} />
      )}
    </section>
  );
}
