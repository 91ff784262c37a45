import { describe, expect, it } from "vitest";
import { barPlacement, tickFormat, timeAxis } from "./time-axis";

const T0 = Date.parse("2026-03-05T10:00:00.000Z");

describe("timeAxis", () => {
  it("labels a span of seconds in seconds", () => {
    const axis = timeAxis(T0, T0 + 12_000);
    expect(axis.unit).toBe("seconds");
    expect(axis.stepMs).toBe(2_000);
    expect(axis.ticks.map((tick) => tick.at - T0)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000]);
    expect(axis.ticks[0]?.percent).toBe(0);
    expect(axis.ticks.at(-1)?.percent).toBe(100);
  });

  it("scales up through minutes and hours to days", () => {
    expect(timeAxis(T0, T0 + 20 * 60_000).unit).toBe("minutes");
    expect(timeAxis(T0, T0 + 20 * 60_000).stepMs).toBe(5 * 60_000);
    expect(timeAxis(T0, T0 + 5 * 3_600_000).unit).toBe("hours");
    expect(timeAxis(T0, T0 + 3 * 86_400_000).unit).toBe("days");
    expect(timeAxis(T0, T0 + 3 * 86_400_000).stepMs).toBe(12 * 3_600_000);
    const days = timeAxis(T0, T0 + 10 * 86_400_000);
    expect(days.unit).toBe("days");
    expect(days.stepMs).toBe(2 * 86_400_000);
    expect(days.ticks.length).toBeLessThanOrEqual(9);
  });

  it("never gives more ticks than asked (plus the closing one), even over years", () => {
    const axis = timeAxis(T0, T0 + 40 * 365 * 86_400_000);
    expect(axis.unit).toBe("days");
    expect(axis.ticks.length).toBeLessThanOrEqual(9);
  });

  it("widens to whole steps so that ticks mark both ends", () => {
    const axis = timeAxis(T0 + 300, T0 + 1_700);
    expect(axis.start).toBe(T0);
    expect(axis.end).toBe(T0 + 2_000);
    expect(axis.ticks.map((tick) => tick.percent)).toEqual([0, 50, 100]);
  });

  it("widens an empty span to one second and accepts reversed bounds", () => {
    const axis = timeAxis(T0, T0);
    expect(axis.end - axis.start).toBe(1_000);
    expect(axis.ticks).toHaveLength(2);
    expect(axis.unit).toBe("seconds");
    expect(timeAxis(T0 + 5_000, T0).start).toBe(T0);
  });
});

describe("tickFormat", () => {
  it("adds the hour to day labels only when ticks are less than a day apart", () => {
    expect(tickFormat({ unit: "days", stepMs: 12 * 3_600_000 }).hour).toBe("2-digit");
    expect(tickFormat({ unit: "days", stepMs: 86_400_000 }).hour).toBeUndefined();
    expect(tickFormat({ unit: "seconds", stepMs: 1_000 }).second).toBe("2-digit");
  });
});

describe("barPlacement", () => {
  it("places a bar by percent of the span and clamps to it", () => {
    const axis = timeAxis(T0, T0 + 10_000);
    expect(barPlacement(axis, T0 + 2_500, T0 + 5_000)).toEqual({ left: 25, width: 25 });
    expect(barPlacement(axis, T0 - 5_000, T0 + 20_000)).toEqual({ left: 0, width: 100 });
    expect(barPlacement(axis, T0 + 5_000, T0 + 5_000)).toEqual({ left: 50, width: 0 });
  });
});
