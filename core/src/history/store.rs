//! The run history store in `db/flow.sqlite`.
//!
//! Writes never touch SQLite on the caller's thread: [`HistoryStore::begin`] and
//! [`HistoryStore::record`] hand their message to a dedicated writer thread (see
//! [`super::writer`]) over a bounded channel of [`CHANNEL_CAPACITY`] messages. When a run prints
//! faster than SQLite commits, the channel fills and `record` waits for room (backpressure: the
//! run slows to the writer's pace and memory stays bounded); it gives up after [`SEND_PATIENCE`]
//! and drops the event with an error log, so a wedged disk cannot hang runs forever. On a
//! multi-threaded runtime the wait happens inside `block_in_place`, so other tasks move off the
//! waiting worker.
//!
//! Reads go through the app's shared [`Db`] (its reading connections, on blocking threads). WAL
//! lets them run while the writer commits; [`HistoryStore::flush`] gives read-your-writes.

use std::path::Path;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::queries;
use super::types::{RunDetail, RunEventsPage, RunFilter, RunSummary};
use super::writer::{self, Msg};
use crate::AppError;
use crate::db::Db;
use crate::engine::{ExecutionEvent, RunBegin};

/// How many messages may wait for the writer before `record` waits for room: two of its
/// batches, enough to keep it busy, and a few megabytes at most.
pub const CHANNEL_CAPACITY: usize = 2 * super::writer::MAX_BATCH;

/// How many ended runs are kept; older ones are pruned when a new run begins.
pub const DEFAULT_RETENTION: usize = 1000;

/// How long `record` waits for room in a full channel before dropping the event.
pub const SEND_PATIENCE: Duration = Duration::from_secs(30);

/// Runs, steps, events and interceptions.
pub struct HistoryStore {
    db: Db,
    tx: Option<SyncSender<Msg>>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for HistoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryStore")
            .field("path", &self.db.path())
            .finish_non_exhaustive()
    }
}

impl HistoryStore {
    /// Opens the history tables (marking runs cut off by a crash as interrupted).
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        Self::open_with_retention(data_dir, DEFAULT_RETENTION)
    }

    /// Like [`HistoryStore::open`], keeping `retention` ended runs instead of the default.
    pub fn open_with_retention(data_dir: &Path, retention: usize) -> Result<Self, AppError> {
        Self::on(&Db::open(data_dir)?, retention)
    }

    /// Like [`HistoryStore::open_with_retention`], on an open database. The writer thread gets a
    /// connection of its own (see [`super::writer`] for why it does not share the handle's).
    pub fn on(db: &Db, retention: usize) -> Result<Self, AppError> {
        let db = db.for_store("history");
        let mut conn = db.connect()?;
        let marked = writer::mark_interrupted(&mut conn)?;
        if marked > 0 {
            tracing::info!(
                runs = marked,
                "runs cut off by the last shutdown marked interrupted"
            );
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(CHANNEL_CAPACITY);
        let writer = std::thread::Builder::new()
            .name("flow-history-writer".into())
            .spawn(move || writer::run(conn, rx, retention.max(1)))
            .map_err(|e| AppError::io("starting the history writer thread", e))?;
        Ok(Self {
            db,
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    /// Records that a run began (before its `started` event); never blocks on SQLite.
    pub fn begin(&self, run: RunBegin) {
        self.send(Msg::Begin(Box::new(run)));
    }

    /// Records one event of a run; never blocks on SQLite (writes are batched in the background).
    pub fn record(&self, event: &ExecutionEvent) {
        self.send(Msg::Event(Box::new(event.clone())));
    }

    /// Waits until everything begun or recorded before this call is committed.
    pub async fn flush(&self) {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.send(Msg::Flush(done));
        // An error means the writer is gone; there is nothing left to wait for.
        let _gone = wait.await;
    }

    /// Run history, newest first, filtered (see [`RunFilter`]).
    pub async fn list(&self, filter: RunFilter) -> Result<Vec<RunSummary>, AppError> {
        self.db.read(move |conn| queries::list(conn, &filter)).await
    }

    /// One run with its graph, steps and interceptions; `NotFound` if unknown.
    pub async fn get(&self, execution_id: String) -> Result<RunDetail, AppError> {
        self.db
            .read(move |conn| queries::get(conn, &execution_id))
            .await
    }

    /// A page of a run's events after `after_seq` (see [`queries::events`]).
    pub async fn events(
        &self,
        execution_id: String,
        after_seq: Option<u32>,
        limit: Option<u32>,
        node_id: Option<String>,
    ) -> Result<RunEventsPage, AppError> {
        self.db
            .read(move |conn| {
                queries::events(conn, &execution_id, after_seq, limit, node_id.as_deref())
            })
            .await
    }

    fn send(&self, msg: Msg) {
        let Some(tx) = &self.tx else { return };
        let msg = match tx.try_send(msg) {
            Ok(()) => return,
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the history writer has stopped; run history is not recorded");
                return;
            }
            Err(TrySendError::Full(msg)) => msg,
        };
        let wait = || wait_for_room(tx, msg);
        let multi_thread = tokio::runtime::Handle::try_current().is_ok_and(|handle| {
            handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        });
        if multi_thread {
            tokio::task::block_in_place(wait);
        } else {
            wait();
        }
    }
}

/// Waits (sleeping briefly between tries) until the channel takes `msg`, or gives up.
fn wait_for_room(tx: &SyncSender<Msg>, mut msg: Msg) {
    let deadline = Instant::now() + SEND_PATIENCE;
    loop {
        std::thread::sleep(Duration::from_micros(500));
        match tx.try_send(msg) {
            Ok(()) => return,
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the history writer has stopped; run history is not recorded");
                return;
            }
            Err(TrySendError::Full(back)) if Instant::now() < deadline => msg = back,
            Err(TrySendError::Full(_)) => {
                tracing::error!(
                    waited_s = SEND_PATIENCE.as_secs(),
                    "the history writer is stuck; an event was dropped from run history"
                );
                return;
            }
        }
    }
}

impl Drop for HistoryStore {
    /// Lets the writer drain what is queued and commit it before the store goes away.
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            tracing::error!("the history writer thread panicked");
        }
    }
}
