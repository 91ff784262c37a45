import type { TemplateHubListing } from "@flow/bindings";
import { TemplateCard } from "./TemplateCard";

/** A grid of hub cards. */
export function TemplateList({
  listings,
  collection,
  label,
  onChanged,
}: {
  listings: readonly TemplateHubListing[];
  collection: string | null;
  label: string;
  onChanged: () => void;
}) {
  return (
    <ul className="node-list template-list" aria-label={label}>
      {listings.map((listing) => (
        <TemplateCard key={listing.entry.id} listing={listing} collection={collection} onChanged={onChanged} />
      ))}
    </ul>
  );
}
