import type { CatalogEntry } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { issueCounts, keyFieldPreview, plural, typeIcon } from "./node-display";
import { shortcutFor } from "./shortcuts";

const entry: CatalogEntry = {
  slug: "llm",
  name: "Ask model",
  description: "",
  category: "AI",
  version: "1",
  nodeType: "ai",
  identity: {},
  schema: { type: "object", properties: { apiKey: { type: "string", format: "secret" }, model: { type: "string" }, prompt: { type: "string" } } },
  defaults: {},
};

describe("node display", () => {
  it("previews the key field", () => {
    expect(keyFieldPreview({ id: "a", type: "action", data: { command: "npm test" } }, null)).toBe("npm test");
    expect(keyFieldPreview({ id: "a", type: "ai", data: { apiKey: "s3cret", model: "m", prompt: "Hi\nthere" } }, entry)).toBe("Hi");
    expect(keyFieldPreview({ id: "a", type: "ai", data: { apiKey: "s3cret", model: "m" } }, entry)).toBe("m");
    expect(keyFieldPreview({ id: "a", type: "action", data: { command: "x".repeat(60) } }, null, 10)).toBe("xxxxxxxxx…");
    expect(keyFieldPreview({ id: "a", type: "action" }, null)).toBeNull();
  });

  it("counts and labels", () => {
    expect(typeIcon("ai")).toBe("✦");
    expect(typeIcon("quantum")).toBe("?");
    expect(issueCounts([{ severity: "error", code: "", message: "" }, { severity: "warning", code: "", message: "" }])).toEqual({ errors: 1, warnings: 1 });
    expect(plural(1, "error")).toBe("1 error");
    expect(plural(2, "error")).toBe("2 errors");
  });
});

describe("shortcuts", () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods,
  });
  it("maps keys", () => {
    expect(shortcutFor(key("s", { ctrlKey: true }))).toBe("save");
    expect(shortcutFor(key("s", { metaKey: true }))).toBe("save");
    expect(shortcutFor(key("z", { ctrlKey: true }))).toBe("undo");
    expect(shortcutFor(key("Z", { metaKey: true, shiftKey: true }))).toBe("redo");
    expect(shortcutFor(key("y", { ctrlKey: true }))).toBe("redo");
    expect(shortcutFor(key("z"))).toBeNull();
    expect(shortcutFor(key("s", { ctrlKey: true, altKey: true }))).toBeNull();
  });
});

describe("node run display", () => {
  it("badges and titles a node's run state", async () => {
    const { nodeRunBadge, nodeRunTitle } = await import("./run-display");
    expect(nodeRunBadge({ status: "failed", iteration: 0, durationMs: 1200, error: "exit 3" })).toBe("✕ 1.2 s");
    expect(nodeRunBadge({ status: "running", iteration: 2, durationMs: null, progress: { bytes: 50, total: 200 } })).toBe("● ×3 25%");
    expect(nodeRunBadge({ status: "running", iteration: 0, durationMs: null, streamed: "Hello", tokens: 12 })).toBe("● 12 tok");
    expect(nodeRunBadge({ status: "succeeded", iteration: 0, durationMs: 900, streamed: "Hello", tokens: 12 })).toBe("✓ 900 ms");
    expect(nodeRunTitle({ status: "failed", iteration: 0, durationMs: 1, error: "exit 3" })).toBe("Run: failed — exit 3");
    expect(nodeRunTitle({ status: "skipped", iteration: 0, durationMs: null, reason: "not reached" })).toBe("Run: skipped — not reached");
  });
});
