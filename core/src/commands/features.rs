//! Features commands: the agent board's features store (`/api/features/*` in the original).
//! Every mutation publishes a [`FlowEvent::FeatureUpdate`].
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::board::features::{
    CreateFeatureInput, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch, FeatureStats,
};
use crate::{App, AppError, FlowEvent};

fn publish(app: &App, feature_id: u32, change: &str) {
    app.publish(FlowEvent::FeatureUpdate {
        feature_id,
        change: change.to_owned(),
    });
}

pub async fn features_list(app: &App) -> Result<Vec<Feature>, AppError> {
    app.features().list().await
}

pub async fn feature_create(app: &App, input: CreateFeatureInput) -> Result<Feature, AppError> {
    let feature = app.features().create(input).await?;
    publish(app, feature.id, "created");
    Ok(feature)
}

pub async fn features_create_bulk(
    app: &App,
    features: Vec<CreateFeatureInput>,
) -> Result<Vec<Feature>, AppError> {
    let created = app.features().create_bulk(features).await?;
    for feature in &created {
        publish(app, feature.id, "created");
    }
    Ok(created)
}

pub async fn feature_get(app: &App, id: u32) -> Result<Feature, AppError> {
    app.features().get(id).await
}

pub async fn feature_update(app: &App, id: u32, patch: FeaturePatch) -> Result<Feature, AppError> {
    let (feature, changed) = app.features().update(id, patch).await?;
    if changed {
        publish(app, id, "updated");
    }
    Ok(feature)
}

pub async fn feature_delete(app: &App, id: u32) -> Result<Feature, AppError> {
    let before = app.features().list().await?;
    let feature = app.features().delete(id).await?;
    publish(app, id, "deleted");
    for other in before.iter().filter(|f| f.dependencies.contains(&id)) {
        publish(app, other.id, "dependency-removed");
    }
    Ok(feature)
}

pub async fn feature_claim(app: &App, id: u32) -> Result<Feature, AppError> {
    let feature = app.features().claim(id).await?;
    publish(app, id, "claimed");
    Ok(feature)
}

pub async fn feature_pass(app: &App, id: u32) -> Result<Feature, AppError> {
    let feature = app.features().pass(id).await?;
    publish(app, id, "passed");
    Ok(feature)
}

pub async fn feature_fail(app: &App, id: u32) -> Result<Feature, AppError> {
    let feature = app.features().fail(id).await?;
    publish(app, id, "failed");
    Ok(feature)
}

pub async fn feature_skip(app: &App, id: u32) -> Result<Feature, AppError> {
    let feature = app.features().skip(id).await?;
    publish(app, id, "skipped");
    Ok(feature)
}

pub async fn feature_add_dependency(
    app: &App,
    id: u32,
    dependency_id: u32,
) -> Result<Feature, AppError> {
    let feature = app.features().add_dependency(id, dependency_id).await?;
    publish(app, id, "dependency-added");
    Ok(feature)
}

pub async fn feature_remove_dependency(
    app: &App,
    id: u32,
    dependency_id: u32,
) -> Result<Feature, AppError> {
    let feature = app.features().remove_dependency(id, dependency_id).await?;
    publish(app, id, "dependency-removed");
    Ok(feature)
}

pub async fn features_stats(app: &App) -> Result<FeatureStats, AppError> {
    app.features().stats().await
}

pub async fn features_ready(app: &App) -> Result<Vec<Feature>, AppError> {
    app.features().ready().await
}

pub async fn features_blocked(app: &App) -> Result<Vec<Feature>, AppError> {
    app.features().blocked().await
}

pub async fn features_graph(app: &App) -> Result<Vec<FeatureGraphNode>, AppError> {
    app.features().graph().await
}

pub async fn feature_events(app: &App, id: u32) -> Result<Vec<FeatureChangeEvent>, AppError> {
    app.features().events(id).await
}
