import { TemplateList } from "./TemplateList";
import { useTemplateHub } from "./use-template-hub";

/** The Flows page's empty state: the hub's starters, each one click from the editor. */
export function StarterOffer({ collection }: { collection: string | null }) {
  const { listings, error, reload } = useTemplateHub();
  // Without the hub the empty state still says how to begin; the Hub tab shows the error.
  if (error !== null || listings === null || listings.length === 0) return null;
  return (
    <div className="starter-offer">
      <h3>Start from a template</h3>
      <TemplateList listings={listings} collection={collection} label="Starter templates" onChanged={reload} />
    </div>
  );
}
