//! An OpenAI-compatible API over the in-process runtime, so existing OpenAI clients can use the
//! instance's models: `GET /v1/models` and `POST /v1/chat/completions` (streaming or not),
//! behind the same bearer token as `/api`. Errors use OpenAI's `{"error": {…}}` shape.

mod chat;
mod wire;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use flow_core::{AppError, commands};

use crate::api_error::status_of;
use crate::auth;
use crate::route_table::Table;
use crate::router::HttpState;

/// The `/v1` routes, gated like `/api`.
pub(crate) fn routes(state: HttpState) -> (Router<HttpState>, Vec<String>) {
    let (router, paths) = Table::new()
        .route("/models", get(models))
        .route("/chat/completions", post(chat::completions))
        .into_parts("/v1");
    let router = router
        .fallback(not_found)
        .layer(from_fn_with_state(state, auth::require_auth));
    (router, paths)
}

/// An error in OpenAI's shape.
pub(crate) struct OpenAiError(pub AppError);

impl From<AppError> for OpenAiError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let kind = match status {
            StatusCode::BAD_REQUEST => "invalid_request_error",
            StatusCode::NOT_FOUND => "not_found_error",
            StatusCode::UNAUTHORIZED => "authentication_error",
            StatusCode::SERVICE_UNAVAILABLE => "server_overloaded",
            _ => "server_error",
        };
        if status.is_server_error() {
            tracing::error!(error = %self.0, "OpenAI-compatible request failed");
        }
        let body = serde_json::json!({
            "error": {
                "message": self.0.message(),
                "type": kind,
                "param": null,
                "code": self.0.kind(),
            }
        });
        (status, axum::Json(body)).into_response()
    }
}

async fn models(State(state): State<HttpState>) -> Result<Response, OpenAiError> {
    let installed = commands::models_installed(&state.app).await?;
    let data: Vec<_> = installed
        .into_iter()
        .filter(|m| m.error.is_none())
        .map(|m| {
            let created = commands::model_modified_secs(&state.app, &m.file_name);
            wire::ModelObject::new(m.file_name, created)
        })
        .collect();
    Ok(axum::Json(wire::ModelList {
        object: "list",
        data,
    })
    .into_response())
}

async fn not_found(uri: axum::http::Uri) -> OpenAiError {
    OpenAiError(AppError::NotFound(format!(
        "no OpenAI-compatible route {}",
        uri.path()
    )))
}
