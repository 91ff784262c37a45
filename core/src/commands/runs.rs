//! Run commands: start, steer (pause, resume, cancel, confirm), and the run history.

use crate::engine::{RunOptions, RunSource, RunStarted, RunState};
use crate::history::{RunDetail, RunEventsPage, RunFilter, RunSummary};
use crate::{App, AppError};

fn pending() -> AppError {
    AppError::Unavailable("running flows is not available yet".to_owned())
}

/// Starts a run of a graph, a saved flow or DSL text; it is validated first.
pub async fn run_start(
    app: &App,
    source: RunSource,
    options: Option<RunOptions>,
) -> Result<RunStarted, AppError> {
    let _ = (app, source, options);
    Err(pending())
}

/// Holds a run's new work at the next node boundary.
pub async fn run_pause(app: &App, execution_id: String) -> Result<RunState, AppError> {
    let _ = (app, execution_id);
    Err(pending())
}

/// Lets a paused run go on.
pub async fn run_resume(app: &App, execution_id: String) -> Result<RunState, AppError> {
    let _ = (app, execution_id);
    Err(pending())
}

/// Stops a run: no new nodes, running child processes killed.
pub async fn run_cancel(app: &App, execution_id: String) -> Result<RunState, AppError> {
    let _ = (app, execution_id);
    Err(pending())
}

/// Approves (runs) or denies (fails) the destructive node a run waits on.
pub async fn run_confirm(
    app: &App,
    execution_id: String,
    node_id: String,
    approve: bool,
) -> Result<RunState, AppError> {
    let _ = (app, execution_id, node_id, approve);
    Err(pending())
}

/// Runs that have not ended.
pub async fn runs_active(app: &App) -> Result<Vec<RunState>, AppError> {
    let _ = app;
    Err(pending())
}

/// Run history, newest first, filtered.
pub async fn runs_list(app: &App, filter: Option<RunFilter>) -> Result<Vec<RunSummary>, AppError> {
    let _ = (app, filter);
    Err(pending())
}

/// One run with its graph, steps and interceptions.
pub async fn run_get(app: &App, execution_id: String) -> Result<RunDetail, AppError> {
    let _ = (app, execution_id);
    Err(pending())
}

/// A page of a run's recorded events (optionally one node's), after `after_seq`.
pub async fn run_events(
    app: &App,
    execution_id: String,
    after_seq: Option<u32>,
    limit: Option<u32>,
    node_id: Option<String>,
) -> Result<RunEventsPage, AppError> {
    let _ = (app, execution_id, after_seq, limit, node_id);
    Err(pending())
}

/// Runs an earlier run's graph again; with `from_node`, reuses the outputs of the nodes that
/// ran before it and starts there.
pub async fn run_rerun(
    app: &App,
    execution_id: String,
    from_node: Option<String>,
) -> Result<RunStarted, AppError> {
    let _ = (app, execution_id, from_node);
    Err(pending())
}
