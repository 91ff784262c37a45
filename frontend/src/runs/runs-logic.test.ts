import type { RunSummary } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  byteSize,
  EMPTY_FILTER_FORM,
  filterFromParams,
  filterToParams,
  formatDuration,
  mergePages,
  nextCursor,
  refreshesRunList,
  runDuration,
  runPath,
  toRunFilter,
  triggerLabel,
  truncationNote,
} from "./runs-logic";

function run(id: string, startedAt: string): RunSummary {
  return { executionId: id, flowName: "F", status: "succeeded", trigger: "manual", startedAt, succeeded: 1, failed: 0, skipped: 0 };
}

describe("toRunFilter", () => {
  it("leaves empty fields out", () => {
    expect(toRunFilter(EMPTY_FILTER_FORM)).toEqual({ limit: 50 });
  });
  it("maps every field and the cursor", () => {
    expect(toRunFilter({ flow: "build", status: "failed", trigger: "scheduled", search: "  exit 3 " }, "2026-11-24T10:00:00Z", 20)).toEqual({
      flow: "build",
      status: "failed",
      trigger: "scheduled",
      search: "exit 3",
      before: "2026-11-24T10:00:00Z",
      limit: 20,
    });
  });
  it("round-trips through the address bar and ignores unknown values", () => {
    const form = { flow: "a", status: "running", trigger: "api", search: "x" } as const;
    expect(filterFromParams(filterToParams(form))).toEqual(form);
    expect(filterFromParams(new URLSearchParams("status=bogus&trigger=nope"))).toEqual(EMPTY_FILTER_FORM);
    expect(filterToParams(EMPTY_FILTER_FORM, new URLSearchParams("view=schedules&q=old")).toString()).toBe("view=schedules");
  });
});

describe("paging", () => {
  it("gives a cursor only for a full page", () => {
    const page = [run("a", "2026-11-24T10:00:00Z"), run("b", "2026-11-24T09:00:00Z")];
    expect(nextCursor(page, 2)).toBe("2026-11-24T09:00:00Z");
    expect(nextCursor(page, 3)).toBeNull();
  });
  it("merges without duplicates", () => {
    const a = run("a", "1");
    const b = run("b", "2");
    expect(mergePages([a, b], [b, run("c", "3")]).map((r) => r.executionId)).toEqual(["a", "b", "c"]);
  });
});

describe("formatting", () => {
  it("formats durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(7_440_000)).toBe("2 h 4 min");
  });
  it("computes a live run's duration", () => {
    expect(runDuration({ startedAt: "2026-11-24T10:00:00Z" }, Date.parse("2026-11-24T10:00:05Z"))).toBe(5_000);
    expect(runDuration({ startedAt: "2026-11-24T10:00:00Z", durationMs: 7 }, 0)).toBe(7);
  });
  it("labels triggers and builds paths", () => {
    expect(triggerLabel("rerun")).toBe("Re-run");
    expect(runPath("a/b")).toBe("/runs/a%2Fb");
  });
});

describe("refreshesRunList", () => {
  it("refreshes on start, done and resync only", () => {
    const base = { type: "execution", execution_id: "e", at: "", seq: 0 } as const;
    expect(refreshesRunList({ ...base, kind: "started", flow_name: "F", trigger: "manual" })).toBe(true);
    expect(refreshesRunList({ ...base, kind: "done", status: "failed" })).toBe(true);
    expect(refreshesRunList({ ...base, kind: "node_log", node_id: "a", stream: "stdout", line: "" })).toBe(false);
    expect(refreshesRunList({ type: "resync" })).toBe(true);
  });
});

describe("truncationNote", () => {
  it("says what a capped step output let go, per stream", () => {
    const output = { exitCode: 0, stdout: "9999999\n", truncated: { stdout: 78_000_000, stderr: 0, limit: 1_048_576 } };
    expect(truncationNote(output)).toBe(
      "The output keeps the last 1.0 MiB of each stream; the first 74.4 MiB of stdout are only in the logs.",
    );
    const both = { truncated: { stdout: 2048, stderr: 512, limit: 1024 } };
    expect(truncationNote(both)).toBe(
      "The output keeps the last 1.0 KiB of each stream; the first 2.0 KiB of stdout and 512 bytes of stderr are only in the logs.",
    );
  });

  it("is null for whole outputs and for shapes it does not know", () => {
    expect(truncationNote({ exitCode: 0, stdout: "ok" })).toBeNull();
    expect(truncationNote(null)).toBeNull();
    expect(truncationNote("text")).toBeNull();
    expect(truncationNote({ truncated: true })).toBeNull();
    expect(truncationNote({ truncated: { stdout: 0, stderr: 0, limit: 10 } })).toBeNull();
  });

  it("sizes bytes in binary units", () => {
    expect(byteSize(0)).toBe("0 bytes");
    expect(byteSize(1023)).toBe("1,023 bytes");
    expect(byteSize(1536)).toBe("1.5 KiB");
    expect(byteSize(10 * 1024 * 1024)).toBe("10.0 MiB");
  });
});
