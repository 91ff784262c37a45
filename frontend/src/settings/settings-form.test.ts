import type { SettingField, Settings } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { buildPatch, bySection, draftFromSettings, fieldNamedIn, formFields, rebaseDraft } from "./settings-form";

const base: Settings = {
  theme: "default",
  confirm_destructive: true,
  allow_cloud_ai: false,
  allow_local_ai: true,
  scheduler_enabled: true,
  scheduler_poll_secs: 30,
  max_parallel_nodes: 4,
  max_loaded_models: 2,
  ai_inference_concurrency: 1,
  ai_inference_queue_timeout_ms: 30000,
};

const manifest: SettingField[] = [
  { key: "theme", label: "Theme", description: "", section: "Appearance", control: { type: "theme" } },
  { key: "confirm_destructive", label: "Confirm destructive actions", description: "", section: "General", control: { type: "toggle" } },
  { key: "allow_cloud_ai", label: "Allow cloud AI", description: "", section: "AI", control: { type: "toggle" } },
  { key: "max_parallel_nodes", label: "Max parallel nodes", description: "", section: "Engine", control: { type: "number", min: 1, max: 64, step: 1, unit: null } },
  { key: "scheduler_poll_secs", label: "Scheduler poll interval", description: "", section: "Engine", control: { type: "number", min: 5, max: 3600, step: 1, unit: "s" } },
];
const fields = formFields(manifest);

describe("buildPatch", () => {
  it("sends nothing when nothing changed", () => {
    const result = buildPatch(base, draftFromSettings(base, fields), fields);
    expect(result).toEqual({ ok: true, patch: {}, changed: [] });
  });

  it("sends only the keys the user changed, with numbers parsed", () => {
    const draft = { ...draftFromSettings(base, fields), allow_cloud_ai: true, max_parallel_nodes: "8" };
    const result = buildPatch(base, draft, fields);
    expect(result).toEqual({ ok: true, patch: { allow_cloud_ai: true, max_parallel_nodes: 8 }, changed: ["allow_cloud_ai", "max_parallel_nodes"] });
  });

  it("treats a re-typed equal number as unchanged", () => {
    const draft = { ...draftFromSettings(base, fields), max_parallel_nodes: "4.0", scheduler_poll_secs: " 30 " };
    expect(buildPatch(base, draft, fields)).toEqual({ ok: true, patch: {}, changed: [] });
  });

  it("passes out-of-range numbers through for the core to judge", () => {
    const draft = { ...draftFromSettings(base, fields), max_parallel_nodes: "100000" };
    expect(buildPatch(base, draft, fields)).toEqual({ ok: true, patch: { max_parallel_nodes: 100000 }, changed: ["max_parallel_nodes"] });
  });

  it("refuses an empty or non-numeric number instead of sending it", () => {
    const draft = { ...draftFromSettings(base, fields), max_parallel_nodes: "", allow_cloud_ai: true };
    const result = buildPatch(base, draft, fields);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(["max_parallel_nodes"]);
  });

  it("never includes the theme (it has its own picker)", () => {
    const result = buildPatch({ ...base, theme: "aurora" }, draftFromSettings(base, fields), fields);
    expect(result.ok && "theme" in result.patch).toBe(false);
  });
});

describe("rebaseDraft", () => {
  it("moves untouched fields to the new values and keeps unsaved edits", () => {
    const draft = { ...draftFromSettings(base, fields), max_parallel_nodes: "6" };
    const newer: Settings = { ...base, max_parallel_nodes: 10, scheduler_poll_secs: 60, allow_cloud_ai: true };
    const rebased = rebaseDraft(draft, base, newer, fields);
    expect(rebased.max_parallel_nodes).toBe("6");
    expect(rebased.scheduler_poll_secs).toBe("60");
    expect(rebased.allow_cloud_ai).toBe(true);
    // The kept edit is still an edit against the new base, so it would be saved.
    expect(buildPatch(newer, rebased, fields)).toEqual({ ok: true, patch: { max_parallel_nodes: 6 }, changed: ["max_parallel_nodes"] });
  });

  it("drops a local edit's dirtiness when another tab saved the same value", () => {
    const draft = { ...draftFromSettings(base, fields), max_parallel_nodes: "8" };
    const newer: Settings = { ...base, max_parallel_nodes: 8 };
    expect(buildPatch(newer, rebaseDraft(draft, base, newer, fields), fields)).toEqual({ ok: true, patch: {}, changed: [] });
  });
});

describe("form layout helpers", () => {
  it("groups fields by section in manifest order", () => {
    expect(bySection(fields).map(([section, list]) => [section, list.map((f) => f.key)])).toEqual([
      ["General", ["confirm_destructive"]],
      ["AI", ["allow_cloud_ai"]],
      ["Engine", ["max_parallel_nodes", "scheduler_poll_secs"]],
    ]);
  });

  it("finds the field a server message names, by key or by label", () => {
    expect(fieldNamedIn("max_parallel_nodes must be between 1 and 64", fields)?.key).toBe("max_parallel_nodes");
    expect(fieldNamedIn("Scheduler poll interval is too short", fields)?.key).toBe("scheduler_poll_secs");
    expect(fieldNamedIn("something else", fields)).toBeUndefined();
  });
});
