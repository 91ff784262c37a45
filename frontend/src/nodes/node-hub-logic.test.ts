import type { CatalogEntry, CatalogListing } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  availableActions,
  filterCatalog,
  formatValue,
  groupCatalog,
  installState,
  probeSummary,
  schemaFields,
  touchesNodes,
} from "./node-hub-logic";

function entry(slug: string, over: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    slug,
    name: slug,
    description: "",
    category: "Utilities",
    version: "1.0.0",
    nodeType: "utility",
    identity: {},
    schema: { type: "object", properties: {} },
    defaults: {},
    ...over,
  };
}

function listing(e: CatalogEntry, over: Partial<CatalogListing> = {}): CatalogListing {
  return { entry: e, installed: false, installedVersion: null, updateAvailable: false, builtIn: true, ...over };
}

describe("groupCatalog", () => {
  it("groups by category in palette order, then others by name, entries by name", () => {
    const groups = groupCatalog([
      listing(entry("zzz", { name: "Zed", category: "Custom" })),
      listing(entry("git", { name: "git", category: "CLI" })),
      listing(entry("bash", { name: "Bash", category: "Shell" })),
      listing(entry("gh", { name: "GH", category: "CLI" })),
      listing(entry("aaa", { name: "Alpha", category: "Another" })),
      listing(entry("blank", { category: " " })),
    ]);
    expect(groups.map((g) => g.category)).toEqual(["Shell", "CLI", "Another", "Custom", "Other"]);
    expect(groups[1]?.listings.map((l) => l.entry.slug)).toEqual(["gh", "git"]);
  });

  it("returns nothing for nothing", () => {
    expect(groupCatalog([])).toEqual([]);
  });
});

describe("filterCatalog", () => {
  const all = [
    listing(entry("git", { name: "Git", description: "Version control", category: "CLI", cliTool: { name: "git", version: "2.0.0" } })),
    listing(entry("llm", { name: "Prompt", description: "Ask a model", category: "AI", nodeType: "ai" })),
  ];

  it("matches every word, case-insensitively, across fields", () => {
    expect(filterCatalog(all, "").length).toBe(2);
    expect(filterCatalog(all, "VERSION").map((l) => l.entry.slug)).toEqual(["git"]);
    expect(filterCatalog(all, "ai model").map((l) => l.entry.slug)).toEqual(["llm"]);
    expect(filterCatalog(all, "ai git")).toEqual([]);
  });
});

describe("install state and actions", () => {
  it("labels states", () => {
    expect(installState(listing(entry("a")))).toEqual({ kind: "not-installed", label: "Not installed" });
    expect(installState(listing(entry("a"), { installed: true, installedVersion: "1.0.0" }))).toEqual({
      kind: "installed",
      label: "Installed",
    });
    expect(
      installState(listing(entry("a", { version: "1.2.0" }), { installed: true, installedVersion: "1.0.0", updateAvailable: true }))
        .label,
    ).toBe("Update available v1.2.0");
    expect(
      installState(listing(entry("a"), { installed: true, installedVersion: "1.0.0", updateAvailable: true })).label,
    ).toBe("Update available");
  });

  it("offers the right buttons", () => {
    expect(availableActions(listing(entry("a")))).toEqual({ install: true, update: false, uninstall: false });
    expect(availableActions(listing(entry("a"), { installed: true, updateAvailable: true }))).toEqual({
      install: false,
      update: true,
      uninstall: true,
    });
    expect(availableActions(listing(entry("a"), { installed: true, builtIn: false }))).toEqual({
      install: false,
      update: false,
      uninstall: true,
    });
  });
});

describe("schemaFields", () => {
  it("lists properties with titles, types, required flags and defaults", () => {
    const fields = schemaFields(
      {
        type: "object",
        required: ["command"],
        properties: {
          command: { type: "string", title: "Command", description: "What to run", format: "multiline" },
          timeout: { type: "integer", default: 30 },
          mode: { type: ["string", "null"], enum: ["a", "b"] },
        },
      },
      { command: "echo hi" },
    );
    expect(fields).toEqual([
      {
        key: "command",
        title: "Command",
        type: "string (multiline)",
        required: true,
        description: "What to run",
        defaultValue: "echo hi",
        enumValues: null,
      },
      { key: "timeout", title: "timeout", type: "integer", required: false, description: "", defaultValue: 30, enumValues: null },
      {
        key: "mode",
        title: "mode",
        type: "string | null",
        required: false,
        description: "",
        defaultValue: undefined,
        enumValues: ["a", "b"],
      },
    ]);
  });

  it("copes with schemas that are not objects", () => {
    expect(schemaFields(null)).toEqual([]);
    expect(schemaFields({ type: "object" })).toEqual([]);
    expect(schemaFields({ properties: { x: 3 } })[0]?.type).toBe("any");
  });

  it("formats values", () => {
    expect(formatValue(undefined)).toBe("—");
    expect(formatValue("")).toBe("(empty)");
    expect(formatValue("hi")).toBe("hi");
    expect(formatValue({ a: [1, true] })).toBe('{"a":[1,true]}');
  });
});

describe("probeSummary", () => {
  const base = { slug: "gh", tool: "gh", required: "2.0.0" };

  it("describes each outcome", () => {
    expect(probeSummary({ ...base, found: true, version: "2.40.1", meetsMinimum: true })).toEqual({
      ok: true,
      text: "gh 2.40.1 found (needs 2.0.0 or newer)",
    });
    expect(probeSummary({ ...base, found: true, version: "1.9.0", meetsMinimum: false }).text).toBe(
      "gh 1.9.0 found, but 2.0.0 or newer is needed",
    );
    expect(probeSummary({ ...base, found: false, meetsMinimum: false, error: "not on PATH" })).toEqual({
      ok: false,
      text: "gh not found: not on PATH",
    });
  });
});

describe("touchesNodes", () => {
  it("refetches on nodes-changed and resync", () => {
    expect(touchesNodes({ type: "nodes-changed", slug: "git", change: "installed" })).toBe(true);
    expect(touchesNodes({ type: "resync" })).toBe(true);
    expect(touchesNodes({ type: "flows-changed", change: "saved" })).toBe(false);
  });
});
