//! The original board's session and task routes, in its shapes (bare arrays, camelCase keys,
//! `null` kept), each calling the same core command as the invoke bridge.
//!
//! - `GET /api/sessions?limit=<n|all>`: `limit` defaults to 20; `all`, `0` or a non-number
//!   mean every session (as the original).
//! - `GET /api/sessions/{id}`: the session's tasks, by id; `?includeInternal=true` adds
//!   lifecycle tasks.
//! - `GET /api/tasks/all`: every task with `sessionId`, `sessionName`, `project`.
//! - `POST /api/tasks/{session}/{task}/note` with `{"note": "..."}`: `{success, task}`.
//! - `DELETE /api/tasks/{session}/{task}`: `{success, taskId}`.
//! - `DELETE /api/sessions/{id}/tasks`: every task of the session, in dependency order:
//!   `{success, sessionId, deleted}`.
//! - `GET /api/tasks/times` and `GET /api/sessions/{id}/times`: each task's `createdAt` and
//!   `updatedAt` (for the timeline).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use flow_core::board::index::TaskTimes;
use flow_core::board::{SessionListItem, Task, TaskWithSession};
use flow_core::commands::{self, NoteAdded, SessionTasksDeleted, TaskDeleted};
use flow_core::json::Encoded;
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new()
        .route("/sessions", get(sessions))
        .route("/sessions/{session_id}", get(session_tasks))
        .route("/sessions/{session_id}/tasks", delete(delete_session_tasks))
        .route("/sessions/{session_id}/times", get(session_times))
        .route("/tasks/all", get(all_tasks))
        .route("/tasks/times", get(all_times))
        .route("/tasks/{session_id}/{task_id}/note", post(add_note))
        .route("/tasks/{session_id}/{task_id}", delete(delete_task))
}

/// The query parameters these routes understand; values stay strings so that no query
/// string is ever refused (the original treated anything non-numeric as "all").
#[derive(Deserialize, Default)]
struct BoardQuery {
    limit: Option<String>,
    #[serde(rename = "includeInternal")]
    include_internal: Option<String>,
}

impl BoardQuery {
    fn include_internal(&self) -> Option<bool> {
        self.include_internal
            .as_deref()
            .map(|v| matches!(v, "" | "1" | "true" | "yes"))
    }
}

async fn sessions(
    State(state): State<HttpState>,
    Query(query): Query<BoardQuery>,
) -> Result<Json<Encoded<Vec<SessionListItem>>>, ApiError> {
    let (limit, all) = match query.limit.as_deref() {
        None => (None, None),
        Some(text) => match text.parse::<u32>() {
            Ok(n) => (Some(n), None),
            Err(_) => (None, Some(true)),
        },
    };
    Ok(Json(
        commands::board_sessions(&state.app, limit, all).await?,
    ))
}

async fn session_tasks(
    State(state): State<HttpState>,
    Path(session_id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Result<Json<Encoded<Vec<Task>>>, ApiError> {
    let include = query.include_internal();
    Ok(Json(
        commands::board_session_tasks(&state.app, session_id, include).await?,
    ))
}

async fn all_tasks(
    State(state): State<HttpState>,
    Query(query): Query<BoardQuery>,
) -> Result<Json<Encoded<Vec<TaskWithSession>>>, ApiError> {
    let include = query.include_internal();
    Ok(Json(commands::board_all_tasks(&state.app, include).await?))
}

#[derive(Deserialize)]
struct NoteBody {
    note: String,
}

async fn add_note(
    State(state): State<HttpState>,
    Path((session_id, task_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Json<NoteAdded>, ApiError> {
    Ok(Json(
        commands::board_add_note(&state.app, session_id, task_id, body.note).await?,
    ))
}

async fn delete_task(
    State(state): State<HttpState>,
    Path((session_id, task_id)): Path<(String, String)>,
) -> Result<Json<TaskDeleted>, ApiError> {
    Ok(Json(
        commands::board_delete_task(&state.app, session_id, task_id).await?,
    ))
}

async fn delete_session_tasks(
    State(state): State<HttpState>,
    Path(session_id): Path<String>,
) -> Result<Json<SessionTasksDeleted>, ApiError> {
    Ok(Json(
        commands::board_delete_session_tasks(&state.app, session_id).await?,
    ))
}

async fn session_times(
    State(state): State<HttpState>,
    Path(session_id): Path<String>,
) -> Result<Json<Vec<TaskTimes>>, ApiError> {
    Ok(Json(
        commands::board_task_times(&state.app, Some(session_id)).await?,
    ))
}

async fn all_times(State(state): State<HttpState>) -> Result<Json<Vec<TaskTimes>>, ApiError> {
    Ok(Json(commands::board_task_times(&state.app, None).await?))
}
