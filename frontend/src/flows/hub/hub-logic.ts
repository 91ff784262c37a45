import type { AppError, FlowEvent, TemplateHubListing, TemplateStatus } from "@flow/bindings";

/** The status badge of a hub entry: a CSS modifier (shared with the Node Hub's badges) and its text. */
export function statusBadge(listing: TemplateHubListing): { kind: "installed" | "update" | "edited" | "not-installed"; label: string } {
  const installed = listing.installed ?? null;
  switch (listing.status) {
    case "not-installed":
      return { kind: "not-installed", label: "Not installed" };
    case "installed":
      return { kind: "installed", label: installed === null ? "Installed" : `Installed v${installed.version}` };
    case "update-available":
      return { kind: "update", label: `Update available v${listing.entry.version}` };
    case "edited":
      return {
        kind: "edited",
        label: listing.updateAvailable ? `Edited locally · v${listing.entry.version} available` : "Edited locally",
      };
  }
}

/** Which buttons a hub card offers. */
export interface HubActions {
  /** Install it as a new flow. */
  install: boolean;
  /** Overwrite the installed flow with the hub's version. */
  update: boolean;
  /** The update overwrites the user's edit, so it asks first and then forces. */
  updateNeedsConfirm: boolean;
  /** Open the installed flow in the editor. */
  open: boolean;
}

/** The actions of a hub entry: Install when not installed; Open when installed; Update when newer or edited. */
export function hubActions(listing: TemplateHubListing): HubActions {
  const status: TemplateStatus = listing.status;
  return {
    install: status === "not-installed",
    update: status === "update-available" || status === "edited",
    updateNeedsConfirm: status === "edited",
    open: status !== "not-installed",
  };
}

/** The Update button's text: restoring the hub's copy over an edit of the same version reads as a reset. */
export function updateLabel(listing: TemplateHubListing): string {
  return listing.status === "edited" && !listing.updateAvailable ? "Reset to hub version" : "Update";
}

/** Entries whose name, id, description, category or tags contain every word of `text`. */
export function filterHub(listings: readonly TemplateHubListing[], text: string): TemplateHubListing[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return [...listings];
  return listings.filter(({ entry }) => {
    const haystack = [entry.name, entry.id, entry.description, entry.category, ...entry.tags].join("\n").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** "4 nodes · 3 edges", singular where it is one. */
export function countsText(nodeCount: number, edgeCount: number): string {
  const plural = (n: number, word: string) => `${String(n)} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(nodeCount, "node")} · ${plural(edgeCount, "edge")}`;
}

/** Hub state follows saved flows (an install, an edit, a delete), so any flows change refetches it. */
export function touchesHub(event: FlowEvent): boolean {
  return event.type === "flows-changed" || event.type === "resync";
}

/** A plain update refused because the flow was edited meanwhile: ask, then force. */
export function isEditConflict(error: AppError): boolean {
  return error.kind === "Conflict";
}
