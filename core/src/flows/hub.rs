//! The Template Hub: a catalog of starter flows to install into the saved-flow store.
//!
//! The catalog is embedded (`hub/template_catalog.json`), or `<data dir>/template_catalog.json`
//! when that file exists; a broken override is an error naming the file, never a silent fall
//! back to the embedded one. Installing an entry saves its graph as a new flow through the
//! store's own save path (revisions, atomic files) and records, in the same transaction, which
//! flow it became, the hub version and the sha256 of the JSON written. Comparing that hash with
//! the flow's current content hash tells an untouched copy from one the user edited, whatever
//! the files' mtimes say; an update over an edit is refused unless forced, and then written as a
//! new revision so the edit stays in the flow's history.

mod catalog;
mod install;
mod installs;
mod listing;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::AppError;
use crate::flows::store::FlowStore;

pub use catalog::{TemplateHubEntry, parse as parse_catalog};
pub use listing::{InstalledTemplate, TemplateHubInstalled, TemplateHubListing, TemplateStatus};

/// The file name of the catalog override, directly under the data directory.
pub const CATALOG_OVERRIDE_FILE: &str = "template_catalog.json";

/// Where a data directory's catalog override lives.
pub fn catalog_override_path(data_dir: &Path) -> PathBuf {
    data_dir.join(CATALOG_OVERRIDE_FILE)
}

/// Every catalog entry with its install state, in catalog order.
pub async fn list(store: &FlowStore, data_dir: &Path) -> Result<Vec<TemplateHubListing>, AppError> {
    let path = catalog_override_path(data_dir);
    store
        .transaction(move |tx| install::listings(tx, &catalog::load(&path)?))
        .await
}

/// Installs entry `id` as a new flow in `collection` (default Default); an entry that is
/// already installed is a conflict naming its flow (update it instead).
pub async fn install(
    store: &FlowStore,
    data_dir: &Path,
    id: String,
    collection: Option<String>,
) -> Result<TemplateHubInstalled, AppError> {
    let path = catalog_override_path(data_dir);
    store
        .transaction(move |tx| {
            install::install(tx, &catalog::load(&path)?, &id, collection.as_deref())
        })
        .await
}

/// Overwrites the flow installed from entry `id` with the catalog's graph, as a new revision.
/// Refused with a conflict when the user edited that flow, unless `force`. The second value
/// says whether anything was written (an untouched copy of the current version is left alone).
pub async fn update(
    store: &FlowStore,
    data_dir: &Path,
    id: String,
    force: bool,
) -> Result<(TemplateHubInstalled, bool), AppError> {
    let path = catalog_override_path(data_dir);
    store
        .transaction(move |tx| install::update(tx, &catalog::load(&path)?, &id, force))
        .await
}

/// Drops the install record of the flow `slug` (deleted, or its slug reused), in the store's
/// transaction, so its entry shows as not installed.
pub(crate) fn forget_flow(conn: &Connection, slug: &str) -> Result<(), AppError> {
    installs::forget_flow(conn, slug)
}
