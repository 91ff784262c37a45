//! Connection commands: metadata in, metadata out. No command returns a secret; a secret sent
//! with `connection_save` goes straight to the credential store. Every change publishes
//! [`FlowEvent::ConnectionsChanged`](crate::FlowEvent::ConnectionsChanged).

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

/// Every connection (metadata only: never a secret), with the saved flows that use it.
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

/// Creates or updates a connection; a given secret is stored in the credential store only.
pub async fn connection_save(app: &App, input: ConnectionInput) -> Result<Connection, AppError> {
    let saved = app.credentials().save(input).await?;
    announce(app, &saved.id, "saved");
    with_uses(app, saved).await
}

/// Deletes a connection and its secret; refused while saved flows use it unless `force`.
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

/// Drops an OAuth connection's tokens; the connection and its client secret stay.
pub async fn connection_disconnect(app: &App, id: String) -> Result<Connection, AppError> {
    let connection = app.credentials().disconnect(&id).await?;
    announce(app, &id, "disconnected");
    with_uses(app, connection).await
}

/// Tries a connection against its service's test operation.
///
/// Runs the service descriptor's `testOperation` once with the connection's credentials (the
/// generic HTTP service: a GET of `config.baseUrl`; OpenAI: `GET /models`); `ok` on a 2xx, and
/// the message says what the service answered (masked: never a secret). Refused while the
/// switch the service needs (`allow_services`, or the cloud provider's) is off.
pub async fn connection_test(app: &App, id: String) -> Result<ConnectionTest, AppError> {
    crate::engine::adapters::service::probe::test_connection(app, &id).await
}

/// Starts connecting an OAuth 2 account: where to send the person's browser.
pub async fn oauth_start(
    app: &App,
    id: String,
    redirect_base: Option<String>,
) -> Result<OAuthStart, AppError> {
    crate::credentials::oauth::start(app, &id, redirect_base).await
}

/// Completes an OAuth 2 grant from the provider's redirect (`state` is single-use).
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
