//! Run commands: start, steer (pause, resume, cancel, confirm), and the run history.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::engine::{RunOptions, RunSource, RunStarted, RunState, RunTrigger};
use crate::history::{RunDetail, RunEventsPage, RunFilter, RunFollow, RunSummary};
use crate::{App, AppError};

pub async fn run_start(
    app: &App,
    source: RunSource,
    options: Option<RunOptions>,
    trigger: Option<RunTrigger>,
) -> Result<RunStarted, AppError> {
    let trigger = trigger.unwrap_or(RunTrigger::Manual);
    crate::engine::start_run(app, source, options, trigger).await
}

/// Starts a run (as [`run_start`]) and follows it from its first event. The bus is subscribed
/// before the run exists, so nothing is missed. Not in the command table: transports frame the
/// follow their own way.
pub async fn run_start_follow(
    app: &App,
    source: RunSource,
    options: Option<RunOptions>,
    trigger: Option<RunTrigger>,
) -> Result<(RunStarted, RunFollow), AppError> {
    let subscription = app.bus().subscribe(None);
    let started = run_start(app, source, options, trigger).await?;
    let follow = RunFollow::from_start(app, started.execution_id.clone(), subscription);
    Ok((started, follow))
}

/// Follows a live or ended run: its recorded events after `after` (all when `None`), page by
/// page, then its live ones, ending after `done`. An unknown run is `NotFound` before any event.
/// Not in the command table: transports frame the follow their own way (SSE, a Tauri channel).
pub async fn run_follow(
    app: &App,
    execution_id: String,
    after: Option<u32>,
) -> Result<RunFollow, AppError> {
    RunFollow::attach(app, execution_id, after).await
}

pub async fn run_pause(app: &App, execution_id: String) -> Result<RunState, AppError> {
    app.engine().control(&execution_id)?.pause()
}

pub async fn run_resume(app: &App, execution_id: String) -> Result<RunState, AppError> {
    app.engine().control(&execution_id)?.resume()
}

pub async fn run_cancel(app: &App, execution_id: String) -> Result<RunState, AppError> {
    app.engine().control(&execution_id)?.cancel()
}

pub async fn run_confirm(
    app: &App,
    execution_id: String,
    node_id: String,
    approve: bool,
) -> Result<RunState, AppError> {
    app.engine()
        .control(&execution_id)?
        .confirm(&node_id, approve)
}

pub async fn runs_active(app: &App) -> Result<Vec<RunState>, AppError> {
    Ok(app.engine().active())
}

pub async fn runs_list(app: &App, filter: Option<RunFilter>) -> Result<Vec<RunSummary>, AppError> {
    // Flushed first so a run that just ended shows as ended.
    app.history().flush().await;
    app.history().list(filter.unwrap_or_default()).await
}

pub async fn run_get(app: &App, execution_id: String) -> Result<RunDetail, AppError> {
    app.history().flush().await;
    app.history().get(execution_id).await
}

pub async fn run_events(
    app: &App,
    execution_id: String,
    after_seq: Option<u32>,
    limit: Option<u32>,
    node_id: Option<String>,
) -> Result<RunEventsPage, AppError> {
    app.history().flush().await;
    app.history()
        .events(execution_id, after_seq, limit, node_id)
        .await
}

pub async fn run_rerun(
    app: &App,
    execution_id: String,
    from_node: Option<String>,
) -> Result<RunStarted, AppError> {
    crate::history::rerun::rerun(app, execution_id, from_node).await
}
