import { describe, expect, it } from "vitest";
import { coerceFieldValue, describeSchema, fieldProblem, formatFieldValue, otherDataKeys, setDataKey, type FieldDescriptor } from "./schema-form";

const schema = {
  type: "object",
  required: ["command"],
  properties: {
    command: { type: "string", title: "Command", description: "What to run", minLength: 1 },
    script: { type: "string", format: "multiline" },
    token: { type: "string", format: "secret" },
    cwd: { type: "string", format: "path" },
    url: { type: "string", format: "uri", pattern: "^https?://" },
    timeout: { type: "integer", minimum: 1, maximum: 60, default: 30 },
    ratio: { type: "number" },
    verbose: { type: "boolean" },
    shell: { type: "string", enum: ["bash", "sh"] },
    env: { type: "object" },
    args: { type: "array", items: { type: "string" } },
  },
};

function field(key: string): FieldDescriptor {
  const found = describeSchema(schema).find((f) => f.key === key);
  if (found === undefined) throw new Error(key);
  return found;
}

describe("describeSchema", () => {
  it("maps each property to a control", () => {
    const fields = describeSchema(schema);
    expect(fields.map((f) => [f.key, f.control])).toEqual([
      ["command", "text"],
      ["script", "textarea"],
      ["token", "password"],
      ["cwd", "path"],
      ["url", "uri"],
      ["timeout", "integer"],
      ["ratio", "number"],
      ["verbose", "boolean"],
      ["shell", "select"],
      ["env", "json"],
      ["args", "json"],
    ]);
    expect(field("command")).toMatchObject({ title: "Command", description: "What to run", required: true, minLength: 1 });
    expect(field("timeout")).toMatchObject({ title: "timeout", required: false, minimum: 1, maximum: 60, defaultValue: 30 });
    expect(field("url").pattern).toBe("^https?://");
  });

  it("tolerates odd schemas", () => {
    expect(describeSchema(null)).toEqual([]);
    expect(describeSchema({ type: "object" })).toEqual([]);
    expect(describeSchema({ properties: { x: 3 } })[0]?.control).toBe("text");
  });
});

describe("coercion", () => {
  it("integer", () => {
    expect(coerceFieldValue(field("timeout"), " 42 ")).toEqual({ ok: true, value: 42 });
    expect(coerceFieldValue(field("timeout"), "4.5").ok).toBe(false);
    expect(coerceFieldValue(field("timeout"), "")).toEqual({ ok: true, value: undefined });
  });

  it("number", () => {
    expect(coerceFieldValue(field("ratio"), "0.25")).toEqual({ ok: true, value: 0.25 });
    expect(coerceFieldValue(field("ratio"), "abc").ok).toBe(false);
  });

  it("boolean", () => {
    expect(coerceFieldValue(field("verbose"), true)).toEqual({ ok: true, value: true });
    expect(coerceFieldValue(field("verbose"), false)).toEqual({ ok: true, value: false });
    expect(formatFieldValue(field("verbose"), undefined)).toBe(false);
  });

  it("json", () => {
    expect(coerceFieldValue(field("env"), '{"A": "1"}')).toEqual({ ok: true, value: { A: "1" } });
    expect(coerceFieldValue(field("env"), "[1]")).toEqual({ ok: false, error: "Expected a JSON object." });
    expect(coerceFieldValue(field("args"), '["a"]')).toEqual({ ok: true, value: ["a"] });
    const bad = coerceFieldValue(field("args"), "[1,");
    expect(!bad.ok && bad.error.startsWith("Invalid JSON")).toBe(true);
    expect(formatFieldValue(field("args"), ["a"])).toBe('[\n  "a"\n]');
  });

  it("select and text", () => {
    expect(formatFieldValue(field("shell"), "sh")).toBe("1");
    expect(coerceFieldValue(field("shell"), "1")).toEqual({ ok: true, value: "sh" });
    expect(coerceFieldValue(field("shell"), "")).toEqual({ ok: true, value: undefined });
    expect(coerceFieldValue(field("command"), "ls")).toEqual({ ok: true, value: "ls" });
    expect(formatFieldValue(field("timeout"), 5)).toBe("5");
  });

  it("local constraints", () => {
    expect(fieldProblem(field("command"), "")).toBe("Required.");
    expect(fieldProblem(field("timeout"), 0)).toBe("At least 1.");
    expect(fieldProblem(field("timeout"), 61)).toBe("At most 60.");
    expect(fieldProblem(field("url"), "ftp://x")).toMatch(/match/);
    expect(fieldProblem(field("url"), "https://x")).toBeNull();
  });
});

describe("data keys", () => {
  it("lists undeclared keys and sets/removes keys", () => {
    const fields = describeSchema(schema);
    expect(otherDataKeys({ adapter: "shell", command: "ls", legacy: 1 }, fields, { adapter: "shell" })).toEqual(["legacy"]);
    expect(setDataKey({ a: 1 }, "b", 2)).toEqual({ a: 1, b: 2 });
    expect(setDataKey({ a: 1, b: 2 }, "b", undefined)).toEqual({ a: 1 });
  });
});
