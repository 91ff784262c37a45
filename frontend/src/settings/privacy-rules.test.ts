import type { PrivacyRule } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  MAX_PREVIEW_BYTES,
  MAX_RULES,
  addRuleRow,
  hasRuleErrors,
  isRuleRows,
  previewRequest,
  previewSegments,
  removeRuleRow,
  ruleErrors,
  ruleRowsFrom,
  rulesFromRows,
  sameRules,
  suggestedPlaceholder,
  updateRuleRow,
  utf8Length,
} from "./privacy-rules";

const datasets: PrivacyRule = { name: "datasets", pattern: String.raw`\bds_\w+`, placeholder: "DATASET_NAME" };
const blank: PrivacyRule = { name: "", pattern: "", placeholder: "" };

describe("rule rows", () => {
  it("adds, updates and removes rows without touching the input", () => {
    const start = [datasets];
    const added = addRuleRow(start);
    expect(added).toEqual([datasets, blank]);
    expect(start).toHaveLength(1);
    expect(updateRuleRow(added, 1, { name: "codes" })).toEqual([datasets, { ...blank, name: "codes" }]);
    expect(removeRuleRow(added, 0)).toEqual([blank]);
  });

  it("reads only well-formed stored lists", () => {
    expect(ruleRowsFrom([datasets])).toEqual([datasets]);
    expect(ruleRowsFrom([])).toEqual([]);
    expect(ruleRowsFrom({ datasets: 1 })).toBeUndefined();
    expect(ruleRowsFrom([{ name: "x", pattern: 1, placeholder: "X" }])).toBeUndefined();
    expect(isRuleRows([{ key: "shell", value: "1" }])).toBe(false);
  });

  it("suggests a placeholder from the name", () => {
    expect(suggestedPlaceholder("dataset-names")).toBe("DATASET_NAMES");
    expect(suggestedPlaceholder("2fa_codes")).toBe("FA_CODES");
    expect(suggestedPlaceholder("")).toBe("DATASET_NAME");
  });
});

describe("ruleErrors", () => {
  it("checks names, patterns and placeholders row by row, skipping blank rows", () => {
    const rows: PrivacyRule[] = [
      datasets,
      { name: "Bad Name", pattern: "x", placeholder: "X" },
      { name: "datasets", pattern: "", placeholder: "lower" },
      blank,
      { name: "a".repeat(41), pattern: "y".repeat(501), placeholder: "Z".repeat(41) },
      { name: "ok", pattern: " spaced ", placeholder: "OK_2" },
    ];
    const errors = ruleErrors(rows);
    expect(errors.list).toBeUndefined();
    expect(errors.rows).toEqual([
      {},
      { name: "Use a lowercase letter, then lowercase letters, digits, _ or -." },
      {
        name: "datasets is listed twice.",
        pattern: "Enter a pattern.",
        placeholder: "Use an uppercase letter, then uppercase letters, digits or _.",
      },
      {},
      { name: "At most 40 characters.", pattern: "At most 500 characters.", placeholder: "At most 40 characters." },
      {},
    ]);
    expect(hasRuleErrors(errors)).toBe(true);
    expect(hasRuleErrors(ruleErrors([datasets, blank]))).toBe(false);
  });

  it("counts characters as the core does, not UTF-16 units", () => {
    expect(ruleErrors([{ name: "p", pattern: "😀".repeat(500), placeholder: "P" }]).rows[0]).toEqual({});
    expect(ruleErrors([{ name: "p", pattern: "😀".repeat(501), placeholder: "P" }]).rows[0]?.pattern).toBe("At most 500 characters.");
  });

  it("allows at most 64 rules", () => {
    const many = Array.from({ length: MAX_RULES + 1 }, (_, i) => ({ name: `r${i}`, pattern: "a", placeholder: "A" }));
    expect(ruleErrors(many.slice(0, MAX_RULES)).list).toBeUndefined();
    expect(ruleErrors(many).list).toBe("At most 64 rules.");
  });
});

describe("rule lists", () => {
  it("sends non-blank rows, names and placeholders trimmed, patterns as typed", () => {
    expect(rulesFromRows([{ name: " a ", pattern: " x ", placeholder: " A " }, blank])).toEqual([{ name: "a", pattern: " x ", placeholder: "A" }]);
  });

  it("compares lists in order", () => {
    const other: PrivacyRule = { name: "b", pattern: "b", placeholder: "B" };
    expect(sameRules([datasets, blank, other], [datasets, other])).toBe(true);
    expect(sameRules([other, datasets], [datasets, other])).toBe(false);
    expect(sameRules([datasets], [{ ...datasets, pattern: String.raw`\bds_\w*` }])).toBe(false);
  });
});

describe("previewRequest", () => {
  it("sends the text with the unsaved rules", () => {
    expect(previewRequest("load ds_x", [datasets, blank])).toEqual({ ok: true, text: "load ds_x", rules: [datasets] });
  });

  it("says why it cannot preview yet", () => {
    expect(previewRequest("  ", [])).toEqual({ ok: false, error: "Paste some text to preview." });
    expect(previewRequest("x", [{ name: "x", pattern: "", placeholder: "X" }])).toEqual({
      ok: false,
      error: "Fix the rules marked above to preview with them.",
    });
  });

  it("refuses more than 1 MiB of UTF-8", () => {
    expect(utf8Length("é😀")).toBe(6);
    expect(previewRequest("a".repeat(MAX_PREVIEW_BYTES), []).ok).toBe(true);
    const tooLong = "é".repeat(MAX_PREVIEW_BYTES / 2 + 1);
    expect(previewRequest(tooLong, [])).toEqual({ ok: false, error: "The text is 1,048,578 bytes; the preview takes at most 1 MiB." });
  });
});

describe("previewSegments", () => {
  it("marks the placeholders the core handed out and leaves other text plain", () => {
    const email = { placeholder: "[EMAIL_1]", kind: "EMAIL", original: "a@acme.io" };
    const secret = { placeholder: "[SECRET_1]", kind: "SECRET", original: "hunter2" };
    expect(previewSegments("to [EMAIL_1], password=[SECRET_1] [EMAIL_9]", [email, secret])).toEqual([
      { text: "to " },
      { text: "[EMAIL_1]", replacement: email },
      { text: ", password=" },
      { text: "[SECRET_1]", replacement: secret },
      { text: " [EMAIL_9]" },
    ]);
    expect(previewSegments("[EMAIL_1]", [email])).toEqual([{ text: "[EMAIL_1]", replacement: email }]);
    expect(previewSegments("", [])).toEqual([]);
  });
});
