//! Flow Studio's model server routes, served by the in-process runtime:
//! `GET /api/llm/status`, `POST /api/llm/start` (load a model) and `POST /api/llm/stop`
//! (unload one, or all).

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use flow_core::commands;
use flow_core::llm::{LlmStatus, ModelParams};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new()
        .route("/llm/status", get(status))
        .route("/llm/start", post(start))
        .route("/llm/stop", post(stop))
}

/// `POST /api/llm/start`: `{model?, params?}`; without a model, the core picks one (the most
/// recently used, else the first installed).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartBody {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    params: Option<ModelParams>,
}

/// `POST /api/llm/stop`: `{model?}`; without one, every model is unloaded.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StopBody {
    #[serde(default)]
    model: Option<String>,
}

async fn status(State(state): State<HttpState>) -> Result<Json<LlmStatus>, ApiError> {
    Ok(Json(commands::llm_status(&state.app).await?))
}

async fn start(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<StartBody>,
) -> Result<Json<LlmStatus>, ApiError> {
    Ok(Json(
        commands::llm_load(&state.app, body.model, body.params).await?,
    ))
}

async fn stop(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<StopBody>,
) -> Result<Json<LlmStatus>, ApiError> {
    Ok(Json(commands::llm_unload(&state.app, body.model).await?))
}
