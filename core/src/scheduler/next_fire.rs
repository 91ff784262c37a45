//! Next-firing computation: pure functions of a spec and an instant (the clock is passed in).
//!
//! Rules, in the schedule's IANA timezone:
//! - `daily`/`weekly`/`monthly`/`yearly` keep the anchor's local time of day (and weekday, day of
//!   month, month and day). A local time that does not exist that day (DST gap) fires at the
//!   first real instant after the gap; one that exists twice (DST overlap) fires once, at the
//!   earlier instant. Monthly on the 29th–31st clamps to the month's last day and returns to the
//!   anchor's day when the month has it; yearly on Feb 29 fires on Feb 28 in other years.
//! - `hourly` keeps the anchor's minute and second and fires every real hour: an hour skipped by
//!   a DST gap does not fire and a repeated hour fires on both passes, so with whole-hour shifts
//!   firings stay 60 minutes apart (applying the daily rules would fire twice within minutes
//!   after a gap and leave a two-hour hole in an overlap).
//! - `every_n_minutes` is absolute time: anchor + k·N minutes.
//! - `cron` is evaluated by `croner`, whose DST rules match the presets' (fixed-time patterns fire
//!   after a gap and once in an overlap; wildcard patterns follow real time). Firings start at the
//!   anchor.
//! - `once` is the anchor.
//!
//! Every firing is a whole second at or after the anchor and at or before `until`.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use super::types::{Cadence, ScheduleSpec};
use crate::AppError;

/// Firings a preview returns when the caller does not say.
pub const DEFAULT_PREVIEW_COUNT: u32 = 5;
/// The most firings a preview returns.
pub const MAX_PREVIEW_COUNT: u32 = 100;
/// The longest `every_n_minutes` interval: a year.
pub const MAX_INTERVAL_MINUTES: u32 = 525_600;

#[derive(Debug, Clone)]
enum Rule {
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
    Every(i64),
    Cron(Box<Cron>),
    Once,
}

/// A validated spec, ready to compute firings.
#[derive(Debug, Clone)]
pub struct Plan {
    tz: Tz,
    anchor: DateTime<Utc>,
    local_anchor: NaiveDateTime,
    until: Option<DateTime<Utc>>,
    rule: Rule,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::InvalidInput(message.into())
}

/// Drops sub-second precision: firings are whole seconds.
fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// Parses an IANA timezone name.
pub fn parse_timezone(name: &str) -> Result<Tz, AppError> {
    name.trim().parse::<Tz>().map_err(|_| {
        invalid(format!(
            "unknown timezone {name:?}: use an IANA name such as Europe/Berlin or UTC"
        ))
    })
}

/// Parses an RFC 3339 time; a local time without an offset (`2025-03-30T02:30[:00]`, what a
/// datetime input sends) is read in `tz`.
pub fn parse_instant(text: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, AppError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(whole_second(at.with_timezone(&Utc)));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"));
    match naive {
        Ok(naive) => resolve_local(tz, naive)
            .map(whole_second)
            .ok_or_else(|| invalid(format!("{what} {text:?} is out of range"))),
        Err(_) => Err(invalid(format!(
            "{what} {text:?} is not an RFC 3339 time (e.g. 2025-03-30T02:30:00+01:00)"
        ))),
    }
}

/// Formats an instant as RFC 3339 with the zone's offset at that instant.
pub fn format_in(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a 5-field (minute precision) or 6-field (seconds first) cron expression.
pub fn parse_cron(expression: &str) -> Result<Cron, AppError> {
    let fields = expression.split_whitespace().count();
    if !(fields == 5 || fields == 6) {
        return Err(invalid(format!(
            "cron expression {expression:?} has {fields} fields: use 5 (minute hour day-of-month \
             month day-of-week) or 6 (seconds first)"
        )));
    }
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build()
        .parse(expression)
        .map_err(|err| invalid(format!("cron expression {expression:?} is invalid: {err}")))
}

/// The instant a local time names: the earlier one when it is ambiguous, the first instant after
/// the gap when it does not exist.
fn resolve_local(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => after_gap(tz, naive),
    }
}

/// The first real instant after the DST gap that swallowed `naive`: the local times past the gap
/// resolve, the ones in it don't, so a binary search over seconds finds the gap's end.
fn after_gap(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let resolves = |t: NaiveDateTime| !matches!(tz.from_local_datetime(&t), LocalResult::None);
    let mut lo = naive;
    let mut hi = (1..=96)
        .filter_map(|step| naive.checked_add_signed(Duration::minutes(15 * step)))
        .find(|t| resolves(*t))?;
    while (hi - lo).num_seconds() > 1 {
        let mid = lo.checked_add_signed(Duration::seconds((hi - lo).num_seconds() / 2))?;
        if resolves(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    tz.from_local_datetime(&hi)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    Some(
        NaiveDate::from_ymd_opt(next_year, next_month, 1)?
            .pred_opt()?
            .day(),
    )
}

/// The date `months` months after (`year`, `month`) on `day`, clamped to the month's length.
fn clamped_date(year: i32, month: u32, day: u32, months: i64) -> Option<NaiveDate> {
    let total = i64::from(year) * 12 + i64::from(month) - 1 + months;
    let y = i32::try_from(total.div_euclid(12)).ok()?;
    let m = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(y, m, day.min(days_in_month(y, m)?))
}

impl Plan {
    /// Validates a spec: timezone, anchor, `until`, interval, cron expression, `maxRuns`.
    pub fn compile(spec: &ScheduleSpec) -> Result<Self, AppError> {
        let tz = parse_timezone(&spec.timezone)?;
        let anchor = parse_instant(&spec.anchor, tz, "anchor")?;
        let until = spec
            .until
            .as_deref()
            .map(|text| parse_instant(text, tz, "until"))
            .transpose()?;
        if let Some(until) = until
            && until < anchor
        {
            return Err(invalid(format!(
                "until ({}) is before the anchor ({})",
                format_in(tz, until),
                format_in(tz, anchor)
            )));
        }
        if spec.max_runs == Some(0) {
            return Err(invalid("maxRuns must be at least 1"));
        }
        let rule = match &spec.cadence {
            Cadence::Hourly => Rule::Hourly,
            Cadence::Daily => Rule::Daily,
            Cadence::Weekly => Rule::Weekly,
            Cadence::Monthly => Rule::Monthly,
            Cadence::Yearly => Rule::Yearly,
            Cadence::EveryNMinutes { minutes } => {
                if *minutes == 0 || *minutes > MAX_INTERVAL_MINUTES {
                    return Err(invalid(format!(
                        "every {minutes} minutes is out of range: use 1 to {MAX_INTERVAL_MINUTES}"
                    )));
                }
                Rule::Every(i64::from(*minutes) * 60)
            }
            Cadence::Cron { expression } => Rule::Cron(Box::new(parse_cron(expression)?)),
            Cadence::Once => Rule::Once,
        };
        Ok(Self {
            tz,
            anchor,
            local_anchor: anchor.with_timezone(&tz).naive_local(),
            until,
            rule,
        })
    }

    /// The schedule's timezone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The anchor instant.
    pub fn anchor(&self) -> DateTime<Utc> {
        self.anchor
    }

    /// No firings after this.
    pub fn until(&self) -> Option<DateTime<Utc>> {
        self.until
    }

    /// Whether this is a `once` schedule.
    pub fn is_once(&self) -> bool {
        matches!(self.rule, Rule::Once)
    }

    /// The first firing strictly after `after`, or `None` when there is none (past `until`, a
    /// `once` already past, a cron pattern that never matches again).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let after = whole_second(after);
        // Firings are whole seconds at or after the anchor, so "after anchor − 1 s" means "at or
        // after the anchor".
        let from = after.max(self.anchor - Duration::seconds(1));
        let next = match &self.rule {
            Rule::Once => (self.anchor > from).then_some(self.anchor),
            Rule::Every(step) => {
                let elapsed = (from - self.anchor).num_seconds();
                let k = if elapsed < 0 { 0 } else { elapsed / step + 1 };
                self.anchor
                    .checked_add_signed(Duration::seconds(k.checked_mul(*step)?))
            }
            Rule::Cron(cron) => cron
                .find_next_occurrence(&from.with_timezone(&self.tz), false)
                .inspect_err(|err| tracing::debug!(%err, "cron pattern has no next firing"))
                .ok()
                .map(|at| at.with_timezone(&Utc)),
            Rule::Hourly => self.next_hourly(from),
            Rule::Daily | Rule::Weekly | Rule::Monthly | Rule::Yearly => self.next_calendar(from),
        }?;
        match self.until {
            Some(until) if next > until => None,
            _ => Some(next),
        }
    }

    /// The next `count` firings after `after`.
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(count);
        let mut cursor = after;
        while out.len() < count {
            match self.next_after(cursor) {
                Some(next) => {
                    out.push(next);
                    cursor = next;
                }
                None => break,
            }
        }
        out
    }

    /// The `k`-th firing of a daily/weekly/monthly/yearly schedule (0 is the anchor itself).
    fn calendar_firing(&self, k: i64) -> Option<DateTime<Utc>> {
        if k == 0 {
            return Some(self.anchor);
        }
        let a = self.local_anchor;
        let date = match self.rule {
            Rule::Daily => a.date().checked_add_signed(Duration::days(k))?,
            Rule::Weekly => a
                .date()
                .checked_add_signed(Duration::days(k.checked_mul(7)?))?,
            Rule::Monthly => clamped_date(a.year(), a.month(), a.day(), k)?,
            Rule::Yearly => clamped_date(a.year(), a.month(), a.day(), k.checked_mul(12)?)?,
            _ => return None,
        };
        resolve_local(self.tz, date.and_time(a.time()))
    }

    fn next_calendar(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let a = self.local_anchor;
        let local = from.with_timezone(&self.tz).naive_local();
        let days = (local.date() - a.date()).num_days();
        let months = i64::from(local.year() - a.year()) * 12 + i64::from(local.month())
            - i64::from(a.month());
        let estimate = match self.rule {
            Rule::Daily => days,
            Rule::Weekly => days / 7,
            Rule::Monthly => months,
            _ => months / 12,
        };
        // The estimate is within one period of the answer; start a period early to be safe.
        let first = (estimate - 1).max(0);
        (first..first + 4)
            .filter_map(|k| self.calendar_firing(k))
            .find(|at| *at > from)
    }

    fn next_hourly(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let a = self.local_anchor;
        let local = from.with_timezone(&self.tz).naive_local();
        // Start a few wall-clock hours early: an overlap repeats an hour of local time.
        let start = local.checked_sub_signed(Duration::hours(3))?;
        let start = start
            .date()
            .and_hms_opt(start.hour(), a.minute(), a.second())?;
        (0..12)
            .filter_map(|h| start.checked_add_signed(Duration::hours(h)))
            .flat_map(|naive| match self.tz.from_local_datetime(&naive) {
                LocalResult::Single(at) => vec![at.with_timezone(&Utc)],
                LocalResult::Ambiguous(x, y) => {
                    let (x, y) = (x.with_timezone(&Utc), y.with_timezone(&Utc));
                    vec![x.min(y), x.max(y)]
                }
                LocalResult::None => Vec::new(),
            })
            .find(|at| *at > from && *at >= self.anchor)
    }
}

/// The next `count` firings (default 5, at most 100) of a spec after `now`, as RFC 3339 in its
/// timezone. `until` and `maxRuns` (counted from zero, as for a new schedule) cut the list short.
pub fn preview(
    spec: &ScheduleSpec,
    now: DateTime<Utc>,
    count: Option<u32>,
) -> Result<Vec<String>, AppError> {
    let plan = Plan::compile(spec)?;
    let mut count = count
        .unwrap_or(DEFAULT_PREVIEW_COUNT)
        .min(MAX_PREVIEW_COUNT);
    if let Some(max) = spec.max_runs {
        count = count.min(max);
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    Ok(plan
        .upcoming(now, count)
        .into_iter()
        .map(|at| format_in(plan.tz, at))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::types::CatchUp;

    fn spec(cadence: Cadence, anchor: &str, tz: &str) -> ScheduleSpec {
        ScheduleSpec {
            cadence,
            anchor: anchor.into(),
            timezone: tz.into(),
            until: None,
            max_runs: None,
            catch_up: CatchUp::Skip,
            confirm_destructive: false,
            enabled: true,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn next(s: &ScheduleSpec, now: &str, n: u32) -> Vec<String> {
        preview(s, at(now), Some(n)).unwrap()
    }

    fn cron(expr: &str) -> Cadence {
        Cadence::Cron {
            expression: expr.into(),
        }
    }

    #[test]
    fn berlin_daily_across_the_spring_gap_fires_after_it() {
        let s = spec(Cadence::Daily, "2024-03-28T02:30:00+01:00", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-03-29T12:00:00Z", 3),
            [
                "2024-03-30T02:30:00+01:00",
                "2024-03-31T03:00:00+02:00",
                "2024-04-01T02:30:00+02:00",
            ]
        );
    }

    #[test]
    fn berlin_daily_across_the_autumn_overlap_fires_once() {
        let s = spec(Cadence::Daily, "2024-10-20T02:30:00+02:00", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-10-26T12:00:00Z", 3),
            [
                "2024-10-27T02:30:00+02:00",
                "2024-10-28T02:30:00+01:00",
                "2024-10-29T02:30:00+01:00",
            ]
        );
        // Right after the earlier 02:30, the later 02:30 (+01:00) is not a second firing.
        assert_eq!(
            next(&s, "2024-10-27T00:30:00Z", 1),
            ["2024-10-28T02:30:00+01:00"]
        );
    }

    #[test]
    fn new_york_daily_keeps_wall_clock_time() {
        let s = spec(
            Cadence::Daily,
            "2024-03-01T09:00:00-05:00",
            "America/New_York",
        );
        assert_eq!(
            next(&s, "2024-03-09T15:00:00Z", 2),
            ["2024-03-10T09:00:00-04:00", "2024-03-11T09:00:00-04:00"]
        );
        let gap = spec(
            Cadence::Daily,
            "2024-03-01T02:30:00-05:00",
            "America/New_York",
        );
        assert_eq!(
            next(&gap, "2024-03-09T12:00:00Z", 2),
            ["2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00"]
        );
    }

    #[test]
    fn hourly_fires_every_real_hour_across_dst() {
        let s = spec(
            Cadence::Hourly,
            "2024-10-26T00:15:00+02:00",
            "Europe/Berlin",
        );
        assert_eq!(
            next(&s, "2024-10-26T23:00:00Z", 4),
            [
                "2024-10-27T01:15:00+02:00",
                "2024-10-27T02:15:00+02:00",
                "2024-10-27T02:15:00+01:00",
                "2024-10-27T03:15:00+01:00",
            ]
        );
        let s = spec(
            Cadence::Hourly,
            "2024-03-01T00:15:00+01:00",
            "Europe/Berlin",
        );
        assert_eq!(
            next(&s, "2024-03-30T23:30:00Z", 3),
            [
                "2024-03-31T01:15:00+01:00",
                "2024-03-31T03:15:00+02:00",
                "2024-03-31T04:15:00+02:00",
            ]
        );
    }

    #[test]
    fn weekly_keeps_weekday() {
        let s = spec(Cadence::Weekly, "2024-01-01T08:00:00Z", "UTC");
        assert_eq!(
            next(&s, "2024-01-01T08:00:00Z", 2),
            ["2024-01-08T08:00:00Z", "2024-01-15T08:00:00Z"]
        );
    }

    #[test]
    fn monthly_on_the_31st_clamps_and_returns() {
        let s = spec(Cadence::Monthly, "2024-01-31T10:00:00Z", "UTC");
        assert_eq!(
            next(&s, "2024-01-01T00:00:00Z", 5),
            [
                "2024-01-31T10:00:00Z",
                "2024-02-29T10:00:00Z",
                "2024-03-31T10:00:00Z",
                "2024-04-30T10:00:00Z",
                "2024-05-31T10:00:00Z",
            ]
        );
        assert_eq!(
            next(&s, "2025-02-01T00:00:00Z", 1),
            ["2025-02-28T10:00:00Z"]
        );
    }

    #[test]
    fn yearly_on_feb_29() {
        let s = spec(
            Cadence::Yearly,
            "2024-02-29T12:00:00+01:00",
            "Europe/Berlin",
        );
        assert_eq!(
            next(&s, "2024-03-01T00:00:00Z", 5),
            [
                "2025-02-28T12:00:00+01:00",
                "2026-02-28T12:00:00+01:00",
                "2027-02-28T12:00:00+01:00",
                "2028-02-29T12:00:00+01:00",
                "2029-02-28T12:00:00+01:00",
            ]
        );
    }

    #[test]
    fn every_15_minutes_is_absolute() {
        let s = spec(
            Cadence::EveryNMinutes { minutes: 15 },
            "2024-10-27T00:50:00Z",
            "Europe/Berlin",
        );
        assert_eq!(
            next(&s, "2024-10-27T00:55:00Z", 3),
            [
                "2024-10-27T02:05:00+01:00",
                "2024-10-27T02:20:00+01:00",
                "2024-10-27T02:35:00+01:00",
            ]
        );
        // Before the anchor, the anchor is first.
        assert_eq!(
            next(&s, "2024-10-26T00:00:00Z", 1),
            ["2024-10-27T02:50:00+02:00"]
        );
    }

    #[test]
    fn cron_weekdays_at_six_pm() {
        let s = spec(
            cron("0 18 * * 1-5"),
            "2024-01-01T00:00:00Z",
            "Europe/Berlin",
        );
        // 2024-01-05 is a Friday.
        assert_eq!(
            next(&s, "2024-01-05T18:00:00Z", 2),
            ["2024-01-08T18:00:00+01:00", "2024-01-09T18:00:00+01:00"]
        );
    }

    #[test]
    fn cron_first_of_month_and_twice_a_day() {
        let s = spec(
            cron("30 6 1 * *"),
            "2024-01-01T00:00:00Z",
            "America/New_York",
        );
        assert_eq!(
            next(&s, "2024-02-15T00:00:00Z", 2),
            ["2024-03-01T06:30:00-05:00", "2024-04-01T06:30:00-04:00"]
        );
        let s = spec(cron("0 9,17 * * *"), "2024-01-01T00:00:00Z", "UTC");
        assert_eq!(
            next(&s, "2024-01-01T10:00:00Z", 3),
            [
                "2024-01-01T17:00:00Z",
                "2024-01-02T09:00:00Z",
                "2024-01-02T17:00:00Z"
            ]
        );
    }

    #[test]
    fn cron_every_ten_minutes_in_office_hours() {
        let s = spec(
            cron("*/10 8-18 * * 1-5"),
            "2024-01-01T00:00:00Z",
            "Europe/Berlin",
        );
        // Friday 18:50 local, then Monday 08:00.
        assert_eq!(
            next(&s, "2024-01-05T17:45:00Z", 2),
            ["2024-01-05T18:50:00+01:00", "2024-01-08T08:00:00+01:00"]
        );
    }

    #[test]
    fn cron_with_seconds() {
        let s = spec(cron("30 */15 * * * *"), "2024-01-01T00:00:00Z", "UTC");
        assert_eq!(
            next(&s, "2024-01-01T00:00:00Z", 3),
            [
                "2024-01-01T00:00:30Z",
                "2024-01-01T00:15:30Z",
                "2024-01-01T00:30:30Z"
            ]
        );
    }

    #[test]
    fn cron_fixed_time_in_the_gap_fires_after_it() {
        let s = spec(cron("30 2 * * *"), "2024-03-01T00:00:00Z", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-03-30T12:00:00Z", 2),
            ["2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"]
        );
        let s = spec(cron("30 2 * * *"), "2024-10-01T00:00:00Z", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-10-26T12:00:00Z", 2),
            ["2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00"]
        );
    }

    #[test]
    fn cron_starts_at_the_anchor() {
        let s = spec(cron("0 9 * * *"), "2030-06-01T00:00:00Z", "UTC");
        assert_eq!(
            next(&s, "2024-01-01T00:00:00Z", 1),
            ["2030-06-01T09:00:00Z"]
        );
    }

    #[test]
    fn invalid_cron_names_the_problem() {
        for (expr, needle) in [
            ("0 18 * *", "4 fields"),
            ("0 0 18 * * * 2030", "7 fields"),
            ("61 18 * * *", "invalid"),
            ("0 18 * * mon-fry", "invalid"),
        ] {
            let err = Plan::compile(&spec(cron(expr), "2024-01-01T00:00:00Z", "UTC")).unwrap_err();
            assert!(
                matches!(&err, AppError::InvalidInput(m) if m.contains(needle)),
                "{expr}: {err:?}"
            );
        }
    }

    #[test]
    fn once_fires_at_the_anchor_only() {
        let s = spec(Cadence::Once, "2024-05-01T12:00:00+02:00", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-04-01T00:00:00Z", 5),
            ["2024-05-01T12:00:00+02:00"]
        );
        assert!(next(&s, "2024-05-01T10:00:00Z", 5).is_empty());
    }

    #[test]
    fn until_and_max_runs_cut_the_preview() {
        let mut s = spec(Cadence::Daily, "2024-01-01T08:00:00Z", "UTC");
        s.until = Some("2024-01-03T08:00:00Z".into());
        assert_eq!(
            next(&s, "2023-12-31T00:00:00Z", 10),
            [
                "2024-01-01T08:00:00Z",
                "2024-01-02T08:00:00Z",
                "2024-01-03T08:00:00Z"
            ]
        );
        s.until = None;
        s.max_runs = Some(2);
        assert_eq!(next(&s, "2023-12-31T00:00:00Z", 10).len(), 2);
        s.max_runs = None;
        assert_eq!(
            preview(&s, at("2024-01-01T00:00:00Z"), None).unwrap().len(),
            5
        );
        assert_eq!(
            preview(&s, at("2024-01-01T00:00:00Z"), Some(1000))
                .unwrap()
                .len(),
            100
        );
    }

    #[test]
    fn invalid_specs_are_rejected_clearly() {
        let base = spec(Cadence::Daily, "2024-01-01T08:00:00Z", "UTC");
        let cases = [
            (
                ScheduleSpec {
                    timezone: "Mars/Olympus".into(),
                    ..base.clone()
                },
                "timezone",
            ),
            (
                ScheduleSpec {
                    anchor: "tomorrow".into(),
                    ..base.clone()
                },
                "anchor",
            ),
            (
                ScheduleSpec {
                    until: Some("soon".into()),
                    ..base.clone()
                },
                "until",
            ),
            (
                ScheduleSpec {
                    until: Some("2023-01-01T00:00:00Z".into()),
                    ..base.clone()
                },
                "before the anchor",
            ),
            (
                ScheduleSpec {
                    cadence: Cadence::EveryNMinutes { minutes: 0 },
                    ..base.clone()
                },
                "minutes",
            ),
            (
                ScheduleSpec {
                    max_runs: Some(0),
                    ..base.clone()
                },
                "maxRuns",
            ),
        ];
        for (s, needle) in cases {
            let err = Plan::compile(&s).unwrap_err();
            assert!(
                matches!(&err, AppError::InvalidInput(m) if m.contains(needle)),
                "{needle}: {err:?}"
            );
        }
    }

    #[test]
    fn local_anchor_without_offset_is_read_in_the_zone() {
        let s = spec(Cadence::Once, "2024-07-01T09:00", "Europe/Berlin");
        assert_eq!(
            next(&s, "2024-01-01T00:00:00Z", 1),
            ["2024-07-01T09:00:00+02:00"]
        );
    }
}
