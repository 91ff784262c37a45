import type { SettingField, Settings, SettingsPatch } from "@flow/bindings";

/** What an input holds: toggles as booleans, numbers as the text typed (so "1." or "" can be
 * edited through without being coerced mid-keystroke). */
export type DraftValue = boolean | string;
export type Draft = Readonly<Record<string, DraftValue>>;

/** The fields the form edits (the theme has its own picker). */
export function formFields(manifest: readonly SettingField[]): SettingField[] {
  return manifest.filter((field) => field.control.type === "toggle" || field.control.type === "number");
}

function currentValue(settings: Settings, field: SettingField): DraftValue | undefined {
  const value: unknown = (settings as Record<string, unknown>)[field.key];
  if (field.control.type === "toggle") return typeof value === "boolean" ? value : undefined;
  if (field.control.type === "number") return typeof value === "number" ? String(value) : undefined;
  return undefined;
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

/** The patch to send: only the keys the user changed, numbers parsed and checked as numbers. */
export function buildPatch(base: Settings, draft: Draft, fields: readonly SettingField[]): PatchResult {
  const patch: Record<string, boolean | number> = {};
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
