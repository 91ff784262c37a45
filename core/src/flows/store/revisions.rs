//! Kept revisions (`flow_revisions`): the last [`KEPT_REVISIONS`] graphs of every flow.

use rusqlite::{Connection, OptionalExtension, params};

use crate::AppError;
use crate::db::sql_error;
use crate::flows::document::{DiffLine, DiffOp, KEPT_REVISIONS, RevisionDiff, RevisionInfo};
use crate::flows::dsl;
use crate::flows::graph::FlowGraph;

/// The newest kept revision of a flow.
#[derive(Debug, Clone)]
pub(super) struct Latest {
    /// Its number.
    pub revision: u32,
    /// sha256 of the JSON bytes it was written as.
    pub content_hash: String,
    /// When it was saved.
    pub saved_at: String,
}

/// The newest revision of `slug`, if any is recorded.
pub(super) fn latest(conn: &Connection, slug: &str) -> Result<Option<Latest>, AppError> {
    conn.query_row(
        "SELECT revision, content_hash, saved_at FROM flow_revisions
         WHERE slug = ?1 ORDER BY revision DESC LIMIT 1",
        [slug],
        |row| {
            Ok(Latest {
                revision: row.get(0)?,
                content_hash: row.get(1)?,
                saved_at: row.get(2)?,
            })
        },
    )
    .optional()
    .map_err(sql_error(format!("reading the revisions of {slug}")))
}

/// Records `revision` of `slug` and prunes it to the last [`KEPT_REVISIONS`], in the caller's
/// transaction.
pub(super) fn record(
    conn: &Connection,
    slug: &str,
    revision: u32,
    saved_at: &str,
    graph: &FlowGraph,
    graph_json: &str,
    content_hash: &str,
) -> Result<(), AppError> {
    let context = format!("recording revision {revision} of {slug}");
    conn.execute(
        "INSERT OR REPLACE INTO flow_revisions
            (slug, revision, saved_at, name, node_count, edge_count, graph_json, content_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            slug,
            revision,
            saved_at,
            graph.name,
            count(graph.nodes.len()),
            count(graph.edges.len()),
            graph_json,
            content_hash
        ],
    )
    .map_err(sql_error(&context))?;
    conn.execute(
        "DELETE FROM flow_revisions WHERE slug = ?1 AND revision <= ?2",
        params![slug, i64::from(revision) - i64::from(KEPT_REVISIONS)],
    )
    .map_err(sql_error(&context))?;
    Ok(())
}

/// A length as a `u32` count (saturating; no flow has four billion nodes).
pub(super) fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Every kept revision of `slug`, newest first.
pub(super) fn list(conn: &Connection, slug: &str) -> Result<Vec<RevisionInfo>, AppError> {
    let context = format!("listing the revisions of {slug}");
    let mut stmt = conn
        .prepare(
            "SELECT revision, saved_at, name, node_count, edge_count FROM flow_revisions
             WHERE slug = ?1 ORDER BY revision DESC",
        )
        .map_err(sql_error(&context))?;
    stmt.query_map([slug], |row| {
        Ok(RevisionInfo {
            revision: row.get(0)?,
            saved_at: row.get(1)?,
            name: row.get(2)?,
            node_count: row.get(3)?,
            edge_count: row.get(4)?,
        })
    })
    .and_then(Iterator::collect)
    .map_err(sql_error(&context))
}

/// The graph and save time of one kept revision; `NotFound` when it never existed or was
/// pruned.
pub(super) fn get(
    conn: &Connection,
    slug: &str,
    revision: u32,
) -> Result<(FlowGraph, String), AppError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT graph_json, saved_at FROM flow_revisions WHERE slug = ?1 AND revision = ?2",
            params![slug, revision],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(sql_error(format!("reading revision {revision} of {slug}")))?;
    let (json, saved_at) = row.ok_or_else(|| {
        AppError::NotFound(format!(
            "flow {slug} has no revision {revision} (only the last {KEPT_REVISIONS} are kept)"
        ))
    })?;
    let graph = serde_json::from_str(&json).map_err(|e| {
        AppError::Internal(format!("revision {revision} of {slug} is unreadable: {e}"))
    })?;
    Ok((graph, saved_at))
}

/// Forgets every revision of `slug`.
pub(super) fn purge(conn: &Connection, slug: &str) -> Result<(), AppError> {
    conn.execute("DELETE FROM flow_revisions WHERE slug = ?1", [slug])
        .map_err(sql_error(format!("deleting the revisions of {slug}")))?;
    Ok(())
}

/// The line diff of two graphs' DSL.
pub(crate) fn diff(from: u32, to: u32, old: &FlowGraph, new: &FlowGraph) -> RevisionDiff {
    let from_dsl = dsl::serialize(old);
    let to_dsl = dsl::serialize(new);
    let lines = similar::TextDiff::from_lines(&from_dsl, &to_dsl)
        .iter_all_changes()
        .map(|change| DiffLine {
            op: match change.tag() {
                similar::ChangeTag::Equal => DiffOp::Equal,
                similar::ChangeTag::Insert => DiffOp::Insert,
                similar::ChangeTag::Delete => DiffOp::Delete,
            },
            text: change
                .value()
                .trim_end_matches('\n')
                .trim_end_matches('\r')
                .to_owned(),
        })
        .collect();
    RevisionDiff {
        from,
        to,
        from_dsl,
        to_dsl,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("t.sqlite")).unwrap();
        (dir, conn)
    }

    #[test]
    fn record_prunes_to_kept_revisions() {
        let (_dir, conn) = conn();
        let graph = FlowGraph::new("A");
        for rev in 1..=25 {
            record(&conn, "a", rev, "t", &graph, "{\"name\":\"A\"}", "h").unwrap();
        }
        let kept = list(&conn, "a").unwrap();
        assert_eq!(kept.len(), KEPT_REVISIONS as usize);
        assert_eq!(kept[0].revision, 25);
        assert_eq!(kept.last().unwrap().revision, 6);
        assert_eq!(latest(&conn, "a").unwrap().unwrap().revision, 25);
        assert!(matches!(get(&conn, "a", 5), Err(AppError::NotFound(_))));
        assert_eq!(get(&conn, "a", 6).unwrap().0.name, "A");
        purge(&conn, "a").unwrap();
        assert!(latest(&conn, "a").unwrap().is_none());
    }

    #[test]
    fn diff_marks_changed_lines() {
        let old = FlowGraph::new("A");
        let mut new = old.clone();
        new.name = "B".into();
        let diff = diff(1, 2, &old, &new);
        assert!(diff.lines.iter().any(|l| l.op == DiffOp::Insert));
        assert!(diff.lines.iter().any(|l| l.op == DiffOp::Delete));
        assert!(diff.lines.iter().all(|l| !l.text.ends_with('\n')));
    }
}
