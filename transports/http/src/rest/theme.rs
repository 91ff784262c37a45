//! `GET/POST /api/theme`: the original board's theme API, now persisted.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use flow_core::commands;
use flow_core::theme::{ThemeName, ThemeState};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new().route("/theme", get(get_theme).post(set_theme))
}

async fn get_theme(State(state): State<HttpState>) -> Result<Json<ThemeState>, ApiError> {
    Ok(Json(commands::theme_get(&state.app).await?))
}

#[derive(Deserialize)]
struct SetTheme {
    theme: String,
}

async fn set_theme(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<SetTheme>,
) -> Result<Json<ThemeState>, ApiError> {
    let theme: ThemeName = body.theme.parse()?;
    Ok(Json(commands::theme_set(&state.app, theme).await?))
}
