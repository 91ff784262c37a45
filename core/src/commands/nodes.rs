//! Node Hub commands: the catalog with install state, install/update/uninstall, CLI probes.
//! Every change publishes [`FlowEvent::NodesChanged`](crate::FlowEvent::NodesChanged).
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::nodes::{
    CatalogEntry, CatalogListing, CliProbe, NodeCatalog, NodeUninstalled, PROBE_TIMEOUT,
};
use crate::{App, AppError, FlowEvent};

/// Runs blocking catalog file work off the async runtime.
async fn blocking<T: Send + 'static>(
    app: &App,
    work: impl FnOnce(&NodeCatalog) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || work(app.nodes()))
        .await
        .map_err(|e| AppError::Internal(format!("node catalog task failed: {e}")))?
}

pub async fn nodes_catalog(app: &App) -> Result<Vec<CatalogListing>, AppError> {
    blocking(app, |nodes| Ok(nodes.listings())).await
}

pub async fn nodes_installed(app: &App) -> Result<Vec<CatalogEntry>, AppError> {
    blocking(app, |nodes| Ok(nodes.installed())).await
}

pub async fn node_install(app: &App, slug: String) -> Result<CatalogListing, AppError> {
    let (listing, change) = blocking(app, move |nodes| nodes.install(&slug)).await?;
    if let Some(change) = change.event_name() {
        app.publish(FlowEvent::NodesChanged {
            slug: listing.entry.slug.clone(),
            change: change.to_owned(),
        });
    }
    Ok(listing)
}

pub async fn node_uninstall(app: &App, slug: String) -> Result<NodeUninstalled, AppError> {
    let removed = slug.clone();
    blocking(app, move |nodes| nodes.uninstall(&removed)).await?;
    app.publish(FlowEvent::NodesChanged {
        slug: slug.clone(),
        change: "uninstalled".to_owned(),
    });
    Ok(NodeUninstalled { slug })
}

pub async fn node_probe_cli(app: &App, slug: String) -> Result<CliProbe, AppError> {
    let lookup = slug.clone();
    let entry = blocking(app, move |nodes| {
        nodes
            .entry(&lookup)
            .ok_or_else(|| AppError::NotFound(format!("no node entry `{lookup}`")))
    })
    .await?;
    let tool = entry.cli_tool.ok_or_else(|| {
        AppError::InvalidInput(format!("node entry `{slug}` is not a CLI tool preset"))
    })?;
    Ok(crate::nodes::probe(&slug, &tool, PROBE_TIMEOUT).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppConfig, BusItem, Edition};

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let config = AppConfig::new(dir.path().join("data"), Edition::Server, dir.path());
        (dir, App::open(config).unwrap())
    }

    #[tokio::test]
    async fn install_uninstall_publish_events() {
        let (_dir, app) = app();
        let start = app.bus().head();
        assert_eq!(
            nodes_installed(&app).await.unwrap().len(),
            crate::nodes::builtin_entries().len()
        );
        node_uninstall(&app, "shell-npm".into()).await.unwrap();
        let err = node_uninstall(&app, "shell-npm".into()).await.unwrap_err();
        assert_eq!(err.kind(), "NotFound");
        let listing = node_install(&app, "shell-npm".into()).await.unwrap();
        assert!(listing.installed && listing.built_in);
        // Same version again: success, no event.
        node_install(&app, "shell-npm".into()).await.unwrap();
        let err = node_install(&app, "nope".into()).await.unwrap_err();
        assert_eq!(err.kind(), "NotFound");
        let mut sub = app.bus().subscribe(Some(start));
        let mut changes = Vec::new();
        let wait = std::time::Duration::from_millis(200);
        while let Ok(Some(item)) = tokio::time::timeout(wait, sub.next()).await {
            if let BusItem::Event(env) = item
                && let FlowEvent::NodesChanged { slug, change } = &env.event
            {
                changes.push(format!("{slug}:{change}"));
            }
        }
        assert_eq!(
            changes,
            vec!["shell-npm:uninstalled", "shell-npm:installed"]
        );
        let catalog = nodes_catalog(&app).await.unwrap();
        assert!(catalog.iter().all(|l| l.installed));
    }

    #[tokio::test]
    async fn probe_needs_a_cli_entry() {
        let (_dir, app) = app();
        let err = node_probe_cli(&app, "shell-git".into()).await.unwrap_err();
        assert_eq!(err.kind(), "InvalidInput");
        let err = node_probe_cli(&app, "nope".into()).await.unwrap_err();
        assert_eq!(err.kind(), "NotFound");
        let probe = node_probe_cli(&app, "cli-zowe".into()).await.unwrap();
        assert_eq!(probe.tool, "zowe");
        assert_eq!(probe.required, "7.0.0");
    }

    #[tokio::test]
    async fn flow_validate_checks_against_the_installed_entries() {
        let (_dir, app) = app();
        let graph: crate::flows::FlowGraph = serde_json::from_value(serde_json::json!({
            "name": "One",
            "nodes": [{"id": "git", "type": "action",
                       "data": {"adapter": "shell", "actionId": "git", "args": "status"}}]
        }))
        .unwrap();
        let report = crate::commands::flow_validate(&app, graph.clone())
            .await
            .unwrap();
        assert!(report.ok, "{report:?}");
        node_uninstall(&app, "shell-git".into()).await.unwrap();
        let report = crate::commands::flow_validate(&app, graph).await.unwrap();
        assert!(!report.ok);
        assert_eq!(report.issues[0].code, "unsupported-node");
    }
}
