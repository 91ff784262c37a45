import type { ScheduleSpec } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  defaultForm,
  describeCadence,
  formatFiring,
  formFromSpec,
  instantToRfc3339,
  isValidTimeZone,
  localToRfc3339,
  rfc3339ToLocal,
  specFromForm,
  timeZoneOptions,
  zoneOffsetMinutes,
  type ScheduleForm,
} from "./schedule-form";

const NOW = Date.parse("2026-11-24T10:20:00Z");

describe("anchor and time zone", () => {
  it("converts a local time in a zone to RFC 3339 with its offset", () => {
    expect(localToRfc3339("2026-11-24T09:00", "Europe/Berlin")).toBe("2026-11-24T09:00:00+01:00");
    expect(localToRfc3339("2026-07-01T09:00", "Europe/Berlin")).toBe("2026-07-01T09:00:00+02:00");
    expect(localToRfc3339("2026-07-01T09:00", "America/New_York")).toBe("2026-07-01T09:00:00-04:00");
    expect(localToRfc3339("2026-07-01T09:00:30", "UTC")).toBe("2026-07-01T09:00:30+00:00");
    expect(localToRfc3339("2026-07-01T09:00", "Asia/Kolkata")).toBe("2026-07-01T09:00:00+05:30");
  });
  it("moves a time skipped by DST forward", () => {
    // 02:30 does not exist in Berlin on 2026-03-29.
    expect(localToRfc3339("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T03:30:00+02:00");
  });
  it("rejects bad input", () => {
    expect(localToRfc3339("", "UTC")).toBeNull();
    expect(localToRfc3339("2026-13-01T09:00", "UTC")).toBeNull();
    expect(localToRfc3339("2026-11-24T09:00", "Mars/Olympus")).toBeNull();
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
  });
  it("reads RFC 3339 back as a local time in the zone", () => {
    expect(rfc3339ToLocal("2026-11-24T08:00:00Z", "Europe/Berlin")).toBe("2026-11-24T09:00");
    expect(rfc3339ToLocal("2026-11-24T09:00:00+01:00", "America/New_York")).toBe("2026-11-24T03:00");
    expect(rfc3339ToLocal("nonsense", "UTC")).toBe("");
    expect(instantToRfc3339(Date.parse("2026-11-24T08:00:00Z"), "Europe/Berlin")).toBe("2026-11-24T09:00:00+01:00");
    expect(zoneOffsetMinutes(Date.parse("2026-01-01T00:00:00Z"), "America/St_Johns")).toBe(-210);
  });
  it("lists zones with the current one first when unknown", () => {
    const zones = timeZoneOptions("Europe/Berlin");
    expect(zones).toContain("Europe/Berlin");
    expect(zones).toContain("UTC");
  });
});

describe("form ⇄ spec", () => {
  const base: ScheduleForm = { ...defaultForm(NOW, "Europe/Berlin"), anchor: "2026-11-30T09:00" };

  it("defaults to daily at the next full hour", () => {
    const form = defaultForm(NOW, "UTC");
    expect(form.kind).toBe("daily");
    expect(form.anchor).toBe("2026-11-24T11:00");
    expect(form.enabled).toBe(true);
  });

  it("builds a preset spec", () => {
    expect(specFromForm({ ...base, kind: "weekly", catchUp: "run_once", confirmDestructive: true })).toEqual({
      spec: {
        cadence: { kind: "weekly" },
        anchor: "2026-11-30T09:00:00+01:00",
        timezone: "Europe/Berlin",
        catchUp: "run_once",
        confirmDestructive: true,
        enabled: true,
        until: null,
        maxRuns: null,
      },
    });
  });

  it("builds every-N-minutes and cron cadences, and checks them", () => {
    expect(specFromForm({ ...base, kind: "every_n_minutes", minutes: "15" })).toMatchObject({ spec: { cadence: { kind: "every_n_minutes", minutes: 15 } } });
    expect(specFromForm({ ...base, kind: "every_n_minutes", minutes: "0" })).toHaveProperty("error");
    expect(specFromForm({ ...base, kind: "every_n_minutes", minutes: "1.5" })).toHaveProperty("error");
    expect(specFromForm({ ...base, kind: "cron", cron: " 0  18 * * 1-5 " })).toMatchObject({ spec: { cadence: { kind: "cron", expression: "0 18 * * 1-5" } } });
    expect(specFromForm({ ...base, kind: "cron", cron: "  " })).toHaveProperty("error");
  });

  it("adds until and max runs, and checks them", () => {
    expect(specFromForm({ ...base, until: "2026-12-31T23:59", maxRuns: "10" })).toMatchObject({
      spec: { until: "2026-12-31T23:59:00+01:00", maxRuns: 10 },
    });
    expect(specFromForm({ ...base, until: "2026-11-01T00:00" })).toEqual({ error: "The end must be after the start." });
    expect(specFromForm({ ...base, maxRuns: "0" })).toHaveProperty("error");
    expect(specFromForm({ ...base, anchor: "" })).toHaveProperty("error");
  });

  it("round-trips a spec through the form", () => {
    const spec: ScheduleSpec = {
      cadence: { kind: "cron", expression: "*/5 * * * *" },
      anchor: "2026-11-30T09:00:00+01:00",
      timezone: "Europe/Berlin",
      until: "2027-01-01T00:00:00+01:00",
      maxRuns: 3,
      catchUp: "run_all",
      confirmDestructive: true,
      enabled: false,
    };
    const form = formFromSpec(spec, NOW);
    expect(form).toMatchObject({ kind: "cron", cron: "*/5 * * * *", anchor: "2026-11-30T09:00", until: "2027-01-01T00:00", maxRuns: "3", enabled: false });
    expect(specFromForm(form)).toEqual({ spec });
    const every = formFromSpec({ ...spec, cadence: { kind: "every_n_minutes", minutes: 90 } }, NOW);
    expect(every.minutes).toBe("90");
  });
});

describe("describeCadence", () => {
  const at = (kind: ScheduleSpec["cadence"]) => describeCadence({ cadence: kind, anchor: "2026-11-30T09:05:00+01:00", timezone: "Europe/Berlin" });
  it("says it in words", () => {
    expect(at({ kind: "hourly" })).toBe("Every hour at :05");
    expect(at({ kind: "daily" })).toBe("Every day at 09:05");
    expect(at({ kind: "weekly" })).toBe("Every Monday at 09:05");
    expect(at({ kind: "monthly" })).toBe("Every month on the 30th at 09:05");
    expect(at({ kind: "yearly" })).toBe("Every year on November 30 at 09:05");
    expect(at({ kind: "every_n_minutes", minutes: 15 })).toBe("Every 15 minutes");
    expect(at({ kind: "every_n_minutes", minutes: 1 })).toBe("Every minute");
    expect(at({ kind: "every_n_minutes", minutes: 120 })).toBe("Every 2 hours");
    expect(at({ kind: "every_n_minutes", minutes: 2880 })).toBe("Every 2 days");
    expect(at({ kind: "cron", expression: "0 18 * * 1-5" })).toBe("Cron 0 18 * * 1-5");
    expect(at({ kind: "once" })).toBe("Once on 2026-11-30 at 09:05");
  });
  it("formats firings in the zone", () => {
    expect(formatFiring("2026-11-30T08:05:00Z", "Europe/Berlin")).toBe("Mon 2026-11-30 09:05");
  });
});
