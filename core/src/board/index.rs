//! The board held in memory: every task list and every session's metadata, kept current by the
//! watcher (a changed file is re-read alone) so that no request walks the tree.
//!
//! Readers take a snapshot (one `Arc` clone) and never wait for a writer; writers (the watcher's
//! thread, and our own note and delete writes) take turns on one lock, build the next state by
//! replacing only the entries that changed, and swap it in. Answers built from a snapshot are
//! cached per state generation, already serialised, so a repeated request costs a copy.

mod answers;
mod paths;
mod reconcile;
mod state;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use tokio::sync::watch;

pub use answers::TaskTimes;
pub(crate) use paths::{BoardPaths, Place};
use state::State;

use super::transcript::TranscriptIndex;
use crate::json::Encoded;
use crate::{AppError, FlowEvent};

/// The in-memory board: lists, tasks and session metadata, with cached answers.
pub struct BoardIndex {
    paths: BoardPaths,
    current: RwLock<Arc<State>>,
    writer: Mutex<Writer>,
    cache: answers::Cache,
    ready: watch::Sender<bool>,
}

/// What only writers touch: each transcript's read position and running totals.
#[derive(Default)]
struct Writer {
    transcripts: TranscriptIndex,
}

impl std::fmt::Debug for BoardIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardIndex")
            .field("tasks_dir", &self.paths.tasks_dir)
            .field("projects_dir", &self.paths.projects_dir)
            .finish_non_exhaustive()
    }
}

impl BoardIndex {
    /// An empty index over `tasks_dir` and `projects_dir`; requests wait until the first
    /// [`BoardIndex::reconcile`] has filled it.
    pub fn new(tasks_dir: PathBuf, projects_dir: PathBuf) -> Self {
        Self {
            paths: BoardPaths {
                tasks_dir,
                projects_dir,
            },
            current: RwLock::new(Arc::new(State::default())),
            writer: Mutex::new(Writer::default()),
            cache: answers::Cache::default(),
            ready: watch::Sender::new(false),
        }
    }

    /// The directories this index mirrors.
    pub(crate) fn paths(&self) -> &BoardPaths {
        &self.paths
    }

    /// Waits until the index holds the whole tree once (immediately after the first build).
    pub async fn ready(&self) {
        if self.is_ready() {
            return;
        }
        let mut ready = self.ready.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        if ready.wait_for(|ready| *ready).await.is_err() {
            tracing::warn!("board index dropped while a request waited for it");
        }
    }

    /// Whether the first build has finished.
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    fn snapshot(&self) -> Arc<State> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        // Every writer step leaves the state whole (it is swapped in at the end), so a panic
        // mid-step cannot leave it inconsistent.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish_state(&self, next: State) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
    }

    /// Walks both directories and brings every entry up to date (reading only what changed:
    /// new or modified task files, appended transcript bytes); the first call marks the index
    /// ready. Requests keep reading the previous state meanwhile. Returns the board events the
    /// differences stand for (none on the first build).
    pub fn reconcile(&self) -> Vec<FlowEvent> {
        let mut writer = self.writer();
        let before = self.snapshot();
        let next = reconcile::walk(&self.paths, &before, &mut writer.transcripts);
        let events = if self.is_ready() {
            reconcile::events_between(&before, &next)
        } else {
            Vec::new()
        };
        self.publish_state(next);
        drop(writer);
        self.ready.send_replace(true);
        events
    }

    /// The paths whose files differ from the index (new, gone, or changed by mtime or size),
    /// found by listing and `stat` alone without holding up writers; give them to
    /// [`BoardIndex::refresh`].
    pub fn stale_paths(&self) -> Vec<PathBuf> {
        reconcile::stale_paths(&self.paths, &self.snapshot())
    }

    /// Re-reads the entries `changed` paths stand for (task files, list directories,
    /// transcripts, session indexes, project directories) and returns the board events for
    /// what actually changed, in a stable order.
    pub fn refresh(&self, changed: &[PathBuf]) -> Vec<FlowEvent> {
        let mut writer = self.writer();
        let before = self.snapshot();
        let (next, events) =
            reconcile::refresh_paths(&self.paths, &before, changed, &mut writer.transcripts);
        if let Some(next) = next {
            self.publish_state(next);
        }
        events
    }

    /// Re-reads one path after our own write to it, so the next request sees the write.
    pub fn refresh_file(&self, path: &Path) {
        // The watcher publishes the event for this write; here only the state matters.
        let _events = self.refresh(&[path.to_path_buf()]);
    }

    /// How many transcript bytes have been read in total (the append benchmark and tests check
    /// that only appended bytes are read).
    pub fn transcript_bytes_read(&self) -> u64 {
        self.writer().transcripts.bytes_read()
    }

    /// The session list, newest first, cut to `limit` when given.
    pub async fn sessions(
        self: &Arc<Self>,
        limit: Option<usize>,
    ) -> Result<Encoded<Vec<super::SessionListItem>>, AppError> {
        self.answer(move |index, state, build| index.cache.sessions(state, limit, build))
            .await
    }

    /// The tasks of one list, by id; `None` when there is no such list.
    pub async fn session_tasks(
        self: &Arc<Self>,
        session_id: String,
        include_internal: bool,
    ) -> Result<Option<Encoded<Vec<super::Task>>>, AppError> {
        self.answer(move |index, state, build| {
            index
                .cache
                .session_tasks(state, &session_id, include_internal, build)
        })
        .await
    }

    /// Every task of every list with its session's id, name and project.
    pub async fn all_tasks(
        self: &Arc<Self>,
        include_internal: bool,
    ) -> Result<Encoded<Vec<super::TaskWithSession>>, AppError> {
        self.answer(move |index, state, build| {
            index.cache.all_tasks(state, include_internal, build)
        })
        .await
    }

    /// An answer from the cache at once, or built on the blocking pool on a miss (a build of
    /// every task takes milliseconds, which must not hold up the streams sharing the runtime).
    async fn answer<T: Send + 'static>(
        self: &Arc<Self>,
        get: impl Fn(&Self, &State, bool) -> Option<Result<T, AppError>> + Send + 'static,
    ) -> Result<T, AppError> {
        self.ready().await;
        let state = self.snapshot();
        if let Some(hit) = get(self, &state, false) {
            return hit;
        }
        let index = self.clone();
        tokio::task::spawn_blocking(move || {
            get(&index, &state, true)
                .unwrap_or_else(|| Err(AppError::Internal("board answer was not built".into())))
        })
        .await
        .map_err(|e| AppError::Internal(format!("board reader failed: {e}")))?
    }

    /// When each task was created and last updated: of one list (`None` when there is no such
    /// list), or of every list.
    pub async fn task_times(&self, session_id: Option<&str>) -> Option<Vec<TaskTimes>> {
        self.ready().await;
        answers::task_times(&self.snapshot(), session_id)
    }
}

#[cfg(test)]
mod tests;
