import type { SettingField, Settings } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  MAX_LIMIT_ENTRIES,
  addLimitRow,
  buildPatch,
  bySection,
  draftFromSettings,
  fieldNamedIn,
  formFields,
  isDirty,
  limitErrors,
  limitRowsFromMap,
  limitsMap,
  rebaseDraft,
  removeLimitRow,
  updateLimitRow,
  isLimitRows,
  isRuleDraft,
  switchNames,
  switchOn,
  type LimitRow,
  type LimitsControl,
} from "./settings-form";

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
  max_agentic_iterations: 5,
  max_agentic_seconds: 900,
  max_agentic_tokens: 50000,
  node_type_limits: { shell: 2, ai: 1 },
  providers_enabled: {},
  allow_services: false,
  privacy_rules: [],
};

const manifest: SettingField[] = [
  { key: "theme", label: "Theme", description: "", section: "Appearance", control: { type: "theme" } },
  { key: "confirm_destructive", label: "Confirm destructive actions", description: "", section: "General", control: { type: "toggle" } },
  { key: "allow_cloud_ai", label: "Allow cloud AI", description: "", section: "AI", control: { type: "toggle" } },
  { key: "max_parallel_nodes", label: "Max parallel nodes", description: "", section: "Engine", control: { type: "number", min: 1, max: 64, step: 1, unit: null } },
  { key: "scheduler_poll_secs", label: "Scheduler poll interval", description: "", section: "Engine", control: { type: "number", min: 5, max: 3600, step: 1, unit: "s" } },
  { key: "node_type_limits", label: "Parallel nodes per type", description: "", section: "Engine", control: { type: "limits", min: 1, max: 64 } },
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
      ["Engine", ["max_parallel_nodes", "scheduler_poll_secs", "node_type_limits"]],
    ]);
  });

  it("finds the field a server message names, by key or by label", () => {
    expect(fieldNamedIn("max_parallel_nodes must be between 1 and 64", fields)?.key).toBe("max_parallel_nodes");
    expect(fieldNamedIn("Scheduler poll interval is too short", fields)?.key).toBe("scheduler_poll_secs");
    expect(fieldNamedIn("something else", fields)).toBeUndefined();
  });
});

describe("limits fields", () => {
  const control: LimitsControl = { type: "limits", min: 1, max: 64 };
  const limitsField = fields.find((field) => field.key === "node_type_limits");
  const rows = (draft: ReturnType<typeof draftFromSettings>): readonly LimitRow[] => {
    const value = draft.node_type_limits;
    if (!isLimitRows(value)) throw new Error("limits draft is not rows");
    return value;
  };

  it("is a form field, drafted as rows sorted by key", () => {
    expect(limitsField?.control.type).toBe("limits");
    expect(draftFromSettings(base, fields).node_type_limits).toEqual([
      { key: "ai", value: "1" },
      { key: "shell", value: "2" },
    ]);
    expect(limitRowsFromMap({})).toEqual([]);
  });

  it("adds, updates and removes rows without touching the input", () => {
    const start: LimitRow[] = [{ key: "ai", value: "1" }];
    const added = addLimitRow(start);
    expect(added).toEqual([{ key: "ai", value: "1" }, { key: "", value: "" }]);
    expect(start).toHaveLength(1);
    expect(updateLimitRow(added, 1, { key: "fs" })).toEqual([{ key: "ai", value: "1" }, { key: "fs", value: "" }]);
    expect(removeLimitRow(added, 0)).toEqual([{ key: "", value: "" }]);
  });

  it("sends the whole map when one entry changed", () => {
    const draft = draftFromSettings(base, fields);
    const edited = { ...draft, node_type_limits: updateLimitRow(rows(draft), 1, { value: "3" }) };
    expect(buildPatch(base, edited, fields)).toEqual({
      ok: true,
      patch: { node_type_limits: { ai: 1, shell: 3 } },
      changed: ["node_type_limits"],
    });
  });

  it("sends an empty map when every row is removed", () => {
    const draft = { ...draftFromSettings(base, fields), node_type_limits: [] };
    expect(buildPatch(base, draft, fields)).toEqual({ ok: true, patch: { node_type_limits: {} }, changed: ["node_type_limits"] });
  });

  it("treats reordered rows, re-typed numbers and blank rows as unchanged", () => {
    const draft = {
      ...draftFromSettings(base, fields),
      node_type_limits: [
        { key: "shell ", value: "2.0" },
        { key: "", value: "" },
        { key: "ai", value: " 1" },
      ],
    };
    expect(limitsField !== undefined && isDirty(limitsField, draft, base)).toBe(false);
    expect(buildPatch(base, draft, fields)).toEqual({ ok: true, patch: {}, changed: [] });
  });

  it("refuses bad keys, duplicates and out-of-range values, row by row", () => {
    const bad: LimitRow[] = [
      { key: "Shell", value: "2" },
      { key: "ai", value: "0" },
      { key: "ai", value: "1.5" },
      { key: "", value: "3" },
      { key: "fs", value: "" },
      { key: "cli", value: "65" },
      { key: "my-adapter_2", value: "64" },
      { key: "", value: "" },
    ];
    const errors = limitErrors(bad, control);
    expect(errors.map).toBeUndefined();
    expect(errors.rows.map((row) => [row.key !== undefined, row.value !== undefined])).toEqual([
      [true, false],
      [false, true],
      [true, true],
      [true, false],
      [false, true],
      [false, true],
      [false, false],
      [false, false],
    ]);
    expect(errors.rows[2]?.key).toBe("ai is listed twice.");
    expect(errors.rows[1]?.value).toBe("Enter a whole number from 1 to 64.");

    const result = buildPatch(base, { ...draftFromSettings(base, fields), node_type_limits: bad }, fields);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(["node_type_limits"]);
  });

  it("allows at most 32 entries", () => {
    const many = Array.from({ length: MAX_LIMIT_ENTRIES + 1 }, (_, i) => ({ key: `t${i}`, value: "1" }));
    expect(limitErrors(many.slice(0, MAX_LIMIT_ENTRIES), control).map).toBeUndefined();
    expect(limitErrors(many, control).map).toBe("At most 32 entries.");
    expect(buildPatch(base, { ...draftFromSettings(base, fields), node_type_limits: many }, fields).ok).toBe(false);
  });

  it("builds the map from trimmed keys and numeric values, skipping blank rows", () => {
    expect(limitsMap([{ key: " shell", value: "2 " }, { key: "", value: "" }])).toEqual({ shell: 2 });
  });

  it("follows another tab's save unless edited here", () => {
    const newer: Settings = { ...base, node_type_limits: { fs: 4 } };
    const untouched = rebaseDraft(draftFromSettings(base, fields), base, newer, fields);
    expect(untouched.node_type_limits).toEqual([{ key: "fs", value: "4" }]);

    const draft = draftFromSettings(base, fields);
    const edited = { ...draft, node_type_limits: addLimitRow(rows(draft), { key: "cli", value: "1" }) };
    const kept = rebaseDraft(edited, base, newer, fields);
    expect(kept.node_type_limits).toEqual(edited.node_type_limits);
  });

  it("names the field from the core's message", () => {
    expect(fieldNamedIn("setting `node_type_limits`: `shell` must be between 1 and 64, got 0", fields)?.key).toBe("node_type_limits");
  });
});

describe("switches fields", () => {
  const switches: SettingField = {
    key: "providers_enabled",
    label: "Cloud provider switches",
    description: "",
    section: "AI",
    control: { type: "switches", options: ["openai"] },
  };

  it("are drafted as maps, absent names on, and sent whole when changed", () => {
    const settings: Settings = { ...base, providers_enabled: { other: false } };
    const draft = draftFromSettings(settings, [switches]);
    expect(draft.providers_enabled).toEqual({ other: false });
    const control = switches.control;
    if (control.type !== "switches") throw new Error("not a switches control");
    expect(switchNames(control, { other: false })).toEqual(["openai", "other"]);
    expect(switchOn({}, "openai")).toBe(true);
    const unchanged = buildPatch(settings, { providers_enabled: { other: false, openai: true } }, [switches]);
    expect(unchanged).toEqual({ ok: true, patch: {}, changed: [] });
    const changed = buildPatch(settings, { providers_enabled: { other: false, openai: false } }, [switches]);
    expect(changed).toEqual({ ok: true, patch: { providers_enabled: { other: false, openai: false } }, changed: ["providers_enabled"] });
    expect(formFields([switches])).toHaveLength(1);
  });
});

describe("rules fields", () => {
  const rulesField: SettingField = {
    key: "privacy_rules",
    label: "Privacy rules",
    description: "",
    section: "Privacy",
    control: { type: "rules" },
  };
  const datasets = { name: "datasets", pattern: String.raw`\bds_\w+`, placeholder: "DATASET_NAME" };
  const saved: Settings = { ...base, privacy_rules: [datasets] };

  it("is a form field, drafted as copies of the saved rows", () => {
    expect(formFields([rulesField])).toHaveLength(1);
    const draft = draftFromSettings(saved, [rulesField]);
    expect(draft.privacy_rules).toEqual([datasets]);
    expect(draft.privacy_rules).not.toBe(saved.privacy_rules);
    expect(isRuleDraft(draft.privacy_rules)).toBe(true);
    expect(isLimitRows(draft.privacy_rules)).toBe(false);
  });

  it("sends the whole list, trimmed and without blank rows, when it changed", () => {
    const added = { name: " projects ", pattern: String.raw`PRJ-\d+`, placeholder: "PROJECT " };
    const draft = { privacy_rules: [datasets, { name: "", pattern: "", placeholder: "" }, added] };
    expect(buildPatch(saved, draft, [rulesField])).toEqual({
      ok: true,
      patch: { privacy_rules: [datasets, { name: "projects", pattern: String.raw`PRJ-\d+`, placeholder: "PROJECT" }] },
      changed: ["privacy_rules"],
    });
    expect(buildPatch(saved, { privacy_rules: [] }, [rulesField])).toEqual({ ok: true, patch: { privacy_rules: [] }, changed: ["privacy_rules"] });
  });

  it("treats blank rows and spaces around names as unchanged, but not a new order", () => {
    const spaced = { privacy_rules: [{ ...datasets, name: " datasets" }, { name: "", pattern: "", placeholder: "" }] };
    expect(isDirty(rulesField, spaced, saved)).toBe(false);
    const other = { name: "codes", pattern: "C-1", placeholder: "CODE" };
    const two: Settings = { ...base, privacy_rules: [datasets, other] };
    expect(isDirty(rulesField, { privacy_rules: [other, datasets] }, two)).toBe(true);
  });

  it("refuses to send rules with problems", () => {
    const result = buildPatch(saved, { privacy_rules: [{ name: "Bad", pattern: "", placeholder: "x" }] }, [rulesField]);
    expect(result).toEqual({ ok: false, errors: { privacy_rules: "Privacy rules has rules to fix." } });
  });

  it("names the field from the core's message", () => {
    expect(fieldNamedIn("setting `privacy_rules`: rule `x`: pattern is not a valid regular expression: unclosed group", [rulesField])?.key).toBe("privacy_rules");
  });
});
