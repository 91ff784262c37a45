//! The AI audit log in SQLite (`ai_audit`): what models were asked, what waited for a person,
//! and every agent edit applied or rejected, per flow, run and agentic job.

use rusqlite::{OptionalExtension, params};

use super::types::{AuditKind, AuditQuery, AuditRecord};
use crate::AppError;
use crate::db::{Db, sql_error};

/// Default and largest page of [`AuditStore::list`].
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;

/// A record to append; the store stamps its id and time.
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    /// The saved flow.
    pub flow_slug: Option<String>,
    /// The run.
    pub execution_id: Option<String>,
    /// The node.
    pub node_id: Option<String>,
    /// The agentic job.
    pub job_id: Option<String>,
    /// One line a person reads.
    pub summary: String,
    /// The details.
    pub detail: serde_json::Value,
}

/// The audit log on the app's database.
#[derive(Debug, Clone)]
pub struct AuditStore {
    db: Db,
}

impl AuditStore {
    /// The log on `db`.
    pub fn on(db: &Db) -> Self {
        Self {
            db: db.for_store("ai audit"),
        }
    }

    /// Appends one record and returns it.
    pub async fn append(
        &self,
        kind: AuditKind,
        record: NewRecord,
    ) -> Result<AuditRecord, AppError> {
        let at = crate::timestamp::rfc3339(std::time::SystemTime::now());
        let detail = serde_json::to_string(&record.detail)
            .map_err(|e| AppError::Internal(format!("encoding an audit record: {e}")))?;
        let stamped = at.clone();
        let row = record.clone();
        let id = self
            .db
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO ai_audit (at, kind, flow_slug, execution_id, node_id, job_id, summary, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        stamped,
                        kind.as_str(),
                        row.flow_slug,
                        row.execution_id,
                        row.node_id,
                        row.job_id,
                        row.summary,
                        detail
                    ],
                )
                .map_err(sql_error("appending an audit record"))?;
                Ok(conn.last_insert_rowid())
            })
            .await?;
        Ok(AuditRecord {
            id: u32::try_from(id).unwrap_or(u32::MAX),
            at,
            kind,
            flow_slug: record.flow_slug,
            execution_id: record.execution_id,
            node_id: record.node_id,
            job_id: record.job_id,
            summary: record.summary,
            detail: record.detail,
        })
    }

    /// Records matching `query`, newest first.
    pub async fn list(&self, query: AuditQuery) -> Result<Vec<AuditRecord>, AppError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        self.db
            .read(move |conn| {
                let mut statement = conn
                    .prepare_cached(
                        "SELECT id, at, kind, flow_slug, execution_id, node_id, job_id, summary, detail
                         FROM ai_audit
                         WHERE (?1 IS NULL OR flow_slug = ?1)
                           AND (?2 IS NULL OR execution_id = ?2)
                           AND (?3 IS NULL OR job_id = ?3)
                         ORDER BY id DESC LIMIT ?4",
                    )
                    .map_err(sql_error("listing audit records"))?;
                let rows = statement
                    .query_map(
                        params![query.flow_slug, query.execution_id, query.job_id, limit],
                        |row| {
                            Ok((
                                row.get::<_, i64>(0)?,
                                row.get::<_, String>(1)?,
                                row.get::<_, String>(2)?,
                                row.get::<_, Option<String>>(3)?,
                                row.get::<_, Option<String>>(4)?,
                                row.get::<_, Option<String>>(5)?,
                                row.get::<_, Option<String>>(6)?,
                                row.get::<_, String>(7)?,
                                row.get::<_, String>(8)?,
                            ))
                        },
                    )
                    .map_err(sql_error("listing audit records"))?;
                let mut records = Vec::new();
                for row in rows {
                    let (id, at, kind, flow_slug, execution_id, node_id, job_id, summary, detail) =
                        row.map_err(sql_error("reading an audit record"))?;
                    // A kind this build does not know (a newer Flow wrote it) is left out.
                    let Some(kind) = AuditKind::parse(&kind) else {
                        continue;
                    };
                    records.push(AuditRecord {
                        id: u32::try_from(id).unwrap_or(u32::MAX),
                        at,
                        kind,
                        flow_slug,
                        execution_id,
                        node_id,
                        job_id,
                        summary,
                        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                    });
                }
                Ok(records)
            })
            .await
    }

    /// The newest record of `kind` for `job_id`, if any.
    pub async fn latest(
        &self,
        job_id: String,
        kind: AuditKind,
    ) -> Result<Option<serde_json::Value>, AppError> {
        self.db
            .read(move |conn| {
                conn.query_row(
                    "SELECT detail FROM ai_audit WHERE job_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1",
                    params![job_id, kind.as_str()],
                    |row| row.get::<_, String>(0),
                )
                .optional()
                .map_err(sql_error("reading an audit record"))
                .map(|detail| detail.and_then(|d| serde_json::from_str(&d).ok()))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_are_kept_and_filtered_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        let store = AuditStore::on(&db);
        for (kind, job) in [
            (AuditKind::AiInvocation, "j1"),
            (AuditKind::AiReviewRequired, "j1"),
            (AuditKind::AgentEditApplied, "j2"),
        ] {
            store
                .append(
                    kind,
                    NewRecord {
                        flow_slug: Some("f".into()),
                        job_id: Some(job.into()),
                        summary: format!("{kind:?}"),
                        detail: serde_json::json!({"job": job}),
                        ..NewRecord::default()
                    },
                )
                .await
                .unwrap();
        }
        let j1 = store
            .list(AuditQuery {
                job_id: Some("j1".into()),
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        let kinds: Vec<AuditKind> = j1.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [AuditKind::AiReviewRequired, AuditKind::AiInvocation]
        );
        assert_eq!(j1[0].detail["job"], "j1");

        // Kept across a reopen of the same file.
        drop(store);
        let store = AuditStore::on(&Db::open(dir.path()).unwrap());
        let all = store.list(AuditQuery::default()).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(
            store
                .latest("j2".into(), AuditKind::AgentEditApplied)
                .await
                .unwrap(),
            Some(serde_json::json!({"job": "j2"}))
        );
    }
}
