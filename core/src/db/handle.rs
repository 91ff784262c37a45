//! [`Db`]: the one handle on `flow.sqlite` that every store of an app shares.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::connection::{self, Access};
use super::sql_error;
use crate::AppError;

/// Reading connections kept open between reads; overlapping reads open more, closed after use.
const IDLE_READERS: usize = 4;

/// The database of one data directory: one writing connection, so this process's writes queue
/// on a mutex rather than on SQLite's busy timeout, and a few reading ones, so a read never
/// waits behind a write (WAL shows them every committed write). Work runs on tokio's blocking
/// pool, so the async runtime never waits on SQLite. Cheap to clone; every clone is the same
/// database.
#[derive(Clone)]
pub struct Db {
    shared: Arc<Shared>,
    /// The store using this clone, named in its errors ("the flows database lock …").
    label: &'static str,
}

struct Shared {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Reading connections not in use: a read takes one (or opens one) and puts it back.
    idle_readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.shared.path)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating and migrating if needed) `<data_dir>/db/flow.sqlite`.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        Self::open_file(&super::db_path(data_dir))
    }

    /// Opens (creating and migrating if needed) the database file at `path`.
    pub fn open_file(path: &Path) -> Result<Self, AppError> {
        let writer = connection::open(path)?;
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                idle_readers: Mutex::default(),
            }),
            label: "flow",
        })
    }

    /// The same database, naming `store` in its error messages.
    pub fn for_store(&self, store: &'static str) -> Self {
        Self {
            shared: self.shared.clone(),
            label: store,
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Runs `work` with a reading connection; SQLite refuses writes on it.
    pub async fn read<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.clone();
        self.blocking(move || {
            let reader = db.take_reader()?;
            let out = work(&reader);
            db.keep_reader(reader);
            out
        })
        .await
    }

    /// Runs `work` with the writing connection, one writer at a time. A change of several
    /// statements belongs in [`Db::transaction`].
    pub async fn write<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.clone();
        self.blocking(move || db.write_blocking(work)).await
    }

    /// Runs `work` inside one `BEGIN IMMEDIATE` transaction on the writing connection (which also
    /// serialises writers across processes sharing the file): committed when `work` returns
    /// `Ok`, rolled back when it returns `Err`.
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, AppError> + Send + 'static,
    {
        let label = self.label;
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_error(format!("starting a {label} transaction")))?;
            // An `Err` drops `tx` unfinished, which rolls it back.
            let out = work(&tx)?;
            tx.commit()
                .map_err(sql_error(format!("committing a {label} transaction")))?;
            Ok(out)
        })
        .await
    }

    /// Like [`Db::write`], on the caller's thread: for a store's set-up while it opens, before
    /// it serves anything.
    pub(crate) fn write_blocking<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut writer = self.writer()?;
        work(&mut writer)
    }

    /// A connection of the caller's own to the same database, for a thread that keeps one for
    /// its whole life (the history writer).
    pub(crate) fn connect(&self) -> Result<Connection, AppError> {
        connection::connect(&self.shared.path, Access::ReadWrite)
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, AppError> + Send + 'static,
    {
        let label = self.label;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("{label} database task failed: {e}")))?
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, AppError> {
        let poisoned = match self.shared.writer.lock() {
            Ok(writer) => return Ok(writer),
            Err(poisoned) => poisoned,
        };
        // A task panicked holding the connection. The `Transaction` it held rolled back as the
        // panic unwound; one begun by hand is rolled back here. The connection is then sound, so
        // one panic does not shut every store out of the database.
        let writer = poisoned.into_inner();
        if !writer.is_autocommit() {
            writer.execute_batch("ROLLBACK").map_err(|err| {
                AppError::Internal(format!(
                    "the {} database lock is poisoned and its open transaction could not be \
                     rolled back: {err}",
                    self.label
                ))
            })?;
        }
        self.shared.writer.clear_poison();
        tracing::error!(
            store = self.label,
            "a database task panicked; its connection was recovered"
        );
        Ok(writer)
    }

    fn take_reader(&self) -> Result<Connection, AppError> {
        // The list only gains or loses whole connections, so a poisoned lock still holds a
        // valid one.
        let idle = self
            .shared
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(reader) => Ok(reader),
            None => connection::connect(&self.shared.path, Access::ReadOnly),
        }
    }

    fn keep_reader(&self, reader: Connection) {
        // A reader left inside a transaction would hide later commits from the next read.
        if !reader.is_autocommit() {
            return;
        }
        let mut idle = self
            .shared
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(reader);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap().for_store("test");
        (dir, db)
    }

    async fn count(db: &Db) -> i64 {
        db.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM flow_schedules", [], |r| r.get(0))
                .map_err(sql_error("counting"))
        })
        .await
        .unwrap()
    }

    fn insert(conn: &Connection, slug: &str) -> Result<(), AppError> {
        conn.execute(
            "INSERT INTO flow_schedules (slug, spec_json, updated_at) VALUES (?1, '{}', 'now')",
            [slug],
        )
        .map(drop)
        .map_err(sql_error("inserting"))
    }

    #[tokio::test]
    async fn a_transaction_commits_on_ok_and_rolls_back_on_err() {
        let (_dir, db) = open();
        db.transaction(|tx| insert(tx, "kept")).await.unwrap();
        let err = db
            .transaction(|tx| {
                insert(tx, "dropped")?;
                Err::<(), _>(AppError::Conflict("changed my mind".into()))
            })
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Conflict("changed my mind".into()));
        assert_eq!(count(&db).await, 1);
        db.write(|conn| insert(conn, "plain")).await.unwrap();
        assert_eq!(count(&db).await, 2, "reads see every committed write");
    }

    #[tokio::test]
    async fn reads_refuse_writes() {
        let (_dir, db) = open();
        let err = db.read(|conn| insert(conn, "nope")).await.unwrap_err();
        assert!(
            matches!(&err, AppError::Internal(m) if m.contains("readonly")),
            "{err:?}"
        );
        assert_eq!(count(&db).await, 0);
    }

    #[tokio::test]
    async fn a_panicking_task_fails_alone_and_the_database_stays_usable() {
        let (_dir, db) = open();
        let err = db
            .write(|conn| -> Result<(), AppError> {
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                insert(conn, "half-done").unwrap();
                panic!("boom");
            })
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Internal(m) if m.starts_with("test database task failed")),
            "{err:?}"
        );
        db.transaction(|tx| insert(tx, "after")).await.unwrap();
        assert_eq!(count(&db).await, 1, "the half-done insert was rolled back");
    }
}
