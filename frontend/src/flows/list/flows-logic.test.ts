import type { Collection } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  ALL_FLOWS,
  classifyImportFile,
  collectionName,
  exportFileName,
  flowPath,
  formatRelative,
  importSummary,
  listQuery,
  nameProblem,
  newFlowInput,
  renameErrorText,
  singleImported,
  sortCollections,
  targetCollection,
  totalFlowCount,
  touchesFlows,
} from "./flows-logic";

function collection(slug: string, name: string, flowCount = 0, isSystem = false): Collection {
  return { slug, name, flowCount, isSystem };
}

describe("collections", () => {
  const list = [collection("zeta", "Zeta", 2), collection("default", "Default", 3, true), collection("alpha", "alpha", 1)];

  it("puts Default first, then sorts by name case-insensitively", () => {
    expect(sortCollections(list).map((c) => c.slug)).toEqual(["default", "alpha", "zeta"]);
  });

  it("does not mutate its input", () => {
    sortCollections(list);
    expect(list[0]?.slug).toBe("zeta");
  });

  it("totals the flow counts", () => {
    expect(totalFlowCount(list)).toBe(6);
    expect(totalFlowCount([])).toBe(0);
  });

  it("names a collection, falling back to its slug", () => {
    expect(collectionName(list, "zeta")).toBe("Zeta");
    expect(collectionName(list, "gone")).toBe("gone");
    expect(collectionName(null, "zeta")).toBe("zeta");
  });
});

describe("queries and inputs", () => {
  it("builds the list query", () => {
    expect(listQuery(ALL_FLOWS, "  ")).toEqual({ collection: null, search: null });
    expect(listQuery("work", " deploy ")).toEqual({ collection: "work", search: "deploy" });
  });

  it("targets the selected collection or the server default", () => {
    expect(targetCollection(ALL_FLOWS)).toBeNull();
    expect(targetCollection("work")).toBe("work");
  });

  it("builds a new empty flow", () => {
    expect(newFlowInput("  My flow ", "work")).toEqual({
      slug: null,
      baseRevision: null,
      collection: "work",
      graph: { id: "", name: "My flow", version: "1.0.0", description: null, nodes: [], edges: [], subflows: [] },
    });
  });

  it("rejects blank names", () => {
    expect(nameProblem("   ")).toBe("Enter a name.");
    expect(nameProblem("ok")).toBeNull();
  });

  it("encodes the editor path", () => {
    expect(flowPath("a b")).toBe("/flows/a%20b");
    expect(flowPath("deploy")).toBe("/flows/deploy");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-03-10T12:00:00Z");
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it("formats recent times", () => {
    expect(formatRelative(ago(10_000), now)).toBe("just now");
    expect(formatRelative(ago(-5_000), now)).toBe("just now");
    expect(formatRelative(ago(60_000), now)).toBe("1 minute ago");
    expect(formatRelative(ago(5 * 60_000), now)).toBe("5 minutes ago");
    expect(formatRelative(ago(3 * 3_600_000), now)).toBe("3 hours ago");
    expect(formatRelative(ago(1 * 3_600_000), now)).toBe("1 hour ago");
  });

  it("formats days, then dates", () => {
    expect(formatRelative(ago(30 * 3_600_000), now)).toBe("yesterday");
    expect(formatRelative(ago(4 * 86_400_000), now)).toBe("4 days ago");
    expect(formatRelative("2025-12-01T08:00:00Z", now)).toBe("2025-12-01");
  });

  it("returns unparsable text unchanged", () => {
    expect(formatRelative("not a date", now)).toBe("not a date");
  });
});

describe("import and export files", () => {
  it("classifies import files by name", () => {
    expect(classifyImportFile("deploy.flow")).toBe("dsl");
    expect(classifyImportFile("Deploy.FLOW")).toBe("dsl");
    expect(classifyImportFile("deploy.flow.json")).toBe("json");
    expect(classifyImportFile("deploy.json")).toBe("json");
    expect(classifyImportFile("deploy.txt")).toBeNull();
    expect(classifyImportFile("flow")).toBeNull();
  });

  it("names exports", () => {
    expect(exportFileName("deploy", "dsl")).toBe("deploy.flow");
    expect(exportFileName("deploy", "json")).toBe("deploy.flow.json");
  });

  it("summarizes an import batch", () => {
    const ok = { fileName: "a.flow", ok: true as const, slug: "a", name: "A" };
    const bad = { fileName: "b.flow", ok: false as const, message: "2:3: expected node" };
    expect(importSummary([ok, bad])).toBe("1 imported, 1 failed");
    expect(importSummary([ok])).toBe("1 imported");
    expect(singleImported([ok])).toEqual({ slug: "a", name: "A" });
    expect(singleImported([bad])).toBeNull();
    expect(singleImported([ok, ok])).toBeNull();
  });
});

describe("events and errors", () => {
  it("refetches on flows-changed and resync only", () => {
    expect(touchesFlows({ type: "flows-changed", change: "saved", slug: "a", revision: 2 })).toBe(true);
    expect(touchesFlows({ type: "resync" })).toBe(true);
    expect(touchesFlows({ type: "nodes-changed", slug: "git", change: "installed" })).toBe(false);
  });

  it("explains rename conflicts", () => {
    expect(renameErrorText({ kind: "Conflict", error: "stale revision" }, "stale revision")).toContain("refreshed");
    expect(renameErrorText({ kind: "InvalidInput", error: "blank" }, "blank")).toBe("blank");
  });
});
