//! Flow Studio's `GET /api/templates` (saved flows) and `GET /api/templates/{slug}`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use flow_core::commands;
use flow_core::flows::{FlowDocument, FlowListQuery, FlowSummary};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new()
        .route("/templates", get(list_templates))
        .route("/templates/{slug}", get(get_template))
}

/// Unknown parameters are ignored (cache busters), like the board routes do.
#[derive(Deserialize)]
struct ListParams {
    collection: Option<String>,
    search: Option<String>,
}

async fn list_templates(
    State(state): State<HttpState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<FlowSummary>>, ApiError> {
    let query = FlowListQuery {
        collection: params.collection,
        search: params.search,
    };
    Ok(Json(commands::flows_list(&state.app, Some(query)).await?))
}

async fn get_template(
    State(state): State<HttpState>,
    Path(slug): Path<String>,
) -> Result<Json<FlowDocument>, ApiError> {
    Ok(Json(commands::flow_get(&state.app, slug).await?))
}
