//! `POST /api/models/import?fileName=<name>.gguf`: a browser uploads a local GGUF file as the
//! raw request body. It is streamed to disk (never held in memory), so this route alone has no
//! body size limit; the core checks the name (before a byte is written) and the GGUF header
//! before installing it.

use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::post;
use flow_core::commands;
use flow_core::models::InstalledModel;
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new().route(
        "/models/import",
        post(upload).layer(DefaultBodyLimit::disable()),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportParams {
    file_name: Option<String>,
}

async fn upload(
    State(state): State<HttpState>,
    Query(params): Query<ImportParams>,
    body: Body,
) -> Result<Json<InstalledModel>, ApiError> {
    let file_name = params.file_name.ok_or_else(|| {
        flow_core::AppError::InvalidInput(
            "name the file: POST /api/models/import?fileName=<name>.gguf".into(),
        )
    })?;
    Ok(Json(
        commands::import_model_stream(&state.app, &file_name, body.into_data_stream()).await?,
    ))
}
