import type { AppError, TemplateHubListing } from "@flow/bindings";
import { useLiveQuery } from "../../host";
import { touchesHub } from "./hub-logic";

/** The Template Hub's entries with their install state, refetched on `flows-changed` and `resync`. */
export function useTemplateHub(): { listings: TemplateHubListing[] | null; error: AppError | null; reload: () => void } {
  const { data, error, reload } = useLiveQuery((client) => client.templateHubList(), touchesHub);
  return { listings: data, error, reload };
}
