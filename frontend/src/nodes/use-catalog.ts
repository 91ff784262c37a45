import type { AppError, CatalogListing } from "@flow/bindings";
import { useLiveQuery } from "../host";
import { touchesNodes } from "./node-hub-logic";

/** The node catalog, refetched on `nodes-changed` and `resync`. */
export function useCatalog(): { catalog: CatalogListing[] | null; error: AppError | null; reload: () => void } {
  const { data, error, reload } = useLiveQuery((client) => client.nodesCatalog(), touchesNodes);
  return { catalog: data, error, reload };
}
