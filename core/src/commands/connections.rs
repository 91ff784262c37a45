//! Connection commands: metadata in, metadata out. No command returns a secret; a secret sent
//! with `connection_save` goes straight to the credential store. Every change publishes
//! [`FlowEvent::ConnectionsChanged`](crate::FlowEvent::ConnectionsChanged).
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use std::collections::HashMap;

use crate::credentials::{
    Connection, ConnectionDeleted, ConnectionInput, ConnectionTest, FlowUse, OAuthStart,
};
use crate::flows::{FlowGraph, FlowListQuery};
use crate::{App, AppError, FlowEvent};

/// The node field that names a connection.
pub const CONNECTION_FIELD: &str = "connection";

/// The connection ids a graph's nodes name (sub-flows included).
pub fn connections_in(graph: &FlowGraph) -> Vec<String> {
    let mut ids = Vec::new();
    for node in &graph.nodes {
        if let Some(id) = node.data.get(CONNECTION_FIELD).and_then(|v| v.as_str())
            && !id.is_empty()
            && !ids.iter().any(|known| known == id)
        {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// Which saved flows name each connection.
async fn uses(app: &App) -> Result<HashMap<String, Vec<FlowUse>>, AppError> {
    let mut by_connection: HashMap<String, Vec<FlowUse>> = HashMap::new();
    for summary in app.flows().list(FlowListQuery::default()).await? {
        let document = match app.flows().get(summary.slug.clone()).await {
            Ok(document) => document,
            Err(err) => {
                tracing::warn!(flow = %summary.slug, %err, "skipping an unreadable flow while listing connection uses");
                continue;
            }
        };
        for id in connections_in(&document.graph) {
            by_connection.entry(id).or_default().push(FlowUse {
                slug: summary.slug.clone(),
                name: summary.name.clone(),
            });
        }
    }
    Ok(by_connection)
}

async fn with_uses(app: &App, mut connection: Connection) -> Result<Connection, AppError> {
    connection.used_by = uses(app).await?.remove(&connection.id).unwrap_or_default();
    Ok(connection)
}

/// Publishes a connection change.
pub(crate) fn announce(app: &App, id: &str, change: &str) {
    app.publish(FlowEvent::ConnectionsChanged {
        id: id.to_owned(),
        change: change.to_owned(),
    });
}

pub async fn connections_list(app: &App) -> Result<Vec<Connection>, AppError> {
    let mut uses = uses(app).await?;
    Ok(app
        .credentials()
        .list()
        .await?
        .into_iter()
        .map(|mut c| {
            c.used_by = uses.remove(&c.id).unwrap_or_default();
            c
        })
        .collect())
}

pub async fn connection_save(app: &App, input: ConnectionInput) -> Result<Connection, AppError> {
    let saved = app.credentials().save(input).await?;
    announce(app, &saved.id, "saved");
    with_uses(app, saved).await
}

pub async fn connection_delete(
    app: &App,
    id: String,
    force: Option<bool>,
) -> Result<ConnectionDeleted, AppError> {
    let connection = with_uses(app, app.credentials().get(&id).await?).await?;
    if !connection.used_by.is_empty() && force != Some(true) {
        let names: Vec<String> = connection
            .used_by
            .iter()
            .map(|f| format!("\"{}\"", f.name))
            .collect();
        return Err(AppError::Conflict(format!(
            "connection `{id}` is used by {}: {}; delete it anyway with force",
            if names.len() == 1 {
                "a saved flow"
            } else {
                "saved flows"
            },
            names.join(", ")
        )));
    }
    app.credentials().delete(&id).await?;
    announce(app, &id, "deleted");
    Ok(ConnectionDeleted {
        id,
        was_used_by: connection.used_by,
    })
}

pub async fn connection_disconnect(app: &App, id: String) -> Result<Connection, AppError> {
    let connection = app.credentials().disconnect(&id).await?;
    announce(app, &id, "disconnected");
    with_uses(app, connection).await
}

pub async fn connection_test(app: &App, id: String) -> Result<ConnectionTest, AppError> {
    crate::engine::adapters::service::probe::test_connection(app, &id).await
}

pub async fn oauth_start(
    app: &App,
    id: String,
    redirect_base: Option<String>,
) -> Result<OAuthStart, AppError> {
    crate::credentials::oauth::start(app, &id, redirect_base).await
}

pub async fn oauth_complete(
    app: &App,
    state: String,
    code: Option<String>,
    error: Option<String>,
) -> Result<Connection, AppError> {
    let connection = crate::credentials::oauth::complete(app, &state, code, error).await?;
    announce(app, &connection.id, "connected");
    with_uses(app, connection).await
}
