//! Schedules in `db/flow.sqlite` (`flow_schedules`, one row per saved flow).
//!
//! Times are stored as UTC text of a fixed shape (`YYYY-MM-DDTHH:MM:SSZ`), so text order is time
//! order and `next_run_at <= now` is an index range scan. `next_run_at` is NULL exactly when the
//! schedule does not fire (disabled or finished).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::next_fire::{format_in, parse_timezone};
use super::types::{Schedule, ScheduleSpec};
use crate::AppError;
use crate::db::{Db, sql_error};
use crate::engine::RunStatus;

/// How many finished runs the store remembers when no schedule claims them yet (a run can end
/// before the tick that started it records its id).
const RECENT_DONE: usize = 64;

/// A schedule's row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub slug: String,
    pub spec: ScheduleSpec,
    pub next_run_at: Option<DateTime<Utc>>,
    pub run_count: u32,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_status: Option<RunStatus>,
    pub last_execution_id: Option<String>,
    pub finished_reason: Option<String>,
}

impl Row {
    /// The wire shape, times in the schedule's timezone (UTC when it no longer parses).
    pub fn to_schedule(&self) -> Schedule {
        let tz = parse_timezone(&self.spec.timezone).unwrap_or(chrono_tz::UTC);
        Schedule {
            slug: self.slug.clone(),
            spec: self.spec.clone(),
            next_run_at: self.next_run_at.map(|at| format_in(tz, at)),
            run_count: self.run_count,
            last_run_at: self.last_run_at.map(|at| format_in(tz, at)),
            last_status: self.last_status,
            last_execution_id: self.last_execution_id.clone(),
            finished_reason: self.finished_reason.clone(),
        }
    }
}

/// UTC text as stored.
pub(crate) fn db_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_db_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|at| at.with_timezone(&Utc))
}

fn status_text(status: RunStatus) -> Option<String> {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn parse_status(text: Option<String>) -> Option<RunStatus> {
    text.and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok())
}

const COLUMNS: &str = "slug, spec_json, next_run_at, run_count, last_run_at, last_status, \
                       last_execution_id, finished_reason";

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, Row)> {
    let slug: String = row.get(0)?;
    let spec_json: String = row.get(1)?;
    Ok((
        slug.clone(),
        spec_json,
        Row {
            slug,
            // Filled in by `parse_rows` (the JSON is parsed outside rusqlite's error type).
            spec: ScheduleSpec {
                cadence: super::types::Cadence::Once,
                anchor: String::new(),
                timezone: String::new(),
                until: None,
                max_runs: None,
                catch_up: super::types::CatchUp::Skip,
                confirm_destructive: false,
                enabled: false,
            },
            next_run_at: parse_db_time(row.get(2)?),
            run_count: row.get(3)?,
            last_run_at: parse_db_time(row.get(4)?),
            last_status: parse_status(row.get(5)?),
            last_execution_id: row.get(6)?,
            finished_reason: row.get(7)?,
        },
    ))
}

fn parse_rows(rows: Vec<(String, String, Row)>) -> Vec<Row> {
    rows.into_iter()
        .filter_map(|(slug, json, mut row)| match serde_json::from_str(&json) {
            Ok(spec) => {
                row.spec = spec;
                Some(row)
            }
            Err(err) => {
                // A row another version wrote: leave it alone rather than failing every listing.
                tracing::warn!(%slug, %err, "unreadable schedule row skipped");
                None
            }
        })
        .collect()
}

fn query_rows(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Row>, AppError> {
    let mut stmt = conn
        .prepare_cached(sql)
        .map_err(sql_error("reading schedules"))?;
    let rows = stmt
        .query_map(args, read_row)
        .map_err(sql_error("reading schedules"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_error("reading schedules"))?;
    Ok(parse_rows(rows))
}

/// Saved flows' schedules.
pub struct ScheduleStore {
    db: Db,
    recent_done: Arc<Mutex<VecDeque<(String, RunStatus)>>>,
    background: Mutex<Option<super::runner::SchedulerHandle>>,
}

impl std::fmt::Debug for ScheduleStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScheduleStore").finish_non_exhaustive()
    }
}

impl ScheduleStore {
    /// Opens the schedules table in `db`. Runs recorded as still going were cut short by the
    /// process ending, so they read `interrupted`.
    pub fn on(db: &Db) -> Result<Self, AppError> {
        let db = db.for_store("schedules");
        db.write_blocking(|conn| {
            conn.execute(
                "UPDATE flow_schedules SET last_status = 'interrupted'
                 WHERE last_status IN ('running', 'paused', 'awaiting_confirmation')",
                [],
            )
            .map_err(sql_error("marking interrupted scheduled runs"))
        })?;
        Ok(Self {
            db,
            recent_done: Arc::new(Mutex::new(VecDeque::new())),
            background: Mutex::new(None),
        })
    }

    /// Keeps the background loop's handle: the loop stops when the store (the app) is dropped.
    pub(crate) fn attach(&self, handle: super::runner::SchedulerHandle) {
        match self.background.lock() {
            Ok(mut slot) => *slot = Some(handle),
            Err(_) => tracing::error!("scheduler handle lock poisoned; loop left detached"),
        }
    }

    /// Whether a background loop is attached.
    pub fn has_background_loop(&self) -> bool {
        self.background.lock().is_ok_and(|slot| slot.is_some())
    }

    /// One flow's schedule.
    pub(crate) async fn get(&self, slug: String) -> Result<Option<Row>, AppError> {
        self.db
            .read(move |conn| {
                let sql = format!("SELECT {COLUMNS} FROM flow_schedules WHERE slug = ?1");
                Ok(query_rows(conn, &sql, params![slug])?.into_iter().next())
            })
            .await
    }

    /// Every schedule: firing ones by next firing, then the others by slug.
    pub(crate) async fn list(&self) -> Result<Vec<Row>, AppError> {
        self.db
            .read(|conn| {
                let sql = format!(
                    "SELECT {COLUMNS} FROM flow_schedules
                 ORDER BY next_run_at IS NULL, next_run_at, slug"
                );
                query_rows(conn, &sql, [])
            })
            .await
    }

    /// Schedules due at `now`.
    pub(crate) async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Row>, AppError> {
        self.db
            .read(move |conn| {
                let sql = format!(
                    "SELECT {COLUMNS} FROM flow_schedules
                 WHERE next_run_at IS NOT NULL AND next_run_at <= ?1
                 ORDER BY next_run_at, slug"
                );
                query_rows(conn, &sql, params![db_time(now)])
            })
            .await
    }

    /// Writes a schedule's settings and firing state, keeping its counts and last run.
    pub(crate) async fn upsert(
        &self,
        slug: String,
        spec: ScheduleSpec,
        next_run_at: Option<DateTime<Utc>>,
        finished_reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Row, AppError> {
        let spec_json = serde_json::to_string(&spec)
            .map_err(|e| AppError::Internal(format!("serialising a schedule: {e}")))?;
        self.db
            .transaction(move |conn| {
                conn.execute(
                    "INSERT INTO flow_schedules
                    (slug, spec_json, next_run_at, run_count, finished_reason, updated_at)
                 VALUES (?1, ?2, ?3, 0, ?4, ?5)
                 ON CONFLICT(slug) DO UPDATE SET
                    spec_json = excluded.spec_json,
                    next_run_at = excluded.next_run_at,
                    finished_reason = excluded.finished_reason,
                    updated_at = excluded.updated_at",
                    params![
                        slug,
                        spec_json,
                        next_run_at.map(db_time),
                        finished_reason,
                        db_time(now)
                    ],
                )
                .map_err(sql_error("saving a schedule"))?;
                let sql = format!("SELECT {COLUMNS} FROM flow_schedules WHERE slug = ?1");
                query_rows(conn, &sql, params![slug])?
                    .into_iter()
                    .next()
                    .ok_or_else(|| AppError::Internal("a saved schedule vanished".into()))
            })
            .await
    }

    /// Removes a schedule; false when there was none.
    pub(crate) async fn delete(&self, slug: String) -> Result<bool, AppError> {
        self.db
            .transaction(move |conn| {
                conn.execute("DELETE FROM flow_schedules WHERE slug = ?1", params![slug])
                    .map(|n| n > 0)
                    .map_err(sql_error("deleting a schedule"))
            })
            .await
    }

    /// Claims a due firing: writes the advanced state only if `next_run_at` is still `expected`
    /// (so a concurrent tick, in this process or another, cannot fire it twice). True when this
    /// caller won.
    pub(crate) async fn claim(&self, expected: DateTime<Utc>, next: Row) -> Result<bool, AppError> {
        let spec_json = serde_json::to_string(&next.spec)
            .map_err(|e| AppError::Internal(format!("serialising a schedule: {e}")))?;
        self.db
            .transaction(move |conn| {
                let changed = conn
                    .execute(
                        "UPDATE flow_schedules SET
                        spec_json = ?1, next_run_at = ?2, run_count = ?3, last_run_at = ?4,
                        last_status = ?5, finished_reason = ?6, updated_at = ?7
                     WHERE slug = ?8 AND next_run_at = ?9",
                        params![
                            spec_json,
                            next.next_run_at.map(db_time),
                            next.run_count,
                            next.last_run_at.map(db_time),
                            next.last_status.and_then(status_text),
                            next.finished_reason,
                            db_time(Utc::now()),
                            next.slug,
                            db_time(expected),
                        ],
                    )
                    .map_err(sql_error("advancing a schedule"))?;
                Ok(changed > 0)
            })
            .await
    }

    /// Records the run a firing started (or that it failed to start). A run that already ended
    /// keeps the status its `done` event reported.
    pub(crate) async fn record_started(
        &self,
        slug: String,
        execution_id: Option<String>,
        status: RunStatus,
    ) -> Result<(), AppError> {
        let recent = self.recent_done.clone();
        self.db
            .transaction(move |conn| {
                let status = execution_id
                    .as_deref()
                    .and_then(|id| {
                        recent
                            .lock()
                            .ok()?
                            .iter()
                            .find(|(done, _)| done == id)
                            .map(|(_, s)| *s)
                    })
                    .unwrap_or(status);
                conn.execute(
                    "UPDATE flow_schedules SET last_execution_id = COALESCE(?1, last_execution_id),
                    last_status = ?2
                 WHERE slug = ?3",
                    params![execution_id, status_text(status), slug],
                )
                .map_err(sql_error("recording a scheduled run"))?;
                Ok(())
            })
            .await
    }

    /// Records how a run ended; returns the slug whose schedule it was the last run of.
    pub(crate) async fn record_done(
        &self,
        execution_id: String,
        status: RunStatus,
    ) -> Result<Option<String>, AppError> {
        let recent = self.recent_done.clone();
        self.db
            .transaction(move |conn| {
                let slug: Option<String> = conn
                    .query_row(
                        "UPDATE flow_schedules SET last_status = ?1
                     WHERE last_execution_id = ?2 RETURNING slug",
                        params![status_text(status), execution_id],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(sql_error("recording a scheduled run's end"))?;
                if slug.is_none()
                    && let Ok(mut recent) = recent.lock()
                {
                    if recent.len() == RECENT_DONE {
                        recent.pop_front();
                    }
                    recent.push_back((execution_id, status));
                }
                Ok(slug)
            })
            .await
    }
}
