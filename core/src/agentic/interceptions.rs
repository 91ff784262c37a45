//! Interceptions: kept in SQLite (`agentic_interceptions`, each record whole, so the DSL
//! snapshots before and after a fix survive for revert), and the decisions a waiting monitor
//! listens for, held in memory while its run waits.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rusqlite::{OptionalExtension, params};
use tokio::sync::oneshot;

use super::types::{InterceptionQuery, MonitorInterception};
use crate::AppError;
use crate::db::{Db, sql_error};
use crate::engine::Verdict;

/// Default and largest page of [`InterceptionStore::list`].
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1_000;

/// The interceptions on the app's database, and the runs waiting on one.
#[derive(Debug)]
pub struct InterceptionStore {
    db: Db,
    waiting: Mutex<HashMap<String, oneshot::Sender<Verdict>>>,
}

impl InterceptionStore {
    /// The store on `db`.
    pub fn on(db: &Db) -> Self {
        Self {
            db: db.for_store("interceptions"),
            waiting: Mutex::default(),
        }
    }

    /// Writes an interception as it stands now (a new one, or a change of an existing one).
    pub async fn put(&self, interception: &MonitorInterception) -> Result<(), AppError> {
        let record = serde_json::to_string(interception)
            .map_err(|e| AppError::Internal(format!("encoding an interception: {e}")))?;
        let (id, run, flow) = (
            interception.id.clone(),
            interception.execution_id.clone(),
            interception.flow_slug.clone(),
        );
        self.db
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO agentic_interceptions (id, execution_id, flow_slug, record)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(id) DO UPDATE SET record = excluded.record",
                    params![id, run, flow, record],
                )
                .map_err(sql_error("saving an interception"))
                .map(drop)
            })
            .await
    }

    /// One interception by id.
    pub async fn get(&self, id: String) -> Result<MonitorInterception, AppError> {
        let shown = id.clone();
        let record: Option<String> = self
            .db
            .read(move |conn| {
                conn.query_row(
                    "SELECT record FROM agentic_interceptions WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(sql_error("reading an interception"))
            })
            .await?;
        let record =
            record.ok_or_else(|| AppError::NotFound(format!("no interception `{shown}`")))?;
        decode(&record)
    }

    /// Interceptions matching `query`, newest first.
    pub async fn list(
        &self,
        query: InterceptionQuery,
    ) -> Result<Vec<MonitorInterception>, AppError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let records: Vec<String> = self
            .db
            .read(move |conn| {
                let mut statement = conn
                    .prepare_cached(
                        "SELECT record FROM agentic_interceptions
                         WHERE (?1 IS NULL OR flow_slug = ?1) AND (?2 IS NULL OR execution_id = ?2)
                         ORDER BY seq DESC LIMIT ?3",
                    )
                    .map_err(sql_error("listing interceptions"))?;
                let rows = statement
                    .query_map(params![query.flow_slug, query.execution_id, limit], |row| {
                        row.get(0)
                    })
                    .map_err(sql_error("listing interceptions"))?;
                rows.collect::<Result<Vec<String>, _>>()
                    .map_err(sql_error("reading an interception"))
            })
            .await?;
        records.iter().map(|r| decode(r)).collect()
    }

    /// Registers a run waiting for a decision on interception `id`.
    pub fn wait(&self, id: &str) -> oneshot::Receiver<Verdict> {
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.to_owned(), tx);
        rx
    }

    /// Whether a run still waits on interception `id`.
    pub fn is_waiting(&self, id: &str) -> bool {
        self.lock().get(id).is_some_and(|tx| !tx.is_closed())
    }

    /// Hands the decision to the waiting run; a conflict when none waits (it ended, or someone
    /// decided first).
    pub fn answer(&self, id: &str, verdict: Verdict) -> Result<(), AppError> {
        let tx = self.lock().remove(id).ok_or_else(|| gone(id))?;
        tx.send(verdict).map_err(|_| gone(id))
    }

    /// Forgets a wait (its run decided by itself, or ended).
    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<Verdict>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn gone(id: &str) -> AppError {
    AppError::Conflict(format!(
        "interception `{id}` is no longer waiting: it was decided, or its run ended"
    ))
}

fn decode(record: &str) -> Result<MonitorInterception, AppError> {
    serde_json::from_str(record)
        .map_err(|e| AppError::Internal(format!("a stored interception does not decode: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agentic::types::InterceptionStatus;

    fn interception(id: &str, run: &str) -> MonitorInterception {
        MonitorInterception {
            id: id.into(),
            execution_id: run.into(),
            flow_slug: "f".into(),
            node_id: "build".into(),
            error: "exit 1".into(),
            autonomous: false,
            status: InterceptionStatus::Planning,
            proposal_id: None,
            fix_error: None,
            revision_before: None,
            revision_after: None,
            dsl_before: None,
            dsl_after: None,
            created_at: "2026-12-04T00:00:00Z".into(),
            resolved_at: None,
        }
    }

    #[tokio::test]
    async fn interceptions_are_kept_updated_and_listed_by_run_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = InterceptionStore::on(&Db::open(dir.path()).unwrap());
        store.put(&interception("a", "run-1")).await.unwrap();
        store.put(&interception("b", "run-2")).await.unwrap();
        let mut fixed = interception("a", "run-1");
        fixed.status = InterceptionStatus::Fixed;
        fixed.dsl_after = Some("flow \"x\"\n".into());
        store.put(&fixed).await.unwrap();

        let store = InterceptionStore::on(&Db::open(dir.path()).unwrap());
        assert_eq!(store.get("a".into()).await.unwrap(), fixed);
        let all = store.list(InterceptionQuery::default()).await.unwrap();
        assert_eq!(
            all.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        let run = store
            .list(InterceptionQuery {
                execution_id: Some("run-2".into()),
                ..InterceptionQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(run.len(), 1);
        assert!(matches!(
            store.get("zz".into()).await,
            Err(AppError::NotFound(_))
        ));
    }

    #[test]
    fn a_decision_reaches_the_waiting_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = InterceptionStore::on(&Db::open(dir.path()).unwrap());
        let mut rx = store.wait("a");
        assert!(store.is_waiting("a"));
        store.answer("a", Verdict::Resume).unwrap();
        assert_eq!(rx.try_recv().unwrap(), Verdict::Resume);
        assert!(matches!(
            store.answer("a", Verdict::Stop),
            Err(AppError::Conflict(_))
        ));
        drop(store.wait("b"));
        assert!(!store.is_waiting("b"));
        assert!(matches!(
            store.answer("b", Verdict::Stop),
            Err(AppError::Conflict(_))
        ));
    }
}
