//! Connections' metadata in `db/flow.sqlite` (`connections`): everything but the secrets.

use rusqlite::{OptionalExtension, params};

use super::types::{AuthKind, ConnectionConfig, OAuthInfo, SecretStoreKind};
use crate::AppError;
use crate::db::{Db, sql_error};

/// One stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub id: String,
    pub name: String,
    pub service: String,
    pub auth: AuthKind,
    pub config: ConnectionConfig,
    pub has_secret: bool,
    pub secret_store: Option<SecretStoreKind>,
    pub oauth: Option<OAuthInfo>,
    pub needs_reconnect: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_used_at: Option<String>,
}

/// The `connections` table of one data directory.
#[derive(Clone)]
pub(crate) struct MetaStore {
    db: Db,
}

fn store_name(kind: SecretStoreKind) -> &'static str {
    match kind {
        SecretStoreKind::Keyring => "keyring",
        SecretStoreKind::EncryptedFile => "file",
    }
}

fn parse_store(text: Option<String>) -> Option<SecretStoreKind> {
    match text.as_deref() {
        Some("keyring") => Some(SecretStoreKind::Keyring),
        Some("file") => Some(SecretStoreKind::EncryptedFile),
        _ => None,
    }
}

const COLUMNS: &str = "id, name, service, auth, config_json, has_secret, secret_store, oauth_json, \
                       needs_reconnect, created_at, updated_at, last_used_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let auth: String = r.get(3)?;
    let config: String = r.get(4)?;
    let oauth: Option<String> = r.get(7)?;
    Ok(Row {
        id: r.get(0)?,
        name: r.get(1)?,
        service: r.get(2)?,
        auth: AuthKind::parse(&auth).unwrap_or(AuthKind::None),
        config: serde_json::from_str(&config).unwrap_or_default(),
        has_secret: r.get(5)?,
        secret_store: parse_store(r.get(6)?),
        oauth: oauth.and_then(|o| serde_json::from_str(&o).ok()),
        needs_reconnect: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        last_used_at: r.get(11)?,
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value)
        .map_err(|e| AppError::Internal(format!("encoding connection metadata failed: {e}")))
}

impl MetaStore {
    /// The table in an open database.
    pub(crate) fn on(db: &Db) -> Self {
        Self {
            db: db.for_store("credentials"),
        }
    }

    /// Every connection, by name.
    pub(crate) async fn list(&self) -> Result<Vec<Row>, AppError> {
        self.db
            .read(|conn| {
                conn.prepare(&format!(
                    "SELECT {COLUMNS} FROM connections ORDER BY name COLLATE NOCASE, id"
                ))
                .and_then(|mut stmt| stmt.query_map([], row)?.collect())
                .map_err(sql_error("listing connections"))
            })
            .await
    }

    /// One connection, if it exists.
    pub(crate) async fn get(&self, id: &str) -> Result<Option<Row>, AppError> {
        let id = id.to_owned();
        self.db
            .read(move |conn| {
                // Cached: a run resolves its connection on every request.
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"))
                    .and_then(|mut stmt| stmt.query_row([id], row).optional())
                    .map_err(sql_error("reading a connection"))
            })
            .await
    }

    /// Inserts or replaces a row.
    pub(crate) async fn put(&self, r: Row) -> Result<(), AppError> {
        let config = encode(&r.config)?;
        let oauth = r.oauth.as_ref().map(encode).transpose()?;
        self.db
            .write(move |conn| {
                conn.execute(
                    &format!(
                        "INSERT OR REPLACE INTO connections ({COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                    ),
                    params![
                        r.id,
                        r.name,
                        r.service,
                        r.auth.as_str(),
                        config,
                        r.has_secret,
                        r.secret_store.map(store_name),
                        oauth,
                        r.needs_reconnect,
                        r.created_at,
                        r.updated_at,
                        r.last_used_at,
                    ],
                )
                .map(drop)
                .map_err(sql_error("saving a connection"))
            })
            .await
    }

    /// Removes a row; `false` when there was none.
    pub(crate) async fn delete(&self, id: &str) -> Result<bool, AppError> {
        let id = id.to_owned();
        self.db
            .write(move |conn| {
                conn.execute("DELETE FROM connections WHERE id = ?1", [id])
                    .map(|n| n > 0)
                    .map_err(sql_error("deleting a connection"))
            })
            .await
    }

    /// Stamps the time a run used a connection.
    pub(crate) async fn touch(&self, id: &str, at: String) -> Result<(), AppError> {
        let id = id.to_owned();
        self.db
            .write(move |conn| {
                conn.execute(
                    "UPDATE connections SET last_used_at = ?2 WHERE id = ?1",
                    params![id, at],
                )
                .map(drop)
                .map_err(sql_error("recording a connection's use"))
            })
            .await
    }
}
