//! Run commands: start, steer (pause, resume, cancel, confirm), and the run history.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::engine::{RunOptions, RunSource, RunStarted, RunState};
use crate::history::{RunDetail, RunEventsPage, RunFilter, RunSummary};
use crate::{App, AppError};

pub async fn run_start(
    app: &App,
    source: RunSource,
    options: Option<RunOptions>,
) -> Result<RunStarted, AppError> {
    crate::engine::start_run(app, source, options, crate::engine::RunTrigger::Manual).await
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
