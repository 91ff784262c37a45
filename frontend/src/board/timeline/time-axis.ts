// The Timeline's time axis: a span of task times mapped onto 0–100 %, with ticks at a step that
// suits the span (seconds for a burst of work, days for a long-running list). No React here.

/** The unit the axis labels its ticks in. */
export type AxisUnit = "seconds" | "minutes" | "hours" | "days";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps from finest to coarsest; the axis takes the first that gives at most `maxTicks`. */
const STEPS: readonly { ms: number; unit: AxisUnit }[] = [
  { ms: SECOND, unit: "seconds" },
  { ms: 2 * SECOND, unit: "seconds" },
  { ms: 5 * SECOND, unit: "seconds" },
  { ms: 10 * SECOND, unit: "seconds" },
  { ms: 15 * SECOND, unit: "seconds" },
  { ms: 30 * SECOND, unit: "seconds" },
  { ms: MINUTE, unit: "minutes" },
  { ms: 2 * MINUTE, unit: "minutes" },
  { ms: 5 * MINUTE, unit: "minutes" },
  { ms: 10 * MINUTE, unit: "minutes" },
  { ms: 15 * MINUTE, unit: "minutes" },
  { ms: 30 * MINUTE, unit: "minutes" },
  { ms: HOUR, unit: "hours" },
  { ms: 2 * HOUR, unit: "hours" },
  { ms: 3 * HOUR, unit: "hours" },
  { ms: 6 * HOUR, unit: "hours" },
  // Half days already span dates: labelled as days (with the hour).
  { ms: 12 * HOUR, unit: "days" },
  { ms: DAY, unit: "days" },
  { ms: 2 * DAY, unit: "days" },
  { ms: 7 * DAY, unit: "days" },
  { ms: 14 * DAY, unit: "days" },
  { ms: 30 * DAY, unit: "days" },
  { ms: 90 * DAY, unit: "days" },
  { ms: 365 * DAY, unit: "days" },
];

/** A tick: its time and where it sits on the axis. */
export interface AxisTick {
  at: number;
  percent: number;
}

/** The axis: its span in epoch ms, the tick step and unit, and the ticks inside the span. */
export interface TimeAxis {
  start: number;
  end: number;
  stepMs: number;
  unit: AxisUnit;
  ticks: AxisTick[];
}

/**
 * The axis covering `[min, max]` (epoch ms), widened to whole steps so that ticks mark both ends.
 * The step is the finest that keeps at most `maxTicks` + 1 ticks. A span under a second counts
 * as one second, so tasks created and updated in the same instant still get an axis. Ticks fall
 * on multiples of the step in UTC (local day labels may be offset by the zone, which they show).
 */
export function timeAxis(min: number, max: number, maxTicks = 8): TimeAxis {
  const low = Math.min(min, max);
  const high = Math.max(low + SECOND, Math.max(min, max));
  const padded = (ms: number) => {
    const start = Math.floor(low / ms) * ms;
    const end = Math.max(start + ms, Math.ceil(high / ms) * ms);
    return { start, end, count: (end - start) / ms + 1 };
  };
  const lastStep = STEPS[STEPS.length - 1] ?? { ms: DAY, unit: "days" as const };
  let step = STEPS.find((candidate) => padded(candidate.ms).count <= maxTicks + 1);
  // Past the table, the smallest whole multiple of its last step that fits.
  if (step === undefined) {
    let multiple = Math.max(1, Math.floor((high - low) / maxTicks / lastStep.ms));
    while (padded(multiple * lastStep.ms).count > maxTicks + 1) multiple += 1;
    step = { ms: multiple * lastStep.ms, unit: "days" };
  }
  const { start, end } = padded(step.ms);
  const span = end - start;
  const ticks: AxisTick[] = [];
  for (let at = start; at <= end; at += step.ms) ticks.push({ at, percent: ((at - start) / span) * 100 });
  return { start, end, stepMs: step.ms, unit: step.unit, ticks };
}

/** Where a bar from `from` to `to` sits on the axis, in percent of its width. */
export function barPlacement(axis: TimeAxis, from: number, to: number): { left: number; width: number } {
  const span = axis.end - axis.start;
  const clamp = (at: number) => Math.min(Math.max(at, axis.start), axis.end);
  const left = ((clamp(Math.min(from, to)) - axis.start) / span) * 100;
  const right = ((clamp(Math.max(from, to)) - axis.start) / span) * 100;
  return { left, width: right - left };
}

/** Formatting options for a tick label on the axis (local time). */
export function tickFormat(axis: Pick<TimeAxis, "unit" | "stepMs">): Intl.DateTimeFormatOptions {
  switch (axis.unit) {
    case "seconds":
      return { hour: "2-digit", minute: "2-digit", second: "2-digit" };
    case "minutes":
    case "hours":
      return { hour: "2-digit", minute: "2-digit" };
    case "days":
      return axis.stepMs < DAY ? { month: "short", day: "numeric", hour: "2-digit" } : { month: "short", day: "numeric" };
  }
}

/** Parses an ISO time to epoch ms; null when it is not a time. */
export function parseTime(iso: string): number | null {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : at;
}
