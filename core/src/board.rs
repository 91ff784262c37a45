//! The agent board: Claude Code's task lists (`TASKS_DIR`) and session transcripts
//! (`PROJECTS_DIR`), read tolerantly and written back without losing anything.
//!
//! Each module has one job: [`ids`] validates ids from clients, [`task`] is one task document,
//! [`task_lists`] scans the list directories, [`transcript`] reads a session's JSONL,
//! [`sessions`] builds the session list, [`notes`] appends notes, [`delete`] removes tasks and [`watcher`] turns file changes
//! into live events.

pub mod agent_status;
pub mod delete;
pub mod features;
pub mod ids;
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

/// The board's per-app state: one lock per task file, so writers to one file take turns, and
/// the transcript index.
#[derive(Debug, Default)]
pub struct Board {
    locks: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    transcripts: Arc<transcript::TranscriptIndex>,
}

impl Board {
    /// The transcript index shared by every session listing.
    pub fn transcripts(&self) -> Arc<transcript::TranscriptIndex> {
        self.transcripts.clone()
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
