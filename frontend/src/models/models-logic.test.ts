import type { CatalogModel, FlowEvent, InstalledModel, ModelDownload } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { llmStatus, loadedModel } from "./test-fixtures";
import {
  downloadActions,
  downloadRows,
  downloadsReducer,
  formatBytes,
  formatContext,
  formatEta,
  formatRate,
  baseName,
  importNameProblem,
  isBusy,
  isInstalled,
  isUsable,
  NO_UPDATES,
  progressFraction,
  refreshesInstalled,
  refreshesStatus,
  residentLabel,
  residentModel,
  statusSummary,
} from "./models-logic";

function download(id: string, overrides: Partial<ModelDownload> = {}): ModelDownload {
  return {
    id,
    fileName: `${id}.gguf`,
    status: "downloading",
    bytes: 0,
    total: 1_000,
    rateBps: 0,
    etaSecs: null,
    error: null,
    ...overrides,
  };
}

describe("formatting", () => {
  it("formats bytes in decimal units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_000)).toBe("1.00 kB");
    expect(formatBytes(253_000_000)).toBe("253 MB");
    expect(formatBytes(1_620_000_000)).toBe("1.62 GB");
    expect(formatBytes(45_500_000_000)).toBe("45.5 GB");
    expect(formatBytes(3e15)).toBe("3000 TB");
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
    expect(formatBytes(null)).toBe("—");
  });

  it("formats rates, with a dash when nothing moves", () => {
    expect(formatRate(12_400_000)).toBe("12.4 MB/s");
    expect(formatRate(0)).toBe("—");
    expect(formatRate(null)).toBe("—");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("—");
  });

  it("formats time left", () => {
    expect(formatEta(null)).toBe("—");
    expect(formatEta(-3)).toBe("—");
    expect(formatEta(0)).toBe("0 s");
    expect(formatEta(44.2)).toBe("45 s");
    expect(formatEta(185)).toBe("3 min 05 s");
    expect(formatEta(3_720)).toBe("1 h 02 min");
  });

  it("formats context lengths", () => {
    expect(formatContext(32_768)).toBe("32,768 tokens");
    expect(formatContext(null)).toBe("—");
    expect(formatContext(undefined)).toBe("—");
  });
});

describe("download actions and progress", () => {
  it("offers what the status allows", () => {
    expect(downloadActions("downloading")).toEqual({ pause: true, resume: false, cancel: true });
    expect(downloadActions("paused")).toEqual({ pause: false, resume: true, cancel: true });
    expect(downloadActions("failed")).toEqual({ pause: false, resume: true, cancel: true });
    expect(downloadActions("verifying")).toEqual({ pause: false, resume: false, cancel: false });
  });

  it("computes the share done, unknown without a total", () => {
    expect(progressFraction(download("a", { bytes: 250, total: 1_000 }))).toBe(0.25);
    expect(progressFraction(download("a", { bytes: 2_000, total: 1_000 }))).toBe(1);
    expect(progressFraction(download("a", { total: 0 }))).toBeNull();
    expect(progressFraction(download("a", { total: null }))).toBeNull();
    expect(progressFraction(download("a", { bytes: null, total: 10 }))).toBe(0);
  });
});

describe("downloadsReducer and downloadRows", () => {
  const list = [download("a"), download("b", { status: "paused", bytes: 400 })];

  it("applies updates by id over the fetched list, keeping its order", () => {
    let state = downloadsReducer(NO_UPDATES, { base: list, download: download("b", { bytes: 500 }) });
    state = downloadsReducer(state, { base: list, download: download("b", { bytes: 600 }) });
    state = downloadsReducer(state, { base: list, download: download("c", { bytes: 10 }) });
    expect(downloadRows(list, state).map((row) => [row.id, row.bytes])).toEqual([
      ["a", 0],
      ["b", 600],
      ["c", 10],
    ]);
  });

  it("drops downloads that became ready or were cancelled", () => {
    let state = downloadsReducer(NO_UPDATES, { base: list, download: download("a", { status: "ready", bytes: 1_000 }) });
    state = downloadsReducer(state, { base: list, download: download("b", { status: "cancelled" }) });
    expect(downloadRows(list, state)).toEqual([]);
  });

  it("forgets updates made over an older list once a newer one arrives", () => {
    const state = downloadsReducer(NO_UPDATES, { base: list, download: download("a", { bytes: 900 }) });
    const fresh = [download("a", { bytes: 950 })];
    expect(downloadRows(fresh, state)).toEqual(fresh);
    const next = downloadsReducer(state, { base: fresh, download: download("b", { status: "failed", error: "boom" }) });
    expect(next.byId).toEqual({ b: download("b", { status: "failed", error: "boom" }) });
  });

  it("shows live updates before the first list arrives", () => {
    const state = downloadsReducer(NO_UPDATES, { base: null, download: download("a", { bytes: 5 }) });
    expect(downloadRows(null, state)).toEqual([download("a", { bytes: 5 })]);
  });
});

describe("catalog helpers", () => {
  const model: CatalogModel = {
    id: "gemma-3-270m",
    name: "Gemma 3 270M",
    family: "gemma3",
    parameters: "270M",
    quantization: "Q4_K_M",
    sizeBytes: 253_000_000,
    contextLength: 32_768,
    ramBytes: 600_000_000,
    sha256: null,
    url: "https://example.invalid/gemma.gguf",
    fileName: "gemma-3-270m.gguf",
  };

  it("knows an installed entry by catalog id or file name", () => {
    const byId: InstalledModel = { fileName: "renamed.gguf", sizeBytes: 1, catalogId: "gemma-3-270m" };
    const byName: InstalledModel = { fileName: "gemma-3-270m.gguf", sizeBytes: 1 };
    const other: InstalledModel = { fileName: "other.gguf", sizeBytes: 1 };
    expect(isInstalled(model, [byId])).toBe(true);
    expect(isInstalled(model, [byName])).toBe(true);
    expect(isInstalled(model, [other])).toBe(false);
    expect(isInstalled(model, null)).toBe(false);
  });

  it("refetches installed models when a download becomes ready", () => {
    const event = (status: ModelDownload["status"]): FlowEvent => ({ type: "model-download", ...download("a", { status }) });
    expect(refreshesInstalled(event("ready"))).toBe(true);
    expect(refreshesInstalled(event("downloading"))).toBe(false);
    expect(refreshesInstalled({ type: "resync" })).toBe(false);
  });

  it("refetches installed models when a file is imported or deleted", () => {
    expect(refreshesInstalled({ type: "models-changed", fileName: "a.gguf", change: "imported" })).toBe(true);
    expect(refreshesInstalled({ type: "models-changed", fileName: "a.gguf", change: "deleted" })).toBe(true);
    expect(refreshesInstalled({ type: "llm-changed", model: "a.gguf", change: "loaded" })).toBe(false);
  });
});



describe("local runtime status", () => {
  it("refetches on load changes, imports, installs and new generations", () => {
    expect(refreshesStatus({ type: "llm-changed", model: "a.gguf", change: "evicted" })).toBe(true);
    expect(refreshesStatus({ type: "models-changed", fileName: "a.gguf", change: "deleted" })).toBe(true);
    expect(refreshesStatus({ type: "model-download", ...download("a", { status: "ready" }) })).toBe(true);
    expect(refreshesStatus({ type: "model-download", ...download("a") })).toBe(false);
    expect(refreshesStatus({ type: "llm-token", requestId: "r", model: "a.gguf", delta: "x", index: 0 })).toBe(true);
    expect(refreshesStatus({ type: "llm-token", requestId: "r", model: "a.gguf", delta: "x", index: 1 })).toBe(false);
    expect(refreshesStatus({ type: "resync" })).toBe(false);
  });

  it("finds resident models and labels them", () => {
    const status = llmStatus({ loaded: [loadedModel("a.gguf", { activeRequests: 1 }), loadedModel("b.gguf", { sizeBytes: null })] });
    expect(residentModel(status, "a.gguf")?.model).toBe("a.gguf");
    expect(residentModel(status, "c.gguf")).toBeUndefined();
    expect(residentModel(null, "a.gguf")).toBeUndefined();
    expect(residentLabel(loadedModel("a.gguf", { activeRequests: 1 }))).toBe("Loaded · 253 MB · in use");
    expect(residentLabel(loadedModel("a.gguf", { activeRequests: 3 }))).toBe("Loaded · 253 MB · in use ×3");
    expect(residentLabel(loadedModel("b.gguf", { sizeBytes: null }))).toBe("Loaded");
  });

  it("summarises the runtime and knows when it is busy", () => {
    const status = llmStatus({ loaded: [loadedModel("a.gguf")], memory: { residentBytes: 253_000_000, budgetBytes: 8_000_000_000 }, generating: 1 });
    expect(statusSummary(status)).toBe("1 / 2 loaded · 253 MB of 8.00 GB resident · 1 generating · 0 queued");
    expect(statusSummary(llmStatus({ memory: { residentBytes: null, budgetBytes: null } }))).toBe("0 / 2 loaded · 0 B resident · 0 generating · 0 queued");
    expect(isBusy(status)).toBe(true);
    expect(isBusy(llmStatus({ queued: 2 }))).toBe(true);
    expect(isBusy(llmStatus())).toBe(false);
    expect(isBusy(null)).toBe(false);
  });
});

describe("importing model files", () => {
  it("accepts plain .gguf names only", () => {
    expect(importNameProblem("mine.gguf")).toBeNull();
    expect(importNameProblem("")).toBe("Choose a .gguf file.");
    expect(importNameProblem("weights.bin")).toBe("Only GGUF files (ending in .gguf) can be imported.");
    expect(importNameProblem(".gguf")).not.toBeNull();
    expect(importNameProblem("a/b.gguf")).not.toBeNull();
    expect(importNameProblem(`${"x".repeat(300)}.gguf`)).not.toBeNull();
  });

  it("takes the file name of a path", () => {
    expect(baseName("/home/me/models/mine.gguf")).toBe("mine.gguf");
    expect(baseName("C:\\models\\mine.gguf ")).toBe("mine.gguf");
    expect(baseName("mine.gguf")).toBe("mine.gguf");
  });

  it("can load only files whose header was read", () => {
    expect(isUsable({ fileName: "a.gguf", sizeBytes: 1 })).toBe(true);
    expect(isUsable({ fileName: "a.gguf", sizeBytes: 1, error: "bad magic" })).toBe(false);
  });
});
