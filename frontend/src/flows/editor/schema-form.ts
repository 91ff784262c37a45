import type { JsonValue } from "@flow/bindings";

/** How one schema property is edited. */
export type FieldControl = "text" | "textarea" | "password" | "path" | "uri" | "connection" | "integer" | "number" | "boolean" | "select" | "json";

export interface FieldDescriptor {
  key: string;
  title: string;
  description: string | null;
  required: boolean;
  control: FieldControl;
  /** The schema `type` (`string` when missing). */
  jsonType: string;
  enumValues: readonly JsonValue[] | null;
  defaultValue: JsonValue | undefined;
  minimum: number | null;
  maximum: number | null;
  minLength: number | null;
  pattern: string | null;
}

export type Coerced = { ok: true; value: JsonValue | undefined } | { ok: false; error: string };

type JsonObject = Record<string, JsonValue>;

function asObject(value: JsonValue | undefined): JsonObject | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
}

function numberOr(value: JsonValue | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringOr(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function controlFor(jsonType: string, format: string | null, hasEnum: boolean): FieldControl {
  if (hasEnum) return "select";
  switch (jsonType) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
    case "array":
      return "json";
    default:
      break;
  }
  switch (format) {
    case "multiline":
      return "textarea";
    case "secret":
      return "password";
    case "connection":
      return "connection";
    case "path":
      return "path";
    case "uri":
    case "url":
      return "uri";
    default:
      return "text";
  }
}

/** One descriptor per property of an object schema, in declaration order. */
export function describeSchema(schema: JsonValue): FieldDescriptor[] {
  const root = asObject(schema);
  const properties = asObject(root?.properties);
  if (properties === null) return [];
  const requiredList = Array.isArray(root?.required) ? root.required.filter((v): v is string => typeof v === "string") : [];
  return Object.entries(properties).map(([key, raw]) => {
    const prop = asObject(raw) ?? {};
    const declared = prop.type;
    const jsonType = typeof declared === "string" ? declared : Array.isArray(declared) ? (declared.find((t) => typeof t === "string" && t !== "null") as string | undefined) ?? "string" : "string";
    const enumValues = Array.isArray(prop.enum) ? prop.enum : null;
    return {
      key,
      title: stringOr(prop.title) ?? key,
      description: stringOr(prop.description),
      required: requiredList.includes(key),
      control: controlFor(jsonType, stringOr(prop.format), enumValues !== null),
      jsonType,
      enumValues,
      defaultValue: prop.default,
      minimum: numberOr(prop.minimum),
      maximum: numberOr(prop.maximum),
      minLength: numberOr(prop.minLength),
      pattern: stringOr(prop.pattern),
    };
  });
}

/** The text (or checkbox state) a control shows for `value`. */
export function formatFieldValue(field: FieldDescriptor, value: JsonValue | undefined): string | boolean {
  if (field.control === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.control === "select") {
    const index = field.enumValues?.findIndex((option) => JSON.stringify(option) === JSON.stringify(value)) ?? -1;
    return index < 0 ? "" : String(index);
  }
  if (field.control === "json") return JSON.stringify(value, null, 2);
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

/** Turns what a control holds into the value stored in `data` (undefined: remove the key). */
export function coerceFieldValue(field: FieldDescriptor, raw: string | boolean): Coerced {
  if (field.control === "boolean") return { ok: true, value: raw === true || raw === "true" };
  const text = typeof raw === "string" ? raw : String(raw);
  switch (field.control) {
    case "integer": {
      const trimmed = text.trim();
      if (trimmed === "") return { ok: true, value: undefined };
      if (!/^-?\d+$/.test(trimmed)) return { ok: false, error: "Enter a whole number." };
      return { ok: true, value: Number(trimmed) };
    }
    case "number": {
      const trimmed = text.trim();
      if (trimmed === "") return { ok: true, value: undefined };
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { ok: false, error: "Enter a number." };
      return { ok: true, value: n };
    }
    case "select": {
      if (text === "") return { ok: true, value: undefined };
      const option = field.enumValues?.[Number(text)];
      return option === undefined ? { ok: false, error: "Pick one of the options." } : { ok: true, value: option };
    }
    case "json":
      return parseJsonText(text, field.jsonType === "array" ? "array" : field.jsonType === "object" ? "object" : null);
    default:
      return { ok: true, value: text };
  }
}

/** Parses JSON typed into a text box, optionally requiring an object or an array. */
export function parseJsonText(text: string, expect: "object" | "array" | null): Coerced {
  if (text.trim() === "") return { ok: true, value: undefined };
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (cause) {
    return { ok: false, error: `Invalid JSON: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
  if (expect === "array" && !Array.isArray(value)) return { ok: false, error: "Expected a JSON array." };
  if (expect === "object" && asObject(value) === null) return { ok: false, error: "Expected a JSON object." };
  return { ok: true, value };
}

/** Local constraint checks (the server's validation is the authority; this is instant feedback). */
export function fieldProblem(field: FieldDescriptor, value: JsonValue | undefined): string | null {
  if (value === undefined || value === null || value === "") return field.required ? "Required." : null;
  if (typeof value === "number") {
    if (field.minimum !== null && value < field.minimum) return `At least ${field.minimum}.`;
    if (field.maximum !== null && value > field.maximum) return `At most ${field.maximum}.`;
  }
  if (typeof value === "string") {
    if (field.minLength !== null && value.length < field.minLength) return `At least ${field.minLength} characters.`;
    if (field.pattern !== null) {
      try {
        if (!new RegExp(field.pattern, "u").test(value)) return `Must match ${field.pattern}.`;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Data keys the schema does not declare (identity keys excluded): shown and kept untouched. */
export function otherDataKeys(data: Record<string, JsonValue> | undefined, fields: readonly FieldDescriptor[], identity: Record<string, JsonValue>): string[] {
  const known = new Set([...fields.map((f) => f.key), ...Object.keys(identity)]);
  return Object.keys(data ?? {}).filter((key) => !known.has(key));
}

/** `data` with `key` set, or removed when `value` is undefined. */
export function setDataKey(data: Record<string, JsonValue> | undefined, key: string, value: JsonValue | undefined): Record<string, JsonValue> {
  const next: Record<string, JsonValue> = { ...(data ?? {}) };
  if (value === undefined) Reflect.deleteProperty(next, key);
  else next[key] = value;
  return next;
}
