//! Reading the history: the run list, one run's detail, and pages of its events.
//!
//! Text search is `LIKE` (case-insensitive for ASCII) over the flow name, the run's error, step
//! errors and `node_log` lines (an `EXISTS` over `run_events.line`), not FTS5: it matches any
//! substring like the UI's filter box expects, and costs nothing while runs record events. A
//! search reads the log lines of the runs it looks at, which retention bounds.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::types::{
    Interception, RunDetail, RunEventsPage, RunFilter, RunStep, RunSummary, StepStatus,
};
use super::writer::enum_text;
use crate::AppError;
use crate::db::sql_error;
use crate::engine::{ExecutionEvent, RunStatus};
use crate::flows::FlowGraph;

/// Runs listed when the filter names no limit.
pub const DEFAULT_LIST_LIMIT: u32 = 50;
/// Most runs one list returns.
pub const MAX_LIST_LIMIT: u32 = 500;
/// Events in a page when the caller names no limit.
pub const DEFAULT_EVENTS_LIMIT: u32 = 1000;
/// Most events one page returns.
pub const MAX_EVENTS_LIMIT: u32 = 10_000;

const SUMMARY_COLUMNS: &str = "execution_id, flow_name, flow_slug, status, trigger, started_at, \
     ended_at, duration_ms, succeeded, failed, skipped, error";

/// Runs, newest first.
pub(crate) fn list(conn: &Connection, filter: &RunFilter) -> Result<Vec<RunSummary>, AppError> {
    let limit = filter
        .limit
        .unwrap_or(DEFAULT_LIST_LIMIT)
        .clamp(1, MAX_LIST_LIMIT);
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(like_pattern);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM runs r
         WHERE (?1 IS NULL OR r.flow_slug = ?1)
           AND (?2 IS NULL OR r.status = ?2)
           AND (?3 IS NULL OR r.trigger = ?3)
           AND (?4 IS NULL OR r.started_at < ?4)
           AND (?5 IS NULL
                OR r.flow_name LIKE ?5 ESCAPE '\\'
                OR r.error LIKE ?5 ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM run_steps s WHERE s.execution_id = r.execution_id
                           AND s.error LIKE ?5 ESCAPE '\\')
                OR EXISTS (SELECT 1 FROM run_events e WHERE e.execution_id = r.execution_id
                           AND e.kind = 'node_log' AND e.line LIKE ?5 ESCAPE '\\'))
         ORDER BY r.started_at DESC, r.rowid DESC
         LIMIT ?6"
    );
    let status = filter.status.as_ref().map(enum_text);
    let trigger = filter.trigger.as_ref().map(enum_text);
    let mut stmt = conn
        .prepare_cached(&sql)
        .map_err(sql_error("listing runs"))?;
    let rows = stmt
        .query_map(
            params![filter.flow, status, trigger, filter.before, search, limit],
            summary,
        )
        .map_err(sql_error("listing runs"))?;
    rows.collect::<Result<_, _>>()
        .map_err(sql_error("listing runs"))
}

/// One run in full.
pub(crate) fn get(conn: &Connection, execution_id: &str) -> Result<RunDetail, AppError> {
    let context = || format!("reading run {execution_id}");
    let found = conn
        .query_row(
            &format!("SELECT {SUMMARY_COLUMNS}, graph_json FROM runs WHERE execution_id = ?1"),
            [execution_id],
            |row| Ok((summary(row)?, row.get::<_, Option<String>>(12)?)),
        )
        .optional()
        .map_err(sql_error(context()))?;
    let Some((run, graph_json)) = found else {
        return Err(not_found(execution_id));
    };
    let graph = match graph_json {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("{}: stored graph: {e}", context())))?,
        // A run recorded without `begin` has no graph; its name is all we know.
        None => FlowGraph::new(run.flow_name.clone()),
    };
    let steps = conn
        .prepare_cached(
            "SELECT node_id, iteration, status, started_at, ended_at, duration_ms, output_json,
                    error, reason, log_lines
             FROM run_steps WHERE execution_id = ?1
             ORDER BY COALESCE(started_at, ended_at), rowid",
        )
        .and_then(|mut stmt| {
            stmt.query_map([execution_id], step)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql_error(context()))?;
    let interceptions = conn
        .prepare_cached(
            "SELECT node_id, action, requested_at, resolved_at, approved
             FROM interceptions WHERE execution_id = ?1 ORDER BY requested_at, rowid",
        )
        .and_then(|mut stmt| {
            stmt.query_map([execution_id], |row| {
                Ok(Interception {
                    node_id: row.get(0)?,
                    action: row.get(1)?,
                    requested_at: row.get(2)?,
                    resolved_at: row.get(3)?,
                    approved: row.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql_error(context()))?;
    Ok(RunDetail {
        run,
        graph,
        steps,
        interceptions,
    })
}

/// Up to `limit` events after `after_seq` (optionally one node's), in `seq` order.
///
/// `next_after_seq` is the last returned `seq` unless the page is empty or `complete`;
/// `complete` means the run has ended and nothing after this page is left.
pub(crate) fn events(
    conn: &Connection,
    execution_id: &str,
    after_seq: Option<u32>,
    limit: Option<u32>,
    node_id: Option<&str>,
) -> Result<RunEventsPage, AppError> {
    let context = || format!("reading events of run {execution_id}");
    let status: Option<String> = conn
        .query_row(
            "SELECT status FROM runs WHERE execution_id = ?1",
            [execution_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql_error(context()))?;
    let Some(status) = status else {
        return Err(not_found(execution_id));
    };
    let ended = parse_enum::<RunStatus>(&status).is_some_and(RunStatus::is_terminal);
    let limit = limit
        .unwrap_or(DEFAULT_EVENTS_LIMIT)
        .clamp(1, MAX_EVENTS_LIMIT);
    // -1 stands for "from the start" (seq begins at 0).
    let after = after_seq.map_or(-1, i64::from);
    // One row more than asked says whether another page follows.
    let mut stmt = conn
        .prepare_cached(
            "SELECT json FROM run_events
             WHERE execution_id = ?1 AND seq > ?2 AND (?3 IS NULL OR node_id = ?3)
             ORDER BY seq LIMIT ?4",
        )
        .map_err(sql_error(context()))?;
    let mut rows = stmt
        .query(params![execution_id, after, node_id, i64::from(limit) + 1])
        .map_err(sql_error(context()))?;
    let mut events = Vec::new();
    let mut more = false;
    while let Some(row) = rows.next().map_err(sql_error(context()))? {
        if events.len() == limit as usize {
            more = true;
            break;
        }
        let json: String = row.get(0).map_err(sql_error(context()))?;
        let event: ExecutionEvent = serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("{}: stored event: {e}", context())))?;
        events.push(event);
    }
    let complete = ended && !more;
    let next_after_seq = if complete {
        None
    } else {
        events.last().map(|e| e.seq)
    };
    Ok(RunEventsPage {
        events,
        next_after_seq,
        complete,
    })
}

fn not_found(execution_id: &str) -> AppError {
    AppError::NotFound(format!("no run {execution_id} in the history"))
}

fn summary(row: &Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        execution_id: row.get(0)?,
        flow_name: row.get(1)?,
        flow_slug: row.get(2)?,
        status: column_enum(row, 3)?,
        trigger: column_enum(row, 4)?,
        started_at: row.get(5)?,
        ended_at: row.get(6)?,
        duration_ms: row.get(7)?,
        succeeded: row.get(8)?,
        failed: row.get(9)?,
        skipped: row.get(10)?,
        error: row.get(11)?,
    })
}

fn step(row: &Row<'_>) -> rusqlite::Result<RunStep> {
    let output: Option<String> = row.get(6)?;
    Ok(RunStep {
        node_id: row.get(0)?,
        iteration: row.get(1)?,
        status: column_enum::<StepStatus>(row, 2)?,
        started_at: row.get(3)?,
        ended_at: row.get(4)?,
        duration_ms: row.get(5)?,
        // Output is written by us as JSON; unreadable text still shows, as a string.
        output: output
            .map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))),
        error: row.get(7)?,
        reason: row.get(8)?,
        log_lines: row.get(9)?,
    })
}

fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

fn column_enum<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    parse_enum(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown value {text:?}").into(),
        )
    })
}

/// `%text%` with `LIKE`'s wildcards escaped.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
