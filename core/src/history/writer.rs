//! The history writer: one thread owning its own SQLite connection, fed over a bounded channel,
//! committing whatever has queued up in one transaction.
//!
//! Why its own connection rather than the shared [`crate::db::Db`]'s writer: the shared writer
//! is held for a store's whole unit of work (a flow save writes files inside it, a listing scans
//! the templates directory), and the history writer must not wait on those, since when it falls
//! behind runs slow down (backpressure, see [`super::store`]). On its own connection it contends
//! only for SQLite's write lock, which is held only while a transaction actually writes; and it
//! runs on its own thread, not on the blocking pool where the handle's work runs.

use std::collections::HashMap;
use std::sync::mpsc::Receiver;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::AppError;
use crate::db::sql_error;
use crate::engine::{ExecutionEvent, ExecutionEventKind, RunBegin, RunStatus};
use crate::flows::{EdgeOutcome, FlowGraph};

/// Most messages committed in one transaction.
pub(crate) const MAX_BATCH: usize = 8192;

/// What the store hands the writer.
pub(crate) enum Msg {
    /// A run began.
    Begin(Box<RunBegin>),
    /// One event of a run.
    Event(Box<ExecutionEvent>),
    /// Answer once everything sent before this is committed.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The writer's memory between batches: which visit of a node is current, so a `node_log` line
/// (which carries no iteration) is counted on the right step.
#[derive(Default)]
struct State {
    iterations: HashMap<String, HashMap<String, u32>>,
}

impl State {
    fn iteration(&self, execution_id: &str, node_id: &str) -> Option<u32> {
        self.iterations.get(execution_id)?.get(node_id).copied()
    }
}

/// `node_log` lines per step, counted in memory and written once per batch (a run printing a
/// million lines would otherwise update its step row a million times).
type LogCounts = HashMap<(String, String, Option<u32>), u32>;

/// Runs the writer until every sender is gone and the queue is drained.
pub(crate) fn run(mut conn: Connection, rx: Receiver<Msg>, retention: usize) {
    let mut state = State::default();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(msg) => batch.push(msg),
                Err(_) => break,
            }
        }
        let mut waiters = Vec::new();
        let mut work = Vec::with_capacity(batch.len());
        for msg in batch {
            match msg {
                Msg::Flush(waiter) => waiters.push(waiter),
                other => work.push(other),
            }
        }
        if !work.is_empty()
            && let Err(err) = write_batch(&mut conn, &mut state, &work, retention)
        {
            // One bad message must not lose the rest of the batch: retry them one by one.
            tracing::warn!(%err, size = work.len(), "history batch failed; retrying one by one");
            for msg in &work {
                if let Err(err) =
                    write_batch(&mut conn, &mut state, std::slice::from_ref(msg), retention)
                {
                    tracing::error!(%err, "history write dropped");
                }
            }
        }
        for waiter in waiters {
            // The flusher may have given up waiting; nothing to do then.
            let _ignored = waiter.send(());
        }
    }
    tracing::debug!("history writer stopped");
}

fn write_batch(
    conn: &mut Connection,
    state: &mut State,
    work: &[Msg],
    retention: usize,
) -> Result<(), AppError> {
    let tx = conn
        .transaction()
        .map_err(sql_error("starting a history batch"))?;
    let mut logs = LogCounts::new();
    for msg in work {
        match msg {
            Msg::Begin(begin) => write_begin(&tx, begin, retention)?,
            Msg::Event(event) => write_event(&tx, state, &mut logs, event)?,
            Msg::Flush(_) => {}
        }
    }
    flush_log_counts(&tx, &logs)?;
    tx.commit().map_err(sql_error("committing a history batch"))
}

fn write_begin(tx: &Transaction<'_>, begin: &RunBegin, retention: usize) -> Result<(), AppError> {
    let graph = serde_json::to_string(&begin.graph)
        .map_err(|e| AppError::Internal(format!("serialising a run's graph: {e}")))?;
    tx.prepare_cached(
        "INSERT INTO runs (execution_id, flow_name, flow_slug, trigger, status, started_at, graph_json)
         VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6)
         ON CONFLICT(execution_id) DO UPDATE SET
            flow_name = excluded.flow_name, flow_slug = excluded.flow_slug,
            trigger = excluded.trigger, graph_json = excluded.graph_json",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            begin.execution_id,
            begin.graph.name,
            begin.flow_slug,
            enum_text(&begin.trigger),
            begin.started_at,
            graph,
        ])
    })
    .map_err(sql_error(format!("recording run {}", begin.execution_id)))?;
    prune(tx, retention)
}

/// Retention: keeps the newest `retention` ended runs (live runs are never pruned), deleting
/// the older ones' rows from every history table.
fn prune(tx: &Transaction<'_>, retention: usize) -> Result<(), AppError> {
    let keep = i64::try_from(retention).unwrap_or(i64::MAX);
    let old: Vec<String> = tx
        .prepare_cached(
            "SELECT execution_id FROM runs
             WHERE status IN ('succeeded', 'failed', 'cancelled', 'interrupted')
             ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?1",
        )
        .and_then(|mut stmt| {
            stmt.query_map([keep], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(sql_error("finding runs past retention"))?;
    for id in &old {
        for table in ["run_events", "run_steps", "interceptions", "runs"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE execution_id = ?1"))
                .and_then(|mut stmt| stmt.execute([id]))
                .map_err(sql_error(format!("pruning run {id}")))?;
        }
    }
    if !old.is_empty() {
        tracing::debug!(pruned = old.len(), "old runs pruned from history");
    }
    Ok(())
}

fn write_event(
    tx: &Transaction<'_>,
    state: &mut State,
    logs: &mut LogCounts,
    event: &ExecutionEvent,
) -> Result<(), AppError> {
    let id = event.execution_id.as_str();
    let context = || format!("recording event {} of run {id}", event.seq);
    let json = serde_json::to_string(event)
        .map_err(|e| AppError::Internal(format!("{}: {e}", context())))?;
    let line = match &event.kind {
        ExecutionEventKind::NodeLog { line, .. } => Some(line.as_str()),
        _ => None,
    };
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO run_events (execution_id, seq, kind, node_id, at, json, line)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                id,
                event.seq,
                kind_name(&event.kind),
                event.kind.node_id(),
                event.at,
                json,
                line
            ])
        })
        .map_err(sql_error(context()))?;
    if inserted == 0 {
        // Already recorded (a duplicate): its effects on steps and counters are in already.
        return Ok(());
    }
    let at = event.at.as_str();
    let exec = |sql: &str, values: &[&dyn rusqlite::ToSql]| -> Result<usize, AppError> {
        tx.prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(values))
            .map_err(sql_error(context()))
    };
    match &event.kind {
        ExecutionEventKind::Started {
            flow_name,
            flow_slug,
            trigger,
        } => {
            // Normally `begin` made the row; a run recorded without it still gets one.
            exec(
                "INSERT INTO runs (execution_id, flow_name, flow_slug, trigger, status, started_at)
                 VALUES (?1, ?2, ?3, ?4, 'running', ?5)
                 ON CONFLICT(execution_id) DO UPDATE SET flow_name = excluded.flow_name,
                    flow_slug = COALESCE(runs.flow_slug, excluded.flow_slug)",
                params![id, flow_name, flow_slug, enum_text(trigger), at],
            )?;
        }
        ExecutionEventKind::NodeStarted { node_id, iteration } => {
            state
                .iterations
                .entry(id.to_owned())
                .or_default()
                .insert(node_id.clone(), *iteration);
            exec(
                "INSERT INTO run_steps (execution_id, node_id, iteration, status, started_at)
                 VALUES (?1, ?2, ?3, 'running', ?4)
                 ON CONFLICT(execution_id, node_id, iteration) DO UPDATE SET
                    status = 'running', started_at = excluded.started_at",
                params![id, node_id, iteration, at],
            )?;
        }
        ExecutionEventKind::NodeSucceeded {
            node_id,
            output,
            iteration,
            duration_ms,
        } => {
            let output = output.to_string();
            end_step(
                &exec,
                params![id, node_id, iteration, "succeeded", at, duration_ms, output],
            )?;
            exec(
                "UPDATE runs SET succeeded = succeeded + 1 WHERE execution_id = ?1",
                params![id],
            )?;
        }
        ExecutionEventKind::NodeFailed {
            node_id,
            error,
            output,
            iteration,
            duration_ms,
        } => {
            let output = output.as_ref().map(ToString::to_string);
            end_step(
                &exec,
                params![id, node_id, iteration, "failed", at, duration_ms, output],
            )?;
            exec(
                "UPDATE run_steps SET error = ?4
                 WHERE execution_id = ?1 AND node_id = ?2 AND iteration = ?3",
                params![id, node_id, iteration, error],
            )?;
            exec(
                "UPDATE runs SET failed = failed + 1 WHERE execution_id = ?1",
                params![id],
            )?;
        }
        ExecutionEventKind::NodeSkipped {
            node_id,
            reason,
            iteration,
        } => {
            exec(
                "INSERT INTO run_steps (execution_id, node_id, iteration, status, ended_at, reason)
                 VALUES (?1, ?2, ?3, 'skipped', ?4, ?5)
                 ON CONFLICT(execution_id, node_id, iteration) DO UPDATE SET
                    status = 'skipped', ended_at = excluded.ended_at, reason = excluded.reason",
                params![id, node_id, iteration, at, reason],
            )?;
            exec(
                "UPDATE runs SET skipped = skipped + 1 WHERE execution_id = ?1",
                params![id],
            )?;
        }
        ExecutionEventKind::NodeLog { node_id, .. } => {
            let iteration = state.iteration(id, node_id);
            *logs
                .entry((id.to_owned(), node_id.clone(), iteration))
                .or_default() += 1;
        }
        ExecutionEventKind::AwaitingConfirmation { node_id, action } => {
            exec(
                "INSERT INTO interceptions (execution_id, node_id, action, requested_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, node_id, action, at],
            )?;
            set_status(&exec, id, RunStatus::AwaitingConfirmation)?;
        }
        ExecutionEventKind::ConfirmationResolved { node_id, approved } => {
            exec(
                "UPDATE interceptions SET resolved_at = ?3, approved = ?4
                 WHERE rowid = (SELECT rowid FROM interceptions
                    WHERE execution_id = ?1 AND node_id = ?2 AND resolved_at IS NULL
                    ORDER BY rowid DESC LIMIT 1)",
                params![id, node_id, at, approved],
            )?;
            set_status(&exec, id, RunStatus::Running)?;
        }
        ExecutionEventKind::Intercepted { .. } => set_status(&exec, id, RunStatus::Intercepted)?,
        ExecutionEventKind::InterceptionResolved { .. } => {
            set_status(&exec, id, RunStatus::Running)?;
        }
        ExecutionEventKind::Paused {} => set_status(&exec, id, RunStatus::Paused)?,
        ExecutionEventKind::Resumed {} => set_status(&exec, id, RunStatus::Running)?,
        ExecutionEventKind::Done { status } => {
            state.iterations.remove(id);
            exec(
                "UPDATE runs SET status = ?2, ended_at = ?3,
                    duration_ms = MAX(0.0, (julianday(?3) - julianday(started_at)) * 86400000.0)
                 WHERE execution_id = ?1",
                params![id, enum_text(status), at],
            )?;
            exec(
                "UPDATE run_steps SET status = 'failed', ended_at = ?2,
                    error = COALESCE(error, 'the run ended before this step finished')
                 WHERE execution_id = ?1 AND status = 'running'",
                params![id, at],
            )?;
            if *status == RunStatus::Failed {
                let error = first_unhandled_failure(tx, id)?;
                exec(
                    "UPDATE runs SET error = COALESCE(error, ?2) WHERE execution_id = ?1",
                    params![id, error],
                )?;
            }
        }
        ExecutionEventKind::ToolCall { .. }
        | ExecutionEventKind::ToolResult { .. }
        | ExecutionEventKind::NodeProgress { .. }
        | ExecutionEventKind::NodeToken { .. }
        | ExecutionEventKind::IterationCapped { .. } => {}
    }
    Ok(())
}

/// Runs one cached statement of the current transaction; returns the rows changed.
type Exec<'a> = dyn Fn(&str, &[&dyn rusqlite::ToSql]) -> Result<usize, AppError> + 'a;

/// Ends a step: `params` are id, node, iteration, status, at, duration and output.
fn end_step(exec: &Exec<'_>, params: &[&dyn rusqlite::ToSql]) -> Result<(), AppError> {
    exec(
        "INSERT INTO run_steps (execution_id, node_id, iteration, status, ended_at, duration_ms, output_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(execution_id, node_id, iteration) DO UPDATE SET
            status = excluded.status, ended_at = excluded.ended_at,
            duration_ms = excluded.duration_ms, output_json = excluded.output_json",
        params,
    )
    .map(drop)
}

fn set_status(exec: &Exec<'_>, id: &str, status: RunStatus) -> Result<(), AppError> {
    // A late event never reopens an ended run.
    exec(
        "UPDATE runs SET status = ?2 WHERE execution_id = ?1
            AND status NOT IN ('succeeded', 'failed', 'cancelled', 'interrupted')",
        params![id, enum_text(&status)],
    )
    .map(drop)
}

/// The run's error: the first failed step with no `fail` edge leaving its node (a handled
/// failure does not fail the run), else the first failed step; `node: error`.
fn first_unhandled_failure(tx: &Transaction<'_>, id: &str) -> Result<Option<String>, AppError> {
    let context = || format!("summarising the failure of run {id}");
    let graph: Option<String> = tx
        .query_row(
            "SELECT graph_json FROM runs WHERE execution_id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql_error(context()))?
        .flatten();
    let handled: Vec<String> = graph
        .and_then(|json| serde_json::from_str::<FlowGraph>(&json).ok())
        .map(|graph| {
            graph
                .edges
                .into_iter()
                .filter(|edge| edge.outcome == EdgeOutcome::Fail)
                .map(|edge| edge.source)
                .collect()
        })
        .unwrap_or_default();
    let failed: Vec<(String, Option<String>)> = tx
        .prepare_cached(
            "SELECT node_id, error FROM run_steps WHERE execution_id = ?1 AND status = 'failed'
             ORDER BY COALESCE(ended_at, started_at), rowid",
        )
        .and_then(|mut stmt| {
            stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .map_err(sql_error(context()))?;
    let pick = failed
        .iter()
        .find(|(node, _)| !handled.contains(node))
        .or_else(|| failed.first());
    Ok(pick.map(|(node, error)| match error {
        Some(error) => format!("{node}: {error}"),
        None => format!("{node} failed"),
    }))
}

fn flush_log_counts(tx: &Transaction<'_>, logs: &LogCounts) -> Result<(), AppError> {
    for ((id, node, iteration), count) in logs {
        tx.prepare_cached(
            "UPDATE run_steps SET log_lines = log_lines + ?4
             WHERE execution_id = ?1 AND node_id = ?2 AND iteration = COALESCE(?3,
                (SELECT MAX(iteration) FROM run_steps WHERE execution_id = ?1 AND node_id = ?2))",
        )
        .and_then(|mut stmt| stmt.execute(params![id, node, iteration, count]))
        .map_err(sql_error(format!("counting log lines of run {id}")))?;
    }
    Ok(())
}

/// The wire (snake_case) text of a unit enum, as stored in the tables.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// The `kind` tag of an event.
fn kind_name(kind: &ExecutionEventKind) -> &'static str {
    match kind {
        ExecutionEventKind::Started { .. } => "started",
        ExecutionEventKind::NodeStarted { .. } => "node_started",
        ExecutionEventKind::NodeSucceeded { .. } => "node_succeeded",
        ExecutionEventKind::NodeFailed { .. } => "node_failed",
        ExecutionEventKind::NodeSkipped { .. } => "node_skipped",
        ExecutionEventKind::NodeLog { .. } => "node_log",
        ExecutionEventKind::ToolCall { .. } => "tool_call",
        ExecutionEventKind::ToolResult { .. } => "tool_result",
        ExecutionEventKind::NodeProgress { .. } => "node_progress",
        ExecutionEventKind::NodeToken { .. } => "node_token",
        ExecutionEventKind::IterationCapped { .. } => "iteration_capped",
        ExecutionEventKind::Paused {} => "paused",
        ExecutionEventKind::Resumed {} => "resumed",
        ExecutionEventKind::AwaitingConfirmation { .. } => "awaiting_confirmation",
        ExecutionEventKind::ConfirmationResolved { .. } => "confirmation_resolved",
        ExecutionEventKind::Intercepted { .. } => "intercepted",
        ExecutionEventKind::InterceptionResolved { .. } => "interception_resolved",
        ExecutionEventKind::Done { .. } => "done",
    }
}

/// Marks runs a crash cut off (status not terminal) as `interrupted`, their running steps as
/// failed; runs once at open, before the writer starts.
pub(crate) fn mark_interrupted(conn: &mut Connection) -> Result<usize, AppError> {
    let context = "marking interrupted runs";
    let tx = conn.transaction().map_err(sql_error(context))?;
    tx.execute(
        "UPDATE run_steps SET status = 'failed',
            ended_at = COALESCE(ended_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            error = COALESCE(error, 'interrupted: Flow stopped while this step ran')
         WHERE status = 'running' AND execution_id IN (SELECT execution_id FROM runs
            WHERE status NOT IN ('succeeded', 'failed', 'cancelled', 'interrupted'))",
        [],
    )
    .map_err(sql_error(context))?;
    let marked = tx
        .execute(
            "UPDATE runs SET status = 'interrupted',
                ended_at = COALESCE((SELECT MAX(at) FROM run_events e
                    WHERE e.execution_id = runs.execution_id), started_at),
                duration_ms = MAX(0.0, (julianday(COALESCE((SELECT MAX(at) FROM run_events e
                    WHERE e.execution_id = runs.execution_id), started_at))
                    - julianday(started_at)) * 86400000.0)
             WHERE status NOT IN ('succeeded', 'failed', 'cancelled', 'interrupted')",
            [],
        )
        .map_err(sql_error(context))?;
    tx.commit().map_err(sql_error(context))?;
    Ok(marked)
}
