import type { Cadence, CatchUp, ScheduleSpec } from "@flow/bindings";

export type CadenceKind = Cadence["kind"];

export const PRESET_KINDS: readonly CadenceKind[] = ["hourly", "daily", "weekly", "monthly", "yearly"];
export const CADENCE_KINDS: readonly CadenceKind[] = [...PRESET_KINDS, "every_n_minutes", "cron", "once"];
export const CATCH_UPS: readonly { value: CatchUp; label: string }[] = [
  { value: "skip", label: "Skip" },
  { value: "run_once", label: "Run once" },
  { value: "run_all", label: "Run all" },
];

export function cadenceKindLabel(kind: CadenceKind): string {
  switch (kind) {
    case "hourly":
      return "Hourly";
    case "daily":
      return "Daily";
    case "weekly":
      return "Weekly";
    case "monthly":
      return "Monthly";
    case "yearly":
      return "Yearly";
    case "every_n_minutes":
      return "Every N minutes";
    case "cron":
      return "Cron";
    case "once":
      return "Once";
  }
}

// ---------------------------------------------------------------------------------------------
// Time zones: a local wall-clock time (`<input type="datetime-local">`) in an IANA zone ⇄ RFC 3339.

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === "") return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at the instant `ms`. */
export function wallClockAt(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function wallAsUtc(wall: WallClock): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** The zone's offset from UTC at the instant `ms`, in minutes (east positive). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallAsUtc(wallClockAt(whole, timeZone)) - whole) / 60_000);
}

function pad(value: number, width = 2): string {
  return String(Math.abs(value)).padStart(width, "0");
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * `2026-03-29T02:30` (a datetime-local value) read in `timeZone`, as RFC 3339 with that zone's
 * offset (`2026-03-29T03:30:00+02:00`), or null when the text is not a date-time. A time that
 * does not exist (skipped by a DST change) moves forward by the gap, as clocks do.
 */
export function localToRfc3339(local: string, timeZone: string): string | null {
  const match = LOCAL_INPUT.exec(local);
  if (match === null || !isValidTimeZone(timeZone)) return null;
  const [, y, mo, d, h, mi, s] = match;
  const wall: WallClock = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s ?? "0") };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  const guess = wallAsUtc(wall);
  // Two passes find the offset in force at that wall time (the first guess can sit across a DST change).
  let offset = zoneOffsetMinutes(guess, timeZone);
  offset = zoneOffsetMinutes(guess - offset * 60_000, timeZone);
  const instant = guess - offset * 60_000;
  return instantToRfc3339(instant, timeZone);
}

/** The instant `ms` as RFC 3339 in `timeZone`'s wall clock and offset. */
export function instantToRfc3339(ms: number, timeZone: string): string {
  const wall = wallClockAt(ms, timeZone);
  const offset = zoneOffsetMinutes(ms, timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${offsetText(offset)}`;
}

/** An RFC 3339 time as a datetime-local value in `timeZone` (`2026-03-29T09:00`), or "" when unreadable. */
export function rfc3339ToLocal(text: string, timeZone: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !isValidTimeZone(timeZone)) return "";
  const wall = wallClockAt(ms, timeZone);
  const base = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
  return wall.second === 0 ? base : `${base}:${pad(wall.second)}`;
}

/** The browser's time zone (UTC when it cannot tell). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every zone the runtime knows, the current one included even if missing from the list. */
export function timeZoneOptions(current: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  if (!zones.includes("UTC")) zones = ["UTC", ...zones];
  return zones.includes(current) || current === "" ? zones : [current, ...zones];
}

// ---------------------------------------------------------------------------------------------
// The dialog's form ⇄ ScheduleSpec.

export interface ScheduleForm {
  enabled: boolean;
  kind: CadenceKind;
  /** For every_n_minutes. */
  minutes: string;
  /** For cron. */
  cron: string;
  /** datetime-local value, read in `timezone`. */
  anchor: string;
  timezone: string;
  /** datetime-local value or "" (no end). */
  until: string;
  /** Digits or "" (no limit). */
  maxRuns: string;
  catchUp: CatchUp;
  confirmDestructive: boolean;
}

/** A new schedule: daily, starting at the next full hour in the browser's zone. */
export function defaultForm(now: number, timezone = browserTimeZone()): ScheduleForm {
  const nextHour = Math.ceil((now + 1) / 3_600_000) * 3_600_000;
  return {
    enabled: true,
    kind: "daily",
    minutes: "60",
    cron: "0 9 * * 1-5",
    anchor: rfc3339ToLocal(new Date(nextHour).toISOString(), timezone),
    timezone,
    until: "",
    maxRuns: "",
    catchUp: "skip",
    confirmDestructive: false,
  };
}

/** The form for an existing schedule's spec. */
export function formFromSpec(spec: ScheduleSpec, now: number): ScheduleForm {
  const timezone = isValidTimeZone(spec.timezone) ? spec.timezone : browserTimeZone();
  const base = defaultForm(now, timezone);
  return {
    ...base,
    enabled: spec.enabled ?? true,
    kind: spec.cadence.kind,
    minutes: spec.cadence.kind === "every_n_minutes" ? String(spec.cadence.minutes) : base.minutes,
    cron: spec.cadence.kind === "cron" ? spec.cadence.expression : base.cron,
    anchor: rfc3339ToLocal(spec.anchor, timezone) || base.anchor,
    until: spec.until !== undefined && spec.until !== null ? rfc3339ToLocal(spec.until, timezone) : "",
    maxRuns: spec.maxRuns !== undefined && spec.maxRuns !== null ? String(spec.maxRuns) : "",
    catchUp: spec.catchUp ?? "skip",
    confirmDestructive: spec.confirmDestructive ?? false,
  };
}

export function cadenceFromForm(form: ScheduleForm): { cadence: Cadence } | { error: string } {
  switch (form.kind) {
    case "every_n_minutes": {
      const text = form.minutes.trim();
      const minutes = Number(text);
      if (!/^\d+$/.test(text) || minutes < 1 || minutes > 525_600) return { error: "Enter a number of minutes from 1 to 525600." };
      return { cadence: { kind: "every_n_minutes", minutes } };
    }
    case "cron": {
      const expression = form.cron.trim().replace(/\s+/g, " ");
      if (expression === "") return { error: "Enter a cron expression." };
      return { cadence: { kind: "cron", expression } };
    }
    default:
      return { cadence: { kind: form.kind } as Cadence };
  }
}

/** The spec `scheduleSet` gets, or the first problem of the form in words. */
export function specFromForm(form: ScheduleForm): { spec: ScheduleSpec } | { error: string } {
  const cadence = cadenceFromForm(form);
  if ("error" in cadence) return cadence;
  if (!isValidTimeZone(form.timezone)) return { error: "Choose a time zone." };
  const anchor = localToRfc3339(form.anchor, form.timezone);
  if (anchor === null) return { error: form.kind === "once" ? "Enter the date and time to run." : "Enter a start date and time." };
  const spec: ScheduleSpec = {
    cadence: cadence.cadence,
    anchor,
    timezone: form.timezone,
    catchUp: form.catchUp,
    confirmDestructive: form.confirmDestructive,
    enabled: form.enabled,
    until: null,
    maxRuns: null,
  };
  if (form.until.trim() !== "") {
    const until = localToRfc3339(form.until, form.timezone);
    if (until === null) return { error: "Enter a valid end date and time, or clear it." };
    if (Date.parse(until) <= Date.parse(anchor)) return { error: "The end must be after the start." };
    spec.until = until;
  }
  const maxRuns = form.maxRuns.trim();
  if (maxRuns !== "") {
    if (!/^\d+$/.test(maxRuns) || Number(maxRuns) < 1) return { error: "Max runs must be a whole number of at least 1, or empty." };
    spec.maxRuns = Number(maxRuns);
  }
  return { spec };
}

// ---------------------------------------------------------------------------------------------
// Cadence in words.

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** "Every day at 09:00", "Every Monday at 18:30", "Every 15 minutes", "Cron 0 18 * * 1-5", … */
export function describeCadence(spec: Pick<ScheduleSpec, "cadence" | "anchor" | "timezone">): string {
  const ms = Date.parse(spec.anchor);
  const zone = isValidTimeZone(spec.timezone) ? spec.timezone : "UTC";
  const wall = Number.isNaN(ms) ? null : wallClockAt(ms, zone);
  const time = wall === null ? "" : ` at ${pad(wall.hour)}:${pad(wall.minute)}`;
  const cadence = spec.cadence;
  switch (cadence.kind) {
    case "hourly":
      return wall === null ? "Every hour" : `Every hour at :${pad(wall.minute)}`;
    case "daily":
      return `Every day${time}`;
    case "weekly":
      return wall === null ? "Every week" : `Every ${WEEKDAYS[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()] ?? ""}${time}`;
    case "monthly":
      return wall === null ? "Every month" : `Every month on the ${ordinal(wall.day)}${time}`;
    case "yearly":
      return wall === null ? "Every year" : `Every year on ${MONTHS[wall.month - 1] ?? ""} ${wall.day}${time}`;
    case "every_n_minutes":
      if (cadence.minutes === 1) return "Every minute";
      if (cadence.minutes % 1440 === 0) return cadence.minutes === 1440 ? "Every 24 hours" : `Every ${cadence.minutes / 1440} days`;
      if (cadence.minutes % 60 === 0) return cadence.minutes === 60 ? "Every hour" : `Every ${cadence.minutes / 60} hours`;
      return `Every ${cadence.minutes} minutes`;
    case "cron":
      return `Cron ${cadence.expression}`;
    case "once":
      return wall === null ? "Once" : `Once on ${wall.year}-${pad(wall.month)}-${pad(wall.day)}${time}`;
  }
}

/** An RFC 3339 firing time for the preview list, in the schedule's zone: "Mon 2026-11-30 09:00". */
export function formatFiring(text: string, timeZone: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  const zone = isValidTimeZone(timeZone) ? timeZone : "UTC";
  const wall = wallClockAt(ms, zone);
  const weekday = WEEKDAYS[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()]?.slice(0, 3) ?? "";
  return `${weekday} ${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}
