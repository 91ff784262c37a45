import type { InstalledTemplate, TemplateHubEntry, TemplateHubListing } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { countsText, filterHub, hubActions, isEditConflict, statusBadge, touchesHub, updateLabel } from "./hub-logic";

function entry(id: string, over: Partial<TemplateHubEntry> = {}): TemplateHubEntry {
  return {
    id,
    name: id,
    description: "",
    category: "AI",
    tags: [],
    version: "1.1.0",
    nodeCount: 2,
    edgeCount: 1,
    graph: { id, name: id, version: "1.1.0", nodes: [], edges: [], subflows: [] },
    ...over,
  };
}

const installed: InstalledTemplate = {
  slug: "my-flow",
  version: "1.0.0",
  installedAt: "2026-01-01T00:00:00Z",
  installedRevision: 1,
  currentRevision: 1,
  edited: false,
};

function listing(over: Partial<TemplateHubListing> = {}): TemplateHubListing {
  return { entry: entry("starter"), status: "not-installed", updateAvailable: false, installed: null, ...over };
}

describe("statusBadge", () => {
  it("names every state, with the versions that matter", () => {
    expect(statusBadge(listing())).toEqual({ kind: "not-installed", label: "Not installed" });
    expect(statusBadge(listing({ status: "installed", installed }))).toEqual({ kind: "installed", label: "Installed v1.0.0" });
    expect(statusBadge(listing({ status: "update-available", updateAvailable: true, installed }))).toEqual({
      kind: "update",
      label: "Update available v1.1.0",
    });
    expect(statusBadge(listing({ status: "edited", installed: { ...installed, edited: true } }))).toEqual({
      kind: "edited",
      label: "Edited locally",
    });
    expect(statusBadge(listing({ status: "edited", updateAvailable: true, installed })).label).toBe(
      "Edited locally · v1.1.0 available",
    );
  });
});

describe("hubActions", () => {
  it("installs what is not installed and opens what is", () => {
    expect(hubActions(listing())).toEqual({ install: true, update: false, updateNeedsConfirm: false, open: false });
    expect(hubActions(listing({ status: "installed", installed }))).toEqual({
      install: false,
      update: false,
      updateNeedsConfirm: false,
      open: true,
    });
  });

  it("updates a newer version directly and asks before overwriting an edit", () => {
    expect(hubActions(listing({ status: "update-available", updateAvailable: true, installed }))).toMatchObject({
      update: true,
      updateNeedsConfirm: false,
    });
    expect(hubActions(listing({ status: "edited", installed }))).toMatchObject({ update: true, updateNeedsConfirm: true, open: true });
  });

  it("calls an update over an edit of the same version a reset", () => {
    expect(updateLabel(listing({ status: "edited", installed }))).toBe("Reset to hub version");
    expect(updateLabel(listing({ status: "edited", updateAvailable: true, installed }))).toBe("Update");
    expect(updateLabel(listing({ status: "update-available", updateAvailable: true, installed }))).toBe("Update");
  });
});

describe("filterHub", () => {
  const list = [
    listing({ entry: entry("nightly-backup", { name: "Nightly backup", category: "Operations", tags: ["tar"] }) }),
    listing({ entry: entry("triage", { name: "Triage tasks", description: "Classify with the local model", tags: ["board"] }) }),
  ];
  it("matches every word across name, id, description, category and tags", () => {
    expect(filterHub(list, "").map((l) => l.entry.id)).toEqual(["nightly-backup", "triage"]);
    expect(filterHub(list, "TAR oper").map((l) => l.entry.id)).toEqual(["nightly-backup"]);
    expect(filterHub(list, "local board").map((l) => l.entry.id)).toEqual(["triage"]);
    expect(filterHub(list, "nothing")).toEqual([]);
  });
});

describe("small helpers", () => {
  it("counts with plurals", () => {
    expect(countsText(4, 3)).toBe("4 nodes · 3 edges");
    expect(countsText(1, 1)).toBe("1 node · 1 edge");
    expect(countsText(1, 0)).toBe("1 node · 0 edges");
  });

  it("refetches on flows changes and resync only", () => {
    expect(touchesHub({ type: "flows-changed", change: "hub-installed", slug: "x", revision: 1 })).toBe(true);
    expect(touchesHub({ type: "resync" })).toBe(true);
    expect(touchesHub({ type: "nodes-changed", slug: "x", change: "installed" })).toBe(false);
  });

  it("treats a conflict on update as an edit to confirm", () => {
    expect(isEditConflict({ kind: "Conflict", error: "edited" })).toBe(true);
    expect(isEditConflict({ kind: "NotFound", error: "gone" })).toBe(false);
  });
});
