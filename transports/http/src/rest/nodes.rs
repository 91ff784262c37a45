//! Flow Studio's `GET /api/nodes`: the node catalog (`?installed=true`: installed entries only).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flow_core::commands;
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new().route("/nodes", get(list_nodes))
}

/// Read leniently (`?installed`, `=1`, `=true`, `=yes`) so a bad value never becomes a
/// plain-text rejection.
#[derive(Deserialize)]
struct NodesParams {
    installed: Option<String>,
}

async fn list_nodes(
    State(state): State<HttpState>,
    Query(params): Query<NodesParams>,
) -> Result<Response, ApiError> {
    let installed = params
        .installed
        .as_deref()
        .is_some_and(|v| matches!(v, "" | "1" | "true" | "yes"));
    Ok(if installed {
        Json(commands::nodes_installed(&state.app).await?).into_response()
    } else {
        Json(commands::nodes_catalog(&state.app).await?).into_response()
    })
}
