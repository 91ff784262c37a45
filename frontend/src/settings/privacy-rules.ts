import type { PrivacyRule, Replacement } from "@flow/bindings";

/** How many rules the list may hold (the core's `MAX_RULES`). */
export const MAX_RULES = 64;
/** Longest rule name, in characters (the core's `MAX_NAME_CHARS`). */
export const MAX_NAME_CHARS = 40;
/** Longest pattern, in characters (the core's `MAX_PATTERN_CHARS`). */
export const MAX_PATTERN_CHARS = 500;
/** Longest placeholder label, in characters (the core's `MAX_PLACEHOLDER_CHARS`). */
export const MAX_PLACEHOLDER_CHARS = 40;
/** The most text one preview takes, in UTF-8 bytes (the core's `MAX_PREVIEW_BYTES`). */
export const MAX_PREVIEW_BYTES = 1 << 20;

const RULE_NAME = /^[a-z][a-z0-9_-]*$/;
const PLACEHOLDER = /^[A-Z][A-Z0-9_]*$/;

/** Characters as the core counts them (Unicode scalar values, not UTF-16 units). */
function charCount(text: string): number {
  return Array.from(text).length;
}

/** A row nobody has filled in yet: left out of the list, not an error. */
export function isBlankRule(row: PrivacyRule): boolean {
  return row.name.trim() === "" && row.pattern === "" && row.placeholder.trim() === "";
}

/** Whether a stored or draft value is a list of rules. */
export function isRuleRows(value: unknown): value is readonly PrivacyRule[] {
  return (
    Array.isArray(value) &&
    value.every(
      (row: unknown) =>
        typeof row === "object" &&
        row !== null &&
        typeof (row as Record<string, unknown>).name === "string" &&
        typeof (row as Record<string, unknown>).pattern === "string" &&
        typeof (row as Record<string, unknown>).placeholder === "string",
    )
  );
}

/** A stored rules list as editable rows (copies, so edits never touch the stored settings). */
export function ruleRowsFrom(value: unknown): PrivacyRule[] | undefined {
  if (!isRuleRows(value)) return undefined;
  return value.map((row) => ({ name: row.name, pattern: row.pattern, placeholder: row.placeholder }));
}

/** The rows with a blank one appended. */
export function addRuleRow(rows: readonly PrivacyRule[]): PrivacyRule[] {
  return [...rows, { name: "", pattern: "", placeholder: "" }];
}

/** The rows without the one at `index`. */
export function removeRuleRow(rows: readonly PrivacyRule[], index: number): PrivacyRule[] {
  return rows.filter((_, i) => i !== index);
}

/** The rows with the one at `index` changed. */
export function updateRuleRow(rows: readonly PrivacyRule[], index: number, change: Partial<PrivacyRule>): PrivacyRule[] {
  return rows.map((row, i) => (i === index ? { ...row, ...change } : row));
}

/** The placeholder a name suggests: `dataset-names` → `DATASET_NAMES` (shown as a hint). */
export function suggestedPlaceholder(name: string): string {
  const label = name
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^[^A-Z]+/, "")
    .replace(/_+$/, "");
  return label === "" ? "DATASET_NAME" : label.slice(0, MAX_PLACEHOLDER_CHARS);
}

/** What is wrong with each row (same order as the rows) and with the list as a whole. */
export interface RuleErrors {
  rows: { name?: string; pattern?: string; placeholder?: string }[];
  /** Too many rules. */
  list?: string;
}

/**
 * Checks rules the way the core will, except the regular expression's syntax, which only the
 * core can judge (its `regex` dialect is not JavaScript's): the preview and saving report that.
 * Blank rows are ignored.
 */
export function ruleErrors(rows: readonly PrivacyRule[]): RuleErrors {
  const seen = new Set<string>();
  const result: RuleErrors = { rows: [] };
  let rules = 0;
  for (const row of rows) {
    const errors: RuleErrors["rows"][number] = {};
    result.rows.push(errors);
    if (isBlankRule(row)) continue;
    rules += 1;
    const name = row.name.trim();
    if (name === "") errors.name = "Enter a name.";
    else if (!RULE_NAME.test(name)) errors.name = "Use a lowercase letter, then lowercase letters, digits, _ or -.";
    else if (charCount(name) > MAX_NAME_CHARS) errors.name = `At most ${MAX_NAME_CHARS} characters.`;
    else if (seen.has(name)) errors.name = `${name} is listed twice.`;
    seen.add(name);
    if (row.pattern === "") errors.pattern = "Enter a pattern.";
    else if (charCount(row.pattern) > MAX_PATTERN_CHARS) errors.pattern = `At most ${MAX_PATTERN_CHARS} characters.`;
    const placeholder = row.placeholder.trim();
    if (placeholder === "") errors.placeholder = "Enter a placeholder, e.g. DATASET_NAME.";
    else if (!PLACEHOLDER.test(placeholder)) errors.placeholder = "Use an uppercase letter, then uppercase letters, digits or _.";
    else if (charCount(placeholder) > MAX_PLACEHOLDER_CHARS) errors.placeholder = `At most ${MAX_PLACEHOLDER_CHARS} characters.`;
  }
  if (rules > MAX_RULES) result.list = `At most ${MAX_RULES} rules.`;
  return result;
}

export function hasRuleErrors(errors: RuleErrors): boolean {
  return (
    errors.list !== undefined ||
    errors.rows.some((row) => row.name !== undefined || row.pattern !== undefined || row.placeholder !== undefined)
  );
}

/** The list to send: the non-blank rows in order, names and placeholders trimmed (a pattern's
 * spaces are part of it). Check with `ruleErrors` first. */
export function rulesFromRows(rows: readonly PrivacyRule[]): PrivacyRule[] {
  return rows
    .filter((row) => !isBlankRule(row))
    .map((row) => ({ name: row.name.trim(), pattern: row.pattern, placeholder: row.placeholder.trim() }));
}

/** Rows compared as the list they send: blank rows and surrounding spaces do not matter, order
 * does (it breaks ties between rules matching the same text). */
export function sameRules(a: readonly PrivacyRule[], b: readonly PrivacyRule[]): boolean {
  const left = rulesFromRows(a);
  const right = rulesFromRows(b);
  return (
    left.length === right.length &&
    left.every((rule, i) => {
      const other = right[i];
      return other?.name === rule.name && other.pattern === rule.pattern && other.placeholder === rule.placeholder;
    })
  );
}

/** UTF-8 length, which the core's 1 MiB cap counts. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

export type PreviewRequest = { ok: true; text: string; rules: PrivacyRule[] } | { ok: false; error: string };

/** What to send for a preview of `text` with the (unsaved) `rows`, or why not to. */
export function previewRequest(text: string, rows: readonly PrivacyRule[]): PreviewRequest {
  if (text.trim() === "") return { ok: false, error: "Paste some text to preview." };
  const bytes = utf8Length(text);
  if (bytes > MAX_PREVIEW_BYTES) {
    return { ok: false, error: `The text is ${bytes.toLocaleString("en")} bytes; the preview takes at most 1 MiB.` };
  }
  if (hasRuleErrors(ruleErrors(rows))) return { ok: false, error: "Fix the rules marked above to preview with them." };
  return { ok: true, text, rules: rulesFromRows(rows) };
}

/** A piece of sanitized text: plain, or a placeholder with what it stands for. */
export type PreviewSegment = { text: string } | { text: string; replacement: Replacement };

/** Sanitized text split at its placeholders, so they can be marked up. Placeholder-looking
 * text the core did not hand out stays plain. */
export function previewSegments(text: string, replacements: readonly Replacement[]): PreviewSegment[] {
  const byPlaceholder = new Map(replacements.map((r) => [r.placeholder, r]));
  const segments: PreviewSegment[] = [];
  let copied = 0;
  for (const match of text.matchAll(/\[[A-Z][A-Z0-9_]*_[0-9]+\]/g)) {
    const replacement = byPlaceholder.get(match[0]);
    if (replacement === undefined) continue;
    if (match.index > copied) segments.push({ text: text.slice(copied, match.index) });
    segments.push({ text: match[0], replacement });
    copied = match.index + match[0].length;
  }
  if (copied < text.length) segments.push({ text: text.slice(copied) });
  return segments;
}
