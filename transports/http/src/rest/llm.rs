//! Flow Studio's model server routes, served by the in-process runtime:
//! `GET /api/llm/status`, `POST /api/llm/start` (load a model) and `POST /api/llm/stop`
//! (unload one, or all).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flow_core::llm::{LlmStatus, ModelParams};
use flow_core::{AppError, commands};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::router::HttpState;

pub(super) fn routes() -> Router<HttpState> {
    Router::new()
        .route("/llm/status", get(status))
        .route("/llm/start", post(start))
        .route("/llm/stop", post(stop))
}

/// `POST /api/llm/start`: `{model?, params?}`; without a model, the most recently used one
/// stays (or the first installed model loads).
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
    let model = match body.model {
        Some(model) => model,
        None => {
            let status = commands::llm_status(&state.app).await?;
            match status.loaded.first() {
                Some(resident) => resident.model.clone(),
                None => commands::models_installed(&state.app)
                    .await?
                    .into_iter()
                    .find(|m| m.error.is_none())
                    .map(|m| m.file_name)
                    .ok_or_else(|| {
                        AppError::NotFound(
                            "no model is installed; download one from the Model Hub first".into(),
                        )
                    })?,
            }
        }
    };
    Ok(Json(
        commands::llm_load(&state.app, model, body.params).await?,
    ))
}

async fn stop(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<StopBody>,
) -> Result<Json<LlmStatus>, ApiError> {
    Ok(Json(commands::llm_unload(&state.app, body.model).await?))
}
