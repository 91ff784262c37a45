//! `/api/features/*`: the original board's features API, over the same core commands.
//!
//! Shapes follow the original: lists and features are returned as they are, `claim` returns the
//! feature, and the other mutators return `{"success": true}`. Errors use the app error body and
//! its status (404, 400, 409, …) rather than the original's blanket 500. Beyond the original:
//! `PATCH /{id}`, `DELETE /{id}` and `GET /{id}/events` (the change log).

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use flow_core::board::features::{
    CreateFeatureInput, DependencyRef, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch,
    FeatureStats,
};
use flow_core::{AppError, commands};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new()
        .route("/features", get(list).post(create))
        .route("/features/bulk", post(bulk))
        .route("/features/stats", get(stats))
        .route("/features/ready", get(ready))
        .route("/features/blocked", get(blocked))
        .route("/features/graph", get(graph))
        .route("/features/{id}", get(get_one).patch(update).delete(remove))
        .route("/features/{id}/events", get(events))
        .route("/features/{id}/claim", post(claim))
        .route("/features/{id}/pass", post(pass))
        .route("/features/{id}/fail", post(fail))
        .route("/features/{id}/skip", post(skip))
        .route("/features/{id}/dependencies", post(add_dependency))
        .route(
            "/features/{id}/dependencies/{dep_id}",
            delete(remove_dependency),
        )
}

fn parse_id(raw: &str, what: &str) -> Result<u32, ApiError> {
    raw.parse()
        .map_err(|_| ApiError(AppError::InvalidInput(format!("Invalid {what} ID"))))
}

fn success() -> Json<Value> {
    Json(json!({"success": true}))
}

async fn list(State(state): State<HttpState>) -> Result<Json<Vec<Feature>>, ApiError> {
    Ok(Json(commands::features_list(&state.app).await?))
}

async fn create(
    State(state): State<HttpState>,
    JsonBody(input): JsonBody<CreateFeatureInput>,
) -> Result<Json<Feature>, ApiError> {
    Ok(Json(commands::feature_create(&state.app, input).await?))
}

#[derive(Deserialize)]
struct BulkCreate {
    features: Vec<CreateFeatureInput>,
}

async fn bulk(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<BulkCreate>,
) -> Result<Json<Vec<Feature>>, ApiError> {
    Ok(Json(
        commands::features_create_bulk(&state.app, body.features).await?,
    ))
}

async fn stats(State(state): State<HttpState>) -> Result<Json<FeatureStats>, ApiError> {
    Ok(Json(commands::features_stats(&state.app).await?))
}

async fn ready(State(state): State<HttpState>) -> Result<Json<Vec<Feature>>, ApiError> {
    Ok(Json(commands::features_ready(&state.app).await?))
}

async fn blocked(State(state): State<HttpState>) -> Result<Json<Vec<Feature>>, ApiError> {
    Ok(Json(commands::features_blocked(&state.app).await?))
}

async fn graph(State(state): State<HttpState>) -> Result<Json<Vec<FeatureGraphNode>>, ApiError> {
    Ok(Json(commands::features_graph(&state.app).await?))
}

async fn get_one(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Feature>, ApiError> {
    let id = parse_id(&id, "feature")?;
    Ok(Json(commands::feature_get(&state.app, id).await?))
}

async fn update(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<FeaturePatch>,
) -> Result<Json<Feature>, ApiError> {
    let id = parse_id(&id, "feature")?;
    Ok(Json(commands::feature_update(&state.app, id, patch).await?))
}

async fn remove(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    commands::feature_delete(&state.app, id).await?;
    Ok(success())
}

async fn events(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<FeatureChangeEvent>>, ApiError> {
    let id = parse_id(&id, "feature")?;
    Ok(Json(commands::feature_events(&state.app, id).await?))
}

async fn claim(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Feature>, ApiError> {
    let id = parse_id(&id, "feature")?;
    Ok(Json(commands::feature_claim(&state.app, id).await?))
}

async fn pass(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    commands::feature_pass(&state.app, id).await?;
    Ok(success())
}

async fn fail(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    commands::feature_fail(&state.app, id).await?;
    Ok(success())
}

async fn skip(
    State(state): State<HttpState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    commands::feature_skip(&state.app, id).await?;
    Ok(success())
}

/// The body is a bare feature id (`5`), as in the original.
async fn add_dependency(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    JsonBody(dependency): JsonBody<DependencyRef>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    let DependencyRef::Id(dependency_id) = dependency else {
        return Err(ApiError(AppError::InvalidInput(
            "Invalid dependency reference: send the dependency's feature id".into(),
        )));
    };
    commands::feature_add_dependency(&state.app, id, dependency_id).await?;
    Ok(success())
}

async fn remove_dependency(
    State(state): State<HttpState>,
    Path((id, dep_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "feature")?;
    let dep_id = parse_id(&dep_id, "dependency")?;
    commands::feature_remove_dependency(&state.app, id, dep_id).await?;
    Ok(success())
}
