//! `template_hub_installs`: one row per installed hub entry.

use rusqlite::{Connection, OptionalExtension, params};

use crate::AppError;
use crate::db::sql_error;

/// What the hub wrote when it last installed or updated an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InstallRow {
    /// The hub entry.
    pub hub_id: String,
    /// The saved flow it became.
    pub flow_slug: String,
    /// The entry's version then.
    pub hub_version: String,
    /// When (RFC 3339).
    pub installed_at: String,
    /// The flow revision the hub wrote.
    pub revision: u32,
    /// sha256 of the JSON the hub wrote.
    pub content_hash: String,
}

const COLUMNS: &str = "hub_id, flow_slug, hub_version, installed_at, revision, content_hash";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InstallRow> {
    Ok(InstallRow {
        hub_id: r.get(0)?,
        flow_slug: r.get(1)?,
        hub_version: r.get(2)?,
        installed_at: r.get(3)?,
        revision: r.get(4)?,
        content_hash: r.get(5)?,
    })
}

/// Every install row.
pub(super) fn all(conn: &Connection) -> Result<Vec<InstallRow>, AppError> {
    let context = "reading the Template Hub installs";
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM template_hub_installs"))
        .map_err(sql_error(context))?;
    let rows = stmt.query_map([], row).map_err(sql_error(context))?;
    rows.collect::<Result<_, _>>().map_err(sql_error(context))
}

/// The row of one entry.
pub(super) fn get(conn: &Connection, hub_id: &str) -> Result<Option<InstallRow>, AppError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM template_hub_installs WHERE hub_id = ?1"),
        [hub_id],
        row,
    )
    .optional()
    .map_err(sql_error(format!("reading the install of {hub_id}")))
}

/// Stores (or replaces) an entry's row.
pub(super) fn put(conn: &Connection, install: &InstallRow) -> Result<(), AppError> {
    conn.execute(
        &format!("INSERT OR REPLACE INTO template_hub_installs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            install.hub_id,
            install.flow_slug,
            install.hub_version,
            install.installed_at,
            install.revision,
            install.content_hash
        ],
    )
    .map_err(sql_error(format!("recording the install of {}", install.hub_id)))?;
    Ok(())
}

/// Drops the row of whichever entry became the flow `slug`.
pub(super) fn forget_flow(conn: &Connection, slug: &str) -> Result<(), AppError> {
    conn.execute(
        "DELETE FROM template_hub_installs WHERE flow_slug = ?1",
        [slug],
    )
    .map_err(sql_error(format!("forgetting the hub install of {slug}")))?;
    Ok(())
}
