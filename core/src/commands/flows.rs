//! Saved-flow commands: list, get, save (revision-checked), rename, duplicate, delete, move,
//! import/export, revision history, and collections. Every change publishes
//! [`FlowEvent::FlowsChanged`](crate::FlowEvent::FlowsChanged).

use crate::flows::{
    Collection, CollectionDeleted, ExportedFlow, FlowDeleted, FlowDocument, FlowFileFormat,
    FlowListQuery, FlowSummary, RevisionDiff, RevisionInfo, SaveFlowInput,
};
use crate::{App, AppError};

fn pending() -> AppError {
    AppError::Unavailable("saved flows are not available yet".to_owned())
}

/// Saved flows, sorted by name, optionally filtered by collection and search text.
pub async fn flows_list(
    app: &App,
    query: Option<FlowListQuery>,
) -> Result<Vec<FlowSummary>, AppError> {
    let _ = (app, query);
    Err(pending())
}

/// One saved flow with its current revision.
pub async fn flow_get(app: &App, slug: String) -> Result<FlowDocument, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// Creates or updates a flow; a stale `baseRevision` is a conflict.
pub async fn flow_save(app: &App, input: SaveFlowInput) -> Result<FlowDocument, AppError> {
    let _ = (app, input);
    Err(pending())
}

/// Renames a flow (its slug stays).
pub async fn flow_rename(
    app: &App,
    slug: String,
    name: String,
    base_revision: u32,
) -> Result<FlowDocument, AppError> {
    let _ = (app, slug, name, base_revision);
    Err(pending())
}

/// Copies a flow under a new name (default "<name> copy") into the same collection.
pub async fn flow_duplicate(
    app: &App,
    slug: String,
    name: Option<String>,
) -> Result<FlowDocument, AppError> {
    let _ = (app, slug, name);
    Err(pending())
}

/// Deletes a flow: its files first, then its membership and revisions.
pub async fn flow_delete(app: &App, slug: String) -> Result<FlowDeleted, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// Moves a flow to another collection.
pub async fn flow_move(
    app: &App,
    slug: String,
    collection: String,
) -> Result<FlowSummary, AppError> {
    let _ = (app, slug, collection);
    Err(pending())
}

/// Imports a `.flow` (DSL) or `.flow.json` file as a new flow.
pub async fn flow_import(
    app: &App,
    file_name: String,
    content: String,
    collection: Option<String>,
) -> Result<FlowDocument, AppError> {
    let _ = (app, file_name, content, collection);
    Err(pending())
}

/// A flow as a `.flow` or `.flow.json` file.
pub async fn flow_export(
    app: &App,
    slug: String,
    format: FlowFileFormat,
) -> Result<ExportedFlow, AppError> {
    let _ = (app, slug, format);
    Err(pending())
}

/// The kept revisions of a flow, newest first.
pub async fn flow_revisions(app: &App, slug: String) -> Result<Vec<RevisionInfo>, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// One kept revision of a flow.
pub async fn flow_revision_get(
    app: &App,
    slug: String,
    revision: u32,
) -> Result<FlowDocument, AppError> {
    let _ = (app, slug, revision);
    Err(pending())
}

/// The DSL diff between two kept revisions.
pub async fn flow_revision_diff(
    app: &App,
    slug: String,
    from: u32,
    to: u32,
) -> Result<RevisionDiff, AppError> {
    let _ = (app, slug, from, to);
    Err(pending())
}

/// Saves a kept revision's graph as the new current revision.
pub async fn flow_revision_restore(
    app: &App,
    slug: String,
    revision: u32,
    base_revision: u32,
) -> Result<FlowDocument, AppError> {
    let _ = (app, slug, revision, base_revision);
    Err(pending())
}

/// Every collection with its flow count, Default first.
pub async fn collections_list(app: &App) -> Result<Vec<Collection>, AppError> {
    let _ = app;
    Err(pending())
}

/// Creates a collection.
pub async fn collection_create(app: &App, name: String) -> Result<Collection, AppError> {
    let _ = (app, name);
    Err(pending())
}

/// Renames a collection (not Default).
pub async fn collection_rename(
    app: &App,
    slug: String,
    name: String,
) -> Result<Collection, AppError> {
    let _ = (app, slug, name);
    Err(pending())
}

/// Deletes a collection (not Default); its flows move to Default.
pub async fn collection_delete(app: &App, slug: String) -> Result<CollectionDeleted, AppError> {
    let _ = (app, slug);
    Err(pending())
}
