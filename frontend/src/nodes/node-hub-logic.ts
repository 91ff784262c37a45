import type { CatalogListing, CliProbe, FlowEvent, JsonValue } from "@flow/bindings";

/** Palette groups in the order the hub shows them; any other category follows, by name. */
const CATEGORY_ORDER = ["Shell", "Filesystem", "CLI", "Utilities", "AI", "Services"];

export interface CatalogGroup {
  category: string;
  listings: CatalogListing[];
}

function categoryRank(category: string): number {
  const index = CATEGORY_ORDER.indexOf(category);
  return index === -1 ? CATEGORY_ORDER.length : index;
}

function byName(a: CatalogListing, b: CatalogListing): number {
  const order = a.entry.name.localeCompare(b.entry.name, undefined, { sensitivity: "base" });
  return order !== 0 ? order : a.entry.slug.localeCompare(b.entry.slug);
}

/** Entries grouped by category (known categories first, then by name), each sorted by name. */
export function groupCatalog(listings: readonly CatalogListing[]): CatalogGroup[] {
  const groups = new Map<string, CatalogListing[]>();
  for (const listing of listings) {
    const category = listing.entry.category.trim() === "" ? "Other" : listing.entry.category;
    const group = groups.get(category);
    if (group === undefined) groups.set(category, [listing]);
    else group.push(listing);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => categoryRank(a) - categoryRank(b) || a.localeCompare(b))
    .map(([category, group]) => ({ category, listings: group.sort(byName) }));
}

/** Entries whose name, slug, description, category or node type contains every word of `text`. */
export function filterCatalog(listings: readonly CatalogListing[], text: string): CatalogListing[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return [...listings];
  return listings.filter(({ entry }) => {
    const haystack = [entry.name, entry.slug, entry.description, entry.category, entry.nodeType, entry.cliTool?.name ?? ""]
      .join("\n")
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export type InstallStateKind = "installed" | "update" | "not-installed";

/** The install-state badge of an entry. */
export function installState(listing: CatalogListing): { kind: InstallStateKind; label: string } {
  if (!listing.installed) return { kind: "not-installed", label: "Not installed" };
  if (listing.updateAvailable) {
    const installed = listing.installedVersion ?? null;
    const offered = listing.entry.version;
    // The listing carries the installed copy; name the newer version only when it is known.
    return {
      kind: "update",
      label: installed !== null && installed !== offered ? `Update available v${offered}` : "Update available",
    };
  }
  return { kind: "installed", label: "Installed" };
}

/** Which buttons an entry offers. An entry only present as an installed file cannot be reinstalled. */
export function availableActions(listing: CatalogListing): { install: boolean; update: boolean; uninstall: boolean } {
  return {
    install: !listing.installed && listing.builtIn,
    update: listing.installed && listing.updateAvailable && listing.builtIn,
    uninstall: listing.installed,
  };
}

/** One field of an entry's schema, as the detail view lists it. */
export interface SchemaFieldInfo {
  key: string;
  title: string;
  type: string;
  required: boolean;
  description: string;
  /** The value new nodes get (from `defaults`, else the schema's own `default`), if any. */
  defaultValue: JsonValue | undefined;
  enumValues: JsonValue[] | null;
}

function asObject(value: JsonValue | undefined): Record<string, JsonValue> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
}

function typeText(value: JsonValue | undefined): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string").join(" | ");
  return "any";
}

/** The fields of a JSON Schema subset (`properties`, `required`), with the entry's defaults. */
export function schemaFields(schema: JsonValue, defaults: Record<string, JsonValue> = {}): SchemaFieldInfo[] {
  const root = asObject(schema);
  const properties = asObject(root?.properties);
  if (properties === null) return [];
  const requiredList = root?.required;
  const required = new Set(Array.isArray(requiredList) ? requiredList.filter((item) => typeof item === "string") : []);
  return Object.entries(properties).map(([key, raw]) => {
    const property = asObject(raw) ?? {};
    const title = property.title;
    const description = property.description;
    const enumValues = property.enum;
    const format = property.format;
    const type = typeText(property.type);
    return {
      key,
      title: typeof title === "string" && title !== "" ? title : key,
      type: typeof format === "string" && format !== "" ? `${type} (${format})` : type,
      required: required.has(key),
      description: typeof description === "string" ? description : "",
      defaultValue: key in defaults ? defaults[key] : property.default,
      enumValues: Array.isArray(enumValues) ? enumValues : null,
    };
  });
}

/** A short text for a JSON value in the detail view. */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value === "" ? "(empty)" : value;
  return JSON.stringify(value);
}

/** One line describing a CLI probe's result. */
export function probeSummary(probe: CliProbe): { ok: boolean; text: string } {
  if (!probe.found) {
    const why = probe.error ?? "";
    return { ok: false, text: `${probe.tool} not found${why === "" ? "" : `: ${why}`}` };
  }
  const version = probe.version ?? "unknown version";
  if (probe.meetsMinimum) return { ok: true, text: `${probe.tool} ${version} found (needs ${probe.required} or newer)` };
  const why = probe.error ?? "";
  return {
    ok: false,
    text: `${probe.tool} ${version} found, but ${probe.required} or newer is needed${why === "" ? "" : ` (${why})`}`,
  };
}

/** Whether an event means the catalog may have changed. */
export function touchesNodes(event: FlowEvent): boolean {
  return event.type === "nodes-changed" || event.type === "resync";
}
