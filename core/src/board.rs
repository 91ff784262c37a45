//! The agent board: Claude Code's task lists (`TASKS_DIR`) and session transcripts
//! (`PROJECTS_DIR`), read tolerantly and written back without losing anything.
//!
//! Each module has one job: [`ids`] validates ids from clients, [`task`] is one task document,
//! [`task_lists`] tells task files from sidecars, [`transcript`] reads a session's JSONL,
//! [`sessions`] holds the session list's shapes, [`index`] holds the whole board in memory and
//! answers every read, [`watcher`] keeps the index current and turns file changes into live
//! events, [`notes`] appends notes and [`delete`] removes tasks.

pub mod agent_status;
pub mod delete;
pub mod features;
pub mod ids;
pub mod index;
pub mod notes;
pub mod sessions;
pub mod task;
pub mod task_lists;
pub mod transcript;
pub mod watcher;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use crate::json::JsonValue;
pub use sessions::{SessionListItem, SessionTranscript, TokenUsage};
pub use task::{Task, TaskWithSession};

/// The board's per-app state: the in-memory index (and the watcher keeping it current), and one
/// lock per task file, so writers to one file take turns.
#[derive(Debug)]
pub struct Board {
    locks: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    index: Arc<index::BoardIndex>,
    _watcher: Option<watcher::BoardWatcher>,
}

impl Board {
    /// Indexes `tasks_dir` and `projects_dir` in the background and keeps the index current,
    /// publishing board events to `bus`. When no indexer thread can be started, the board is
    /// indexed once, here, and answers without updates (the log says so).
    pub fn open(bus: Arc<crate::EventBus>, tasks_dir: PathBuf, projects_dir: PathBuf) -> Self {
        let index = Arc::new(index::BoardIndex::new(tasks_dir, projects_dir));
        let watcher = watcher::start(bus, index.clone())
            .inspect_err(|err| {
                tracing::warn!(%err, "the agent board will not update");
                let _initial_events = index.reconcile();
            })
            .ok();
        Self {
            locks: Mutex::default(),
            index,
            _watcher: watcher,
        }
    }

    /// The in-memory index every board request reads.
    pub fn index(&self) -> &Arc<index::BoardIndex> {
        &self.index
    }

    /// The lock that serialises every write to `path` (the same lock for the same path).
    pub fn file_lock(&self, path: &Path) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = match self.locks.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Forget locks nobody holds or waits for, so the map stays as small as the writers.
        if locks.len() > 256 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(path.to_path_buf()).or_default().clone()
    }
}

#[cfg(test)]
impl Board {
    /// A board with an empty index and no watcher, for the writers' unit tests (their writes
    /// refresh single paths, which an index over other directories ignores).
    pub(crate) fn unwatched() -> Self {
        let index = Arc::new(index::BoardIndex::new(PathBuf::new(), PathBuf::new()));
        let _nothing = index.reconcile();
        Self {
            locks: Mutex::default(),
            index,
            _watcher: None,
        }
    }
}
