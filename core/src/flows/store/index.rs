//! The summary cache (`flow_index`) and reconciliation of files with recorded revisions.
//!
//! The rule: whenever the store observes a flow file (list, get, or before any change), the
//! file is the truth. If its bytes differ from the newest recorded revision (or there is none:
//! a hand-placed file, or a save interrupted between the file write and the commit), the
//! file's content is recorded as the next revision (1 when there is none), dated by the file's
//! mtime. So an external edit is never lost, and a later save against the revision the caller
//! loaded before it is a conflict.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::files::{self, Fingerprint};
use super::revisions::{self, count};
use crate::AppError;
use crate::db::sql_error;
use crate::flows::document::FlowSummary;
use crate::flows::graph::FlowGraph;

/// One cached summary: what a file with this fingerprint holds and at which revision.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IndexEntry {
    /// The flow.
    pub slug: String,
    /// The JSON file's fingerprint when it was summarised.
    pub fingerprint: Fingerprint,
    /// sha256 of its bytes.
    pub content_hash: String,
    /// Current revision.
    pub revision: u32,
    /// When that revision was saved.
    pub updated_at: String,
    /// Display name.
    pub name: String,
    /// Version text.
    pub version: String,
    /// Description.
    pub description: Option<String>,
    /// Number of nodes.
    pub node_count: u32,
    /// Number of edges.
    pub edge_count: u32,
}

impl IndexEntry {
    /// The entry for a graph stored with this fingerprint and revision.
    pub fn new(
        slug: &str,
        fingerprint: Fingerprint,
        content_hash: String,
        revision: u32,
        updated_at: String,
        graph: &FlowGraph,
    ) -> Self {
        Self {
            slug: slug.to_owned(),
            fingerprint,
            content_hash,
            revision,
            updated_at,
            name: graph.name.clone(),
            version: graph.version.clone(),
            description: graph.description.clone(),
            node_count: count(graph.nodes.len()),
            edge_count: count(graph.edges.len()),
        }
    }

    /// The list row, in `collection`.
    pub fn summary(&self, collection: &str) -> FlowSummary {
        FlowSummary {
            slug: self.slug.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            description: self.description.clone(),
            collection: collection.to_owned(),
            revision: self.revision,
            updated_at: self.updated_at.clone(),
            node_count: self.node_count,
            edge_count: self.edge_count,
        }
    }
}

/// Every cached entry, by slug.
pub(super) fn all(conn: &Connection) -> Result<HashMap<String, IndexEntry>, AppError> {
    all_where(conn, None)
}

/// The cached entries, all of them or `slug`'s alone.
fn all_where(
    conn: &Connection,
    slug: Option<&str>,
) -> Result<HashMap<String, IndexEntry>, AppError> {
    let context = "reading the flow index";
    let mut stmt = conn
        .prepare_cached(
            "SELECT slug, mtime_ns, size, inode, content_hash, revision, updated_at, name,
                    version, description, node_count, edge_count FROM flow_index
             WHERE ?1 IS NULL OR slug = ?1",
        )
        .map_err(sql_error(context))?;
    let rows = stmt
        .query_map([slug], |row| {
            Ok(IndexEntry {
                slug: row.get(0)?,
                fingerprint: Fingerprint {
                    mtime_ns: row.get(1)?,
                    size: row.get(2)?,
                    inode: row.get(3)?,
                },
                content_hash: row.get(4)?,
                revision: row.get(5)?,
                updated_at: row.get(6)?,
                name: row.get(7)?,
                version: row.get(8)?,
                description: row.get(9)?,
                node_count: row.get(10)?,
                edge_count: row.get(11)?,
            })
        })
        .map_err(sql_error(context))?;
    let mut entries = HashMap::new();
    for row in rows {
        let entry = row.map_err(sql_error(context))?;
        entries.insert(entry.slug.clone(), entry);
    }
    Ok(entries)
}

/// Stores (or replaces) an entry.
pub(super) fn upsert(conn: &Connection, entry: &IndexEntry) -> Result<(), AppError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO flow_index
            (slug, mtime_ns, size, inode, content_hash, revision, updated_at, name, version,
             description, node_count, edge_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            entry.slug,
            entry.fingerprint.mtime_ns,
            entry.fingerprint.size,
            entry.fingerprint.inode,
            entry.content_hash,
            entry.revision,
            entry.updated_at,
            entry.name,
            entry.version,
            entry.description,
            entry.node_count,
            entry.edge_count
        ])
    })
    .map_err(sql_error(format!("indexing flow {}", entry.slug)))?;
    Ok(())
}

/// The content hash recorded for `slug`'s file, if it is indexed.
pub(super) fn content_hash(conn: &Connection, slug: &str) -> Result<Option<String>, AppError> {
    conn.query_row(
        "SELECT content_hash FROM flow_index WHERE slug = ?1",
        [slug],
        |row| row.get(0),
    )
    .optional()
    .map_err(sql_error(format!("reading the index entry of {slug}")))
}

/// Drops the entry of `slug`.
pub(super) fn remove(conn: &Connection, slug: &str) -> Result<(), AppError> {
    conn.execute("DELETE FROM flow_index WHERE slug = ?1", [slug])
        .map_err(sql_error(format!("unindexing flow {slug}")))?;
    Ok(())
}

/// What a flow's file holds now, read beside its recorded revisions without writing anything.
pub(super) struct Observed {
    /// The entry the file stands for (its revision the next one when the file is new to the
    /// revisions).
    pub entry: IndexEntry,
    /// The flow in the file.
    pub graph: FlowGraph,
    /// The file's JSON when no recorded revision has its bytes (it must be recorded).
    pub unrecorded: Option<String>,
}

/// Reads `slug`'s file and compares it with the recorded revisions; `None` when the file does
/// not exist. A file that is not a flow is `InvalidInput` naming the file.
pub(super) fn observe(
    conn: &Connection,
    dir: &Path,
    slug: &str,
) -> Result<Option<Observed>, AppError> {
    let Some(file) = files::read(dir, slug)? else {
        return Ok(None);
    };
    let mut graph: FlowGraph = serde_json::from_slice(&file.bytes).map_err(|e| {
        AppError::InvalidInput(format!(
            "{} is not a valid flow: {e}",
            files::json_path(dir, slug).display()
        ))
    })?;
    // The slug is the flow's identity, whatever id a hand-written file carries.
    graph.id = slug.to_owned();
    let content_hash = files::hash(&file.bytes);
    let (revision, updated_at, unrecorded) = match revisions::latest(conn, slug)? {
        Some(latest) if latest.content_hash == content_hash => {
            (latest.revision, latest.saved_at, None)
        }
        latest => (
            latest.as_ref().map_or(1, |l| l.revision.saturating_add(1)),
            crate::timestamp::rfc3339(file.modified),
            Some(String::from_utf8_lossy(&file.bytes).into_owned()),
        ),
    };
    let entry = IndexEntry::new(
        slug,
        file.fingerprint,
        content_hash,
        revision,
        updated_at,
        &graph,
    );
    Ok(Some(Observed {
        entry,
        graph,
        unrecorded,
    }))
}

/// Reads `slug`'s file and brings the database in line with it (see the module docs); `None`
/// when the file does not exist. A file that is not a flow is `InvalidInput` naming the file.
/// Call inside a write transaction: it may record a revision. Nothing is written when the
/// database already agrees with the file, so reading a saved flow needs no free disk space.
pub(super) fn reconcile(
    conn: &Connection,
    dir: &Path,
    slug: &str,
) -> Result<Option<(IndexEntry, FlowGraph)>, AppError> {
    let Some(observed) = observe(conn, dir, slug)? else {
        // Deleting no row writes nothing.
        remove(conn, slug)?;
        return Ok(None);
    };
    let Observed {
        entry,
        graph,
        unrecorded,
    } = observed;
    if let Some(json) = unrecorded {
        revisions::record(
            conn,
            slug,
            entry.revision,
            &entry.updated_at,
            &graph,
            &json,
            &entry.content_hash,
        )?;
        tracing::info!(
            slug,
            revision = entry.revision,
            first_seen = entry.revision == 1,
            "flow file changed outside Flow; recorded as a new revision"
        );
    }
    if get(conn, slug)?.as_ref() != Some(&entry) {
        upsert(conn, &entry)?;
    }
    Ok(Some((entry, graph)))
}

/// The cached entry of `slug`, if any.
pub(super) fn get(conn: &Connection, slug: &str) -> Result<Option<IndexEntry>, AppError> {
    Ok(all_where(conn, Some(slug))?.remove(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_placed_then_edited_files_become_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("t.sqlite")).unwrap();
        let templates = dir.path();
        std::fs::write(
            files::json_path(templates, "hand"),
            r#"{"id":"other","name":"Hand"}"#,
        )
        .unwrap();
        let (entry, graph) = reconcile(&conn, templates, "hand").unwrap().unwrap();
        assert_eq!((entry.revision, graph.id.as_str()), (1, "hand"));
        // Seen again unchanged: same revision.
        let (again, _) = reconcile(&conn, templates, "hand").unwrap().unwrap();
        assert_eq!(again.revision, 1);
        assert_eq!(all(&conn).unwrap()["hand"], again);
        std::fs::write(
            files::json_path(templates, "hand"),
            r#"{"name":"Hand edited"}"#,
        )
        .unwrap();
        let (edited, graph) = reconcile(&conn, templates, "hand").unwrap().unwrap();
        assert_eq!((edited.revision, graph.name.as_str()), (2, "Hand edited"));
        std::fs::write(files::json_path(templates, "hand"), "not json").unwrap();
        let err = reconcile(&conn, templates, "hand").unwrap_err();
        assert!(matches!(&err, AppError::InvalidInput(m) if m.contains("hand.flow.json")));
        std::fs::remove_file(files::json_path(templates, "hand")).unwrap();
        assert!(reconcile(&conn, templates, "hand").unwrap().is_none());
        assert!(all(&conn).unwrap().is_empty());
    }
}
