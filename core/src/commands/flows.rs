//! Saved-flow commands: list, get, save (revision-checked), rename, duplicate, delete, move,
//! import/export, revision history, and collections. Every change publishes
//! [`FlowEvent::FlowsChanged`](crate::FlowEvent::FlowsChanged).
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::flows::{
    Collection, CollectionDeleted, ExportedFlow, FlowDeleted, FlowDocument, FlowFileFormat,
    FlowListQuery, FlowSummary, RevisionDiff, RevisionInfo, SaveFlowInput,
};
use crate::{App, AppError, FlowEvent};

fn publish(app: &App, slug: Option<&str>, revision: Option<u32>, change: &str) {
    app.publish(FlowEvent::FlowsChanged {
        slug: slug.map(str::to_owned),
        revision,
        change: change.to_owned(),
    });
}

fn published(app: &App, doc: FlowDocument, change: &str) -> FlowDocument {
    publish(app, Some(&doc.slug), Some(doc.revision), change);
    doc
}

pub async fn flows_list(
    app: &App,
    query: Option<FlowListQuery>,
) -> Result<Vec<FlowSummary>, AppError> {
    app.flows().list(query.unwrap_or_default()).await
}

pub async fn flow_get(app: &App, slug: String) -> Result<FlowDocument, AppError> {
    app.flows().get(slug).await
}

pub async fn flow_save(app: &App, input: SaveFlowInput) -> Result<FlowDocument, AppError> {
    let doc = app.flows().save(input).await?;
    Ok(published(app, doc, "saved"))
}

pub async fn flow_rename(
    app: &App,
    slug: String,
    name: String,
    base_revision: u32,
) -> Result<FlowDocument, AppError> {
    let doc = app.flows().rename(slug, name, base_revision).await?;
    Ok(published(app, doc, "renamed"))
}

pub async fn flow_duplicate(
    app: &App,
    slug: String,
    name: Option<String>,
) -> Result<FlowDocument, AppError> {
    let doc = app.flows().duplicate(slug, name).await?;
    Ok(published(app, doc, "saved"))
}

pub async fn flow_delete(app: &App, slug: String) -> Result<FlowDeleted, AppError> {
    let deleted = app.flows().delete(slug).await?;
    publish(app, Some(&deleted.slug), None, "deleted");
    Ok(deleted)
}

pub async fn flow_move(
    app: &App,
    slug: String,
    collection: String,
) -> Result<FlowSummary, AppError> {
    let summary = app.flows().move_to(slug, collection).await?;
    publish(app, Some(&summary.slug), None, "moved");
    Ok(summary)
}

pub async fn flow_import(
    app: &App,
    file_name: String,
    content: String,
    collection: Option<String>,
) -> Result<FlowDocument, AppError> {
    let doc = app.flows().import(file_name, content, collection).await?;
    Ok(published(app, doc, "imported"))
}

pub async fn flow_export(
    app: &App,
    slug: String,
    format: FlowFileFormat,
) -> Result<ExportedFlow, AppError> {
    app.flows().export(slug, format).await
}

pub async fn flow_revisions(app: &App, slug: String) -> Result<Vec<RevisionInfo>, AppError> {
    app.flows().revisions(slug).await
}

pub async fn flow_revision_get(
    app: &App,
    slug: String,
    revision: u32,
) -> Result<FlowDocument, AppError> {
    app.flows().revision(slug, revision).await
}

pub async fn flow_revision_diff(
    app: &App,
    slug: String,
    from: u32,
    to: u32,
) -> Result<RevisionDiff, AppError> {
    app.flows().diff(slug, from, to).await
}

pub async fn flow_revision_restore(
    app: &App,
    slug: String,
    revision: u32,
    base_revision: u32,
) -> Result<FlowDocument, AppError> {
    let doc = app.flows().restore(slug, revision, base_revision).await?;
    Ok(published(app, doc, "restored"))
}

pub async fn collections_list(app: &App) -> Result<Vec<Collection>, AppError> {
    app.flows().collections().await
}

pub async fn collection_create(app: &App, name: String) -> Result<Collection, AppError> {
    let collection = app.flows().create_collection(name).await?;
    publish(app, None, None, "collections");
    Ok(collection)
}

pub async fn collection_rename(
    app: &App,
    slug: String,
    name: String,
) -> Result<Collection, AppError> {
    let collection = app.flows().rename_collection(slug, name).await?;
    publish(app, None, None, "collections");
    Ok(collection)
}

pub async fn collection_delete(app: &App, slug: String) -> Result<CollectionDeleted, AppError> {
    let deleted = app.flows().delete_collection(slug).await?;
    publish(app, None, None, "collections");
    Ok(deleted)
}
