import type { PrivacyRule, SettingControl, SettingField, Settings, SettingsPatch } from "@flow/bindings";
import { hasRuleErrors, isRuleRows, ruleErrors, ruleRowsFrom, rulesFromRows, sameRules } from "./privacy-rules";

/** One row of a limits map as typed: the key and the number as text. */
export interface LimitRow {
  readonly key: string;
  readonly value: string;
}

/** What an input holds: toggles as booleans, numbers as the text typed (so "1." or "" can be
 * edited through without being coerced mid-keystroke), limits maps as rows of text, privacy
 * rules as the rows typed. */
export type DraftValue = boolean | string | readonly LimitRow[] | SwitchMap | readonly PrivacyRule[];

/** A switches map as edited: name → on/off; a name not listed counts as on. */
export type SwitchMap = Readonly<Record<string, boolean>>;
export type Draft = Readonly<Record<string, DraftValue>>;

export type LimitsControl = Extract<SettingControl, { type: "limits" }>;
export type SwitchesControl = Extract<SettingControl, { type: "switches" }>;

/** How many entries a limits map may hold (the core's `MAX_LIMIT_ENTRIES`). */
export const MAX_LIMIT_ENTRIES = 32;

/** A limits key: a node type or adapter name (the core's rule). */
const LIMIT_KEY = /^[a-z][a-z0-9_-]*$/;

/** The fields the form edits (the theme has its own picker). */
export function formFields(manifest: readonly SettingField[]): SettingField[] {
  const edited = new Set<SettingControl["type"]>(["toggle", "number", "limits", "switches", "rules"]);
  return manifest.filter((field) => edited.has(field.control.type));
}

/** A stored limits map as rows, sorted by key. */
export function limitRowsFromMap(map: Readonly<Record<string, number | undefined>>): LimitRow[] {
  return Object.entries(map)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value: String(value) }));
}

function isLimitsMap(value: unknown): value is Record<string, number | undefined> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function currentValue(settings: Settings, field: SettingField): DraftValue | undefined {
  const value: unknown = (settings as Record<string, unknown>)[field.key];
  if (field.control.type === "toggle") return typeof value === "boolean" ? value : undefined;
  if (field.control.type === "number") return typeof value === "number" ? String(value) : undefined;
  if (field.control.type === "limits") return isLimitsMap(value) ? limitRowsFromMap(value) : undefined;
  if (field.control.type === "switches") return isLimitsMap(value) ? switchMapFrom(value) : undefined;
  if (field.control.type === "rules") return ruleRowsFrom(value);
  return undefined;
}

/** A stored switches map with only its boolean entries. */
function switchMapFrom(map: Readonly<Record<string, unknown>>): SwitchMap {
  const out: Record<string, boolean> = {};
  for (const [key, on] of Object.entries(map)) if (typeof on === "boolean") out[key] = on;
  return out;
}

/** The names a switches field shows: its offered options, then any other stored names. */
export function switchNames(control: SwitchesControl, map: SwitchMap): string[] {
  const extra = Object.keys(map).filter((key) => !control.options.includes(key)).sort();
  return [...control.options, ...extra];
}

/** Whether a name is on (absent counts as on). */
export function switchOn(map: SwitchMap, name: string): boolean {
  return map[name] ?? true;
}

/** Whether a draft value is a limits field's rows. */
export function isLimitRows(value: DraftValue | undefined): value is readonly LimitRow[] {
  return Array.isArray(value) && value.every((row: unknown) => typeof row === "object" && row !== null && "key" in row);
}

/** Whether a draft value is a rules field's rows. */
export function isRuleDraft(value: DraftValue | undefined): value is readonly PrivacyRule[] {
  return isRuleRows(value);
}

/** Whether a draft value is a switches field's map. */
export function isSwitchMap(value: DraftValue | undefined): value is SwitchMap {
  return typeof value === "object" && !Array.isArray(value);
}

/** A row the user added but has not filled in; it is left out of the map, not an error. */
function isBlankRow(row: LimitRow): boolean {
  return row.key.trim() === "" && row.value.trim() === "";
}

/** The rows with `row` appended: a blank one unless given. */
export function addLimitRow(rows: readonly LimitRow[], row: LimitRow = { key: "", value: "" }): LimitRow[] {
  return [...rows, row];
}

/** The rows without the one at `index`. */
export function removeLimitRow(rows: readonly LimitRow[], index: number): LimitRow[] {
  return rows.filter((_, i) => i !== index);
}

/** The rows with the one at `index` changed. */
export function updateLimitRow(rows: readonly LimitRow[], index: number, change: Partial<LimitRow>): LimitRow[] {
  return rows.map((row, i) => (i === index ? { ...row, ...change } : row));
}

/** What is wrong with each row (same order as the rows) and with the map as a whole. */
export interface LimitErrors {
  rows: { key?: string; value?: string }[];
  /** Too many entries. */
  map?: string;
}

/**
 * Checks limits rows the way the core will: keys are node types or adapter names, each once;
 * values are whole numbers within the control's range; at most {@link MAX_LIMIT_ENTRIES} entries.
 * Blank rows are ignored.
 */
export function limitErrors(rows: readonly LimitRow[], control: LimitsControl): LimitErrors {
  const seen = new Set<string>();
  const result: LimitErrors = { rows: [] };
  let entries = 0;
  for (const row of rows) {
    const errors: { key?: string; value?: string } = {};
    result.rows.push(errors);
    if (isBlankRow(row)) continue;
    entries += 1;
    const key = row.key.trim();
    if (key === "") errors.key = "Enter a node type or adapter name.";
    else if (!LIMIT_KEY.test(key)) errors.key = "Use a lowercase letter, then lowercase letters, digits, _ or -.";
    else if (seen.has(key)) errors.key = `${key} is listed twice.`;
    seen.add(key);
    const text = row.value.trim();
    const number = text === "" ? Number.NaN : Number(text);
    if (!Number.isInteger(number) || number < control.min || number > control.max) {
      errors.value = `Enter a whole number from ${control.min} to ${control.max}.`;
    }
  }
  if (entries > MAX_LIMIT_ENTRIES) result.map = `At most ${MAX_LIMIT_ENTRIES} entries.`;
  return result;
}

function hasLimitErrors(errors: LimitErrors): boolean {
  return errors.map !== undefined || errors.rows.some((row) => row.key !== undefined || row.value !== undefined);
}

/** The map to send: the non-blank rows, keys trimmed, values as numbers. Check with `limitErrors` first. */
export function limitsMap(rows: readonly LimitRow[]): Record<string, number> {
  const map: Record<string, number> = {};
  for (const row of rows) {
    if (!isBlankRow(row)) map[row.key.trim()] = Number(row.value.trim());
  }
  return map;
}

/** Rows compared as maps: order, blank rows and "2" vs "2.0" do not matter. */
function sameLimits(a: readonly LimitRow[], b: readonly LimitRow[]): boolean {
  const normal = (rows: readonly LimitRow[]) =>
    rows
      .filter((row) => !isBlankRow(row))
      .map((row) => {
        const text = row.value.trim();
        const number = text === "" ? Number.NaN : Number(text);
        return `${row.key.trim()}\u0000${Number.isFinite(number) ? String(number) : text}`;
      })
      .sort();
  const left = normal(a);
  const right = normal(b);
  return left.length === right.length && left.every((entry, i) => entry === right[i]);
}

export function draftFromSettings(settings: Settings, fields: readonly SettingField[]): Draft {
  const draft: Record<string, DraftValue> = {};
  for (const field of fields) {
    const value = currentValue(settings, field);
    if (value !== undefined) draft[field.key] = value;
  }
  return draft;
}

function sameValue(field: SettingField, a: DraftValue | undefined, b: DraftValue | undefined): boolean {
  if (field.control.type === "number" && typeof a === "string" && typeof b === "string") {
    // "8", "8.0" and " 8" are the same number; an empty or non-numeric entry is an edit.
    if (a.trim() === "" || b.trim() === "") return a.trim() === b.trim();
    return Number(a) === Number(b);
  }
  if (field.control.type === "limits" && isLimitRows(a) && isLimitRows(b)) return sameLimits(a, b);
  if (field.control.type === "switches" && isSwitchMap(a) && isSwitchMap(b)) {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...names].every((name) => switchOn(a, name) === switchOn(b, name));
  }
  if (field.control.type === "rules" && isRuleDraft(a) && isRuleDraft(b)) return sameRules(a, b);
  return a === b;
}

/** Whether the user has changed `field` away from `base`. */
export function isDirty(field: SettingField, draft: Draft, base: Settings): boolean {
  return !sameValue(field, draft[field.key], currentValue(base, field));
}

/**
 * Moves the draft onto newer settings from the core (another tab saved): fields the user has
 * not touched follow the new values; unsaved edits are kept.
 */
export function rebaseDraft(draft: Draft, oldBase: Settings, newBase: Settings, fields: readonly SettingField[]): Draft {
  const next: Record<string, DraftValue> = { ...draft };
  for (const field of fields) {
    const incoming = currentValue(newBase, field);
    if (incoming === undefined) continue;
    if (!(field.key in draft) || !isDirty(field, draft, oldBase)) next[field.key] = incoming;
  }
  return next;
}

export type PatchResult =
  | { ok: true; patch: SettingsPatch; changed: string[] }
  | { ok: false; errors: Record<string, string> };

/**
 * The patch to send: only the keys the user changed, numbers parsed and checked as numbers, a
 * changed limits map or rules list checked in full and sent whole (it replaces the stored one).
 */
export function buildPatch(base: Settings, draft: Draft, fields: readonly SettingField[]): PatchResult {
  const patch: Record<string, boolean | number | Record<string, number> | Record<string, boolean> | PrivacyRule[]> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = draft[field.key];
    if (value === undefined || !isDirty(field, draft, base)) continue;
    if (field.control.type === "toggle" && typeof value === "boolean") {
      patch[field.key] = value;
    } else if (field.control.type === "number" && typeof value === "string") {
      const number = value.trim() === "" ? Number.NaN : Number(value);
      if (Number.isFinite(number)) patch[field.key] = number;
      else errors[field.key] = `${field.label} must be a number.`;
    } else if (field.control.type === "limits" && isLimitRows(value)) {
      if (hasLimitErrors(limitErrors(value, field.control))) errors[field.key] = `${field.label} has entries to fix.`;
      else patch[field.key] = limitsMap(value);
    } else if (field.control.type === "switches" && isSwitchMap(value)) {
      patch[field.key] = { ...value };
    } else if (field.control.type === "rules" && isRuleDraft(value)) {
      // The whole list is sent: it replaces the stored one.
      if (hasRuleErrors(ruleErrors(value))) errors[field.key] = `${field.label} has rules to fix.`;
      else patch[field.key] = rulesFromRows(value);
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // Keys come from the core's own manifest, which names exactly the Settings fields.
  const settingsPatch: SettingsPatch = patch;
  return { ok: true, patch: settingsPatch, changed: Object.keys(patch) };
}

/** The field a server validation message is about, if it names one (by key or label). */
export function fieldNamedIn(message: string, fields: readonly SettingField[]): SettingField | undefined {
  const lower = message.toLowerCase();
  return (
    fields.find((field) => lower.includes(field.key.toLowerCase())) ??
    fields.find((field) => lower.includes(field.label.toLowerCase()))
  );
}

/** Groups fields by section, in manifest order. */
export function bySection(fields: readonly SettingField[]): [string, SettingField[]][] {
  const sections = new Map<string, SettingField[]>();
  for (const field of fields) {
    const list = sections.get(field.section);
    if (list === undefined) sections.set(field.section, [field]);
    else list.push(field);
  }
  return [...sections];
}
