import { useState } from "react";
import { useSearchParams } from "react-router";
import { errorText } from "../../ui/error-text";
import { useDebouncedValue } from "../../ui/use-debounced-value";
import { CollectionsSidebar } from "./CollectionsSidebar";
import { FlowTable } from "./FlowTable";
import { ALL_FLOWS, collectionName, targetCollection } from "./flows-logic";
import { StarterOffer } from "../hub/StarterOffer";
import { TemplateHub } from "../hub/TemplateHub";
import { ImportFlows } from "./ImportFlows";
import { NewFlowButton } from "./NewFlowButton";
import { useFlowsData } from "./use-flows-data";

const SEARCH_DEBOUNCE_MS = 200;

type FlowsView = "flows" | "hub";

/** Saved flows and their collections (browse, search, create, import, manage), and the Template Hub tab (`?view=hub`). */
export function FlowsPage() {
  const [params, setParams] = useSearchParams();
  const view: FlowsView = params.get("view") === "hub" ? "hub" : "flows";
  const selected = params.get("collection") ?? ALL_FLOWS;
  const [search, setSearch] = useState("");
  const settledSearch = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);
  const data = useFlowsData(selected, settledSearch);
  const target = targetCollection(selected);

  const select = (slug: string) => {
    const next = new URLSearchParams(params);
    if (slug === ALL_FLOWS) next.delete("collection");
    else next.set("collection", slug);
    setParams(next);
  };

  const choose = (next: FlowsView) => {
    const updated = new URLSearchParams(params);
    if (next === "hub") updated.set("view", "hub");
    else updated.delete("view");
    setParams(updated, { replace: true });
  };

  const heading = selected === ALL_FLOWS ? "All flows" : collectionName(data.collections, selected);

  return (
    <div className="page flows-page">
      <div className="page-header">
        <h1>Flows</h1>
        <div className="fe-segmented flows-tabs" role="tablist" aria-label="Flows view">
          <button
            type="button"
            role="tab"
            aria-selected={view === "flows"}
            className={view === "flows" ? "active" : undefined}
            onClick={() => {
              choose("flows");
            }}
          >
            My flows
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={view === "hub"}
            className={view === "hub" ? "active" : undefined}
            onClick={() => {
              choose("hub");
            }}
          >
            Hub
          </button>
        </div>
        <span className="header-spacer" />
        <NewFlowButton collection={target} />
        <ImportFlows collection={target} onImported={data.reload} />
      </div>
      {view === "hub" ? (
        <div role="tabpanel" aria-label="Hub">
          <TemplateHub collections={data.collections} initialCollection={target} />
        </div>
      ) : (
        <div className="flows-layout" role="tabpanel" aria-label="My flows">
          <div className="flows-sidebar">
            {data.collectionsError !== null && (
              <div className="error card" role="alert">
                <p>Could not load collections: {errorText(data.collectionsError)}</p>
                <button type="button" onClick={data.reload}>
                  Try again
                </button>
              </div>
            )}
            {data.collections === null && data.collectionsError === null && <p className="muted">Loading collections…</p>}
            {data.collections !== null && (
              <CollectionsSidebar
                collections={data.collections}
                selected={selected}
                onSelect={select}
                onChanged={data.reload}
              />
            )}
          </div>
          <section className="flows-main" aria-label={heading}>
            <div className="flows-toolbar">
              <h2>{heading}</h2>
              <input
                type="search"
                aria-label="Search flows"
                placeholder="Search name, slug, description"
                value={search}
                onChange={(event) => {
                  setSearch(event.target.value);
                }}
              />
            </div>
            {data.flowsError !== null && (
              <div className="error card" role="alert">
                <p>Could not load flows: {errorText(data.flowsError)}</p>
                <button type="button" onClick={data.reload}>
                  Try again
                </button>
              </div>
            )}
            {data.flows === null && data.flowsError === null && <p className="muted">Loading flows…</p>}
            {data.flows !== null && data.flows.length === 0 && (
              <EmptyFlows searching={settledSearch.trim() !== ""} inCollection={selected !== ALL_FLOWS} collection={target} />
            )}
            {data.flows !== null && data.flows.length > 0 && (
              <FlowTable
                flows={data.flows}
                collections={data.collections}
                stale={data.flowsStale}
                onChanged={data.reload}
              />
            )}
          </section>
        </div>
      )}
    </div>
  );
}

function EmptyFlows({
  searching,
  inCollection,
  collection,
}: {
  searching: boolean;
  inCollection: boolean;
  /** Where a starter installed from here goes (`null`: Default). */
  collection: string | null;
}) {
  if (searching) return <p className="muted flows-empty">No flow matches your search.</p>;
  return (
    <div className="card flows-empty">
      <p>
        <strong>{inCollection ? "This collection has no flows yet." : "No flows yet."}</strong>
      </p>
      <p className="muted">
        Create one with <em>New flow</em>, install a starter below (or from the <em>Hub</em> tab), or bring existing{" "}
        <code>.flow</code> and <code>.flow.json</code> files in with <em>Import flows</em>.
      </p>
      <StarterOffer collection={collection} />
    </div>
  );
}
