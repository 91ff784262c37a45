//! The wire shapes of schedules.

use serde::{Deserialize, Serialize};

use crate::engine::RunStatus;

/// How often a schedule fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cadence {
    /// Every hour at the anchor's minute.
    Hourly,
    /// Every day at the anchor's wall-clock time (DST-aware).
    Daily,
    /// Every week on the anchor's weekday and time.
    Weekly,
    /// Every month on the anchor's day (clamped to the month's last day) and time.
    Monthly,
    /// Every year on the anchor's date and time.
    Yearly,
    /// A fixed interval from the anchor.
    EveryNMinutes {
        /// Minutes between firings (1..=525600).
        minutes: u32,
    },
    /// A 5-field (or 6-field, with seconds) cron expression, in the schedule's timezone.
    Cron {
        /// E.g. `0 18 * * 1-5`.
        expression: String,
    },
    /// Fires once at the anchor, then disables itself.
    Once,
}

/// What to do about firings missed while Flow was not running.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CatchUp {
    /// Forget them; fire at the next future time.
    #[default]
    Skip,
    /// Run once for all of them.
    RunOnce,
    /// Run once per missed firing.
    RunAll,
}

/// A schedule as the user sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleSpec {
    /// How often.
    pub cadence: Cadence,
    /// The first firing / the wall-clock anchor (RFC 3339).
    pub anchor: String,
    /// IANA timezone, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// No firings after this time (RFC 3339); the schedule then disables itself.
    #[serde(default)]
    pub until: Option<String>,
    /// Disable after this many runs.
    #[serde(default)]
    pub max_runs: Option<u32>,
    /// Missed firings policy.
    #[serde(default)]
    pub catch_up: CatchUp,
    /// Ask before destructive nodes in scheduled runs (default: no, nobody is watching).
    #[serde(default)]
    pub confirm_destructive: bool,
    /// Firing at all.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A saved flow's schedule with its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// The saved flow (one schedule per flow).
    pub slug: String,
    /// The settings.
    pub spec: ScheduleSpec,
    /// The next firing (RFC 3339 in the schedule's timezone), absent when disabled or finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run_at: Option<String>,
    /// How many runs it started.
    pub run_count: u32,
    /// When it last fired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<String>,
    /// How the last run ended (or stands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<RunStatus>,
    /// The last run's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_execution_id: Option<String>,
    /// Why it stopped firing (`until` passed, `maxRuns` reached, `once` done), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_reason: Option<String>,
}

/// Result of deleting a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDeleted {
    /// The flow whose schedule was removed.
    pub slug: String,
}
