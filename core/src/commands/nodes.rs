//! Node Hub commands: the catalog with install state, install/update/uninstall, CLI probes.
//! Every change publishes [`FlowEvent::NodesChanged`](crate::FlowEvent::NodesChanged).

use crate::nodes::{CatalogEntry, CatalogListing, CliProbe, NodeUninstalled};
use crate::{App, AppError};

fn pending() -> AppError {
    AppError::Unavailable("the node catalog is not available yet".to_owned())
}

/// Every catalog entry (built in or installed) with its install state.
pub async fn nodes_catalog(app: &App) -> Result<Vec<CatalogListing>, AppError> {
    let _ = app;
    Err(pending())
}

/// The installed entries: what the palette offers and validation checks against.
pub async fn nodes_installed(app: &App) -> Result<Vec<CatalogEntry>, AppError> {
    let _ = app;
    Err(pending())
}

/// Installs a built-in entry, or updates it when an older version is installed.
pub async fn node_install(app: &App, slug: String) -> Result<CatalogListing, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// Removes an installed entry; nodes of that type stay in flows as unsupported stubs.
pub async fn node_uninstall(app: &App, slug: String) -> Result<NodeUninstalled, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// Runs a CLI preset's version command (argv only, with a timeout).
pub async fn node_probe_cli(app: &App, slug: String) -> Result<CliProbe, AppError> {
    let _ = (app, slug);
    Err(pending())
}
