import type { AppError, Collection, FlowEvent, FlowFileFormat, FlowListQuery, SaveFlowInput } from "@flow/bindings";

/** Which collection the list shows: every flow, or one collection's. */
export const ALL_FLOWS = "";

/** Collections in sidebar order: the system (Default) collection first, then by name. */
export function sortCollections(collections: readonly Collection[]): Collection[] {
  return [...collections].sort((a, b) => {
    if (a.isSystem !== b.isSystem) return a.isSystem ? -1 : 1;
    const byName = a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
    return byName !== 0 ? byName : a.slug.localeCompare(b.slug);
  });
}

/** How many flows there are in all (every flow belongs to exactly one collection). */
export function totalFlowCount(collections: readonly Collection[]): number {
  return collections.reduce((sum, collection) => sum + collection.flowCount, 0);
}

/** A collection's display name, or its slug while the collections have not loaded. */
export function collectionName(collections: readonly Collection[] | null, slug: string): string {
  return collections?.find((collection) => collection.slug === slug)?.name ?? slug;
}

/** The `flowsList` query for a sidebar selection and search text. */
export function listQuery(collection: string, search: string): FlowListQuery {
  const text = search.trim();
  return { collection: collection === ALL_FLOWS ? null : collection, search: text === "" ? null : text };
}

/** The collection a new or imported flow goes into: the selected one, or the server's default. */
export function targetCollection(collection: string): string | null {
  return collection === ALL_FLOWS ? null : collection;
}

/** The editor's address for a flow. */
export function flowPath(slug: string): string {
  return `/flows/${encodeURIComponent(slug)}`;
}

/** What `flowSave` gets for a brand-new, empty flow. */
export function newFlowInput(name: string, collection: string | null): SaveFlowInput {
  return {
    slug: null,
    baseRevision: null,
    collection,
    graph: { id: "", name: name.trim(), version: "1.0.0", description: null, nodes: [], edges: [], subflows: [] },
  };
}

/** Why a name cannot be used, or null when it can. */
export function nameProblem(name: string): string | null {
  return name.trim() === "" ? "Enter a name." : null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"} ago`;
}

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", else the date. */
export function formatRelative(iso: string, now: number): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const elapsed = now - time;
  if (elapsed < 45_000) return "just now";
  if (elapsed < HOUR) return plural(Math.max(1, Math.round(elapsed / MINUTE)), "minute");
  if (elapsed < DAY) return plural(Math.floor(elapsed / HOUR), "hour");
  const days = Math.floor(elapsed / DAY);
  if (days === 1) return "yesterday";
  if (days < 30) return plural(days, "day");
  return new Date(time).toISOString().slice(0, 10);
}

/** The format of a file to import, from its name (`.flow` DSL, `.flow.json` / `.json` JSON). */
export function classifyImportFile(fileName: string): FlowFileFormat | null {
  const name = fileName.toLowerCase();
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".flow")) return "dsl";
  return null;
}

export const EXPORT_FORMATS: readonly { format: FlowFileFormat; label: string }[] = [
  { format: "dsl", label: ".flow" },
  { format: "json", label: ".flow.json" },
];

/** The download name when the server suggests none. */
export function exportFileName(slug: string, format: FlowFileFormat): string {
  return format === "dsl" ? `${slug}.flow` : `${slug}.flow.json`;
}

/** The outcome of importing one file. */
export type ImportOutcome =
  | { fileName: string; ok: true; slug: string; name: string }
  | { fileName: string; ok: false; message: string };

/** A one-line summary of an import batch. */
export function importSummary(outcomes: readonly ImportOutcome[]): string {
  const imported = outcomes.filter((outcome) => outcome.ok).length;
  const failed = outcomes.length - imported;
  const parts = [`${imported} imported`];
  if (failed > 0) parts.push(`${failed} failed`);
  return parts.join(", ");
}

/** The flow to offer opening after an import: the only file, when it succeeded. */
export function singleImported(outcomes: readonly ImportOutcome[]): { slug: string; name: string } | null {
  if (outcomes.length !== 1) return null;
  const [only] = outcomes;
  return only?.ok === true ? { slug: only.slug, name: only.name } : null;
}

/** Whether an event means the flow list or the collections may have changed. */
export function touchesFlows(event: FlowEvent): boolean {
  return event.type === "flows-changed" || event.type === "resync";
}

/** The message shown for a failed rename: a conflict says the list was refreshed. */
export function renameErrorText(error: AppError, message: string): string {
  return error.kind === "Conflict"
    ? `Someone else changed this flow meanwhile (${message}). The list has been refreshed; try again.`
    : message;
}
