//! Agent board commands: Claude Code's sessions and task lists, notes and deletes.

use serde::{Deserialize, Serialize};

use crate::board::{self, JsonValue, SessionListItem, Task, TaskWithSession};
use crate::{App, AppError};

/// How many sessions `board_sessions` returns when no limit is given (as the original).
pub const DEFAULT_SESSION_LIMIT: u32 = 20;

/// The answer to adding a note: the whole updated task document, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct NoteAdded {
    /// Always true.
    pub success: bool,
    /// The task document with every field it has on disk.
    #[specta(type = JsonValue)]
    pub task: serde_json::Value,
}

/// The answer to deleting a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskDeleted {
    /// Always true.
    pub success: bool,
    /// The deleted task's id.
    pub task_id: String,
}

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| AppError::Internal(format!("board reader failed: {e}")))
}

/// Sessions newest first: `limit` of them (default 20; 0 means all), or all with `all`.
pub async fn board_sessions(
    app: &App,
    limit: Option<u32>,
    all: Option<bool>,
) -> Result<Vec<SessionListItem>, AppError> {
    let limit = match (all, limit.unwrap_or(DEFAULT_SESSION_LIMIT)) {
        (Some(true), _) | (_, 0) => None,
        (_, n) => usize::try_from(n).ok(),
    };
    let config = app.config();
    let (tasks_dir, projects_dir) = (config.tasks_dir.clone(), config.projects_dir.clone());
    let index = app.board().transcripts();
    blocking(move || board::sessions::list(&tasks_dir, &projects_dir, limit, &index)).await
}

/// The tasks of one session (task list), by id; lifecycle tasks only with `include_internal`.
pub async fn board_session_tasks(
    app: &App,
    session_id: String,
    include_internal: Option<bool>,
) -> Result<Vec<Task>, AppError> {
    board::ids::session_id(&session_id)?;
    let tasks_dir = app.config().tasks_dir.clone();
    let include = include_internal.unwrap_or(false);
    blocking(move || board::sessions::session_tasks(&tasks_dir, &session_id, include))
        .await?
        .ok_or_else(|| AppError::NotFound("Session not found".into()))
}

/// Every task of every session, with the session's id, name and project.
pub async fn board_all_tasks(
    app: &App,
    include_internal: Option<bool>,
) -> Result<Vec<TaskWithSession>, AppError> {
    let config = app.config();
    let (tasks_dir, projects_dir) = (config.tasks_dir.clone(), config.projects_dir.clone());
    let include = include_internal.unwrap_or(false);
    let index = app.board().transcripts();
    blocking(move || board::sessions::all_tasks(&tasks_dir, &projects_dir, include, &index)).await
}

/// Appends a note to a task's description (the original's note block) and returns the task.
pub async fn board_add_note(
    app: &App,
    session_id: String,
    task_id: String,
    note: String,
) -> Result<NoteAdded, AppError> {
    let task = board::notes::add_note(
        app.board(),
        &app.config().tasks_dir,
        &session_id,
        &task_id,
        &note,
    )
    .await?;
    Ok(NoteAdded {
        success: true,
        task: serde_json::Value::Object(task),
    })
}

/// Deletes a task, unless another task of its list is blocked by it.
pub async fn board_delete_task(
    app: &App,
    session_id: String,
    task_id: String,
) -> Result<TaskDeleted, AppError> {
    board::delete::delete_task(app.board(), &app.config().tasks_dir, &session_id, &task_id).await?;
    Ok(TaskDeleted {
        success: true,
        task_id,
    })
}
