import type { CatalogEntry, FlowNode, JsonValue, ValidationIssue } from "@flow/bindings";
import { describeSchema } from "./schema-form";

const TYPE_ICONS: Record<string, string> = {
  action: "▶",
  ai: "✦",
  agentic: "◎",
  utility: "⚙",
  service: "☁",
};

export function typeIcon(type: string): string {
  return TYPE_ICONS[type] ?? "?";
}

const PREFERRED_KEYS = ["command", "prompt", "path", "url", "operation", "message", "script"];

function previewText(value: JsonValue | undefined): string | null {
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.length === 0 ? null : value.join(" ");
  return null;
}

/** The one field worth showing on the card: a well-known key, else the first schema string. */
export function keyFieldPreview(node: FlowNode, entry: CatalogEntry | null, max = 48): string | null {
  const data = node.data ?? {};
  const schemaKeys = entry === null ? [] : describeSchema(entry.schema).filter((f) => f.control !== "password").map((f) => f.key);
  const candidates = [...PREFERRED_KEYS.filter((key) => entry === null || schemaKeys.includes(key) || key in data), ...schemaKeys];
  for (const key of candidates) {
    const text = previewText(data[key]);
    if (text !== null) {
      const line = text.split("\n")[0] ?? "";
      return line.length > max ? `${line.slice(0, max - 1)}…` : line;
    }
  }
  return null;
}

export function issueCounts(issues: readonly ValidationIssue[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const issue of issues) {
    if (issue.severity === "error") errors += 1;
    else warnings += 1;
  }
  return { errors, warnings };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
