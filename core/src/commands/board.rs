//! Agent board commands: Claude Code's sessions and task lists, notes and deletes, and agents'
//! status reports.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use serde::{Deserialize, Serialize};

use crate::board::agent_status::AgentStatusReport;
use crate::board::index::TaskTimes;
use crate::board::{self, JsonValue, SessionListItem, Task, TaskWithSession};
use crate::json::Encoded;
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

/// The answer to deleting every task of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionTasksDeleted {
    /// Always true.
    pub success: bool,
    /// The session (task list) id.
    pub session_id: String,
    /// The deleted task ids, in the order they were deleted.
    pub deleted: Vec<String>,
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

pub async fn board_sessions(
    app: &App,
    limit: Option<u32>,
    all: Option<bool>,
) -> Result<Encoded<Vec<SessionListItem>>, AppError> {
    let limit = match (all, limit.unwrap_or(DEFAULT_SESSION_LIMIT)) {
        (Some(true), _) | (_, 0) => None,
        (_, n) => usize::try_from(n).ok(),
    };
    app.board().index().sessions(limit).await
}

pub async fn board_session_tasks(
    app: &App,
    session_id: String,
    include_internal: Option<bool>,
) -> Result<Encoded<Vec<Task>>, AppError> {
    board::ids::session_id(&session_id)?;
    app.board()
        .index()
        .session_tasks(session_id, include_internal.unwrap_or(false))
        .await?
        .ok_or_else(|| AppError::NotFound("Session not found".into()))
}

pub async fn board_all_tasks(
    app: &App,
    include_internal: Option<bool>,
) -> Result<Encoded<Vec<TaskWithSession>>, AppError> {
    app.board()
        .index()
        .all_tasks(include_internal.unwrap_or(false))
        .await
}

pub async fn board_task_times(
    app: &App,
    session_id: Option<String>,
) -> Result<Vec<TaskTimes>, AppError> {
    if let Some(id) = &session_id {
        board::ids::session_id(id)?;
    }
    app.board()
        .index()
        .task_times(session_id.as_deref())
        .await
        .ok_or_else(|| AppError::NotFound("Session not found".into()))
}

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

pub async fn board_delete_session_tasks(
    app: &App,
    session_id: String,
) -> Result<SessionTasksDeleted, AppError> {
    let deleted =
        board::delete::delete_list_tasks(app.board(), &app.config().tasks_dir, &session_id).await?;
    Ok(SessionTasksDeleted {
        success: true,
        session_id,
        deleted,
    })
}

pub async fn board_agent_status(app: &App, report: AgentStatusReport) -> Result<(), AppError> {
    app.publish(report.into_event());
    Ok(())
}
