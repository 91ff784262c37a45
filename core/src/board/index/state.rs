//! One immutable state of the index. Entries are shared between states, so the next state
//! after a change copies only pointers and the entries that changed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use crate::board::task::TaskFile;
use crate::board::transcript::TranscriptMeta;

/// The whole board at one moment.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    /// Bumped by every change; cached answers are valid for one generation.
    pub generation: u64,
    /// Task lists by directory name.
    pub lists: BTreeMap<String, Arc<ListEntry>>,
    /// Session transcripts by path.
    pub transcripts: BTreeMap<PathBuf, Arc<TranscriptEntry>>,
    /// `sessions-index.json` entries by project directory.
    pub session_indexes: BTreeMap<PathBuf, Arc<Vec<SessionIndexEntry>>>,
}

/// One task-list directory.
#[derive(Debug, Clone)]
pub(crate) struct ListEntry {
    /// The directory.
    pub path: PathBuf,
    /// The directory's mtime (the list's time while it has no task files).
    pub dir_modified: Option<SystemTime>,
    /// Task files by file name.
    pub tasks: BTreeMap<String, Arc<TaskEntry>>,
}

/// One task file.
#[derive(Debug, Clone)]
pub(crate) struct TaskEntry {
    /// The file's mtime.
    pub modified: Option<SystemTime>,
    /// The file's size, which with the mtime tells whether it must be read again.
    pub len: u64,
    /// The file's birth time, else when the index first saw it.
    pub created: SystemTime,
    /// The document; `None` when the file is not a JSON object (it still counts as a task).
    pub task: Option<TaskFile>,
}

/// One session transcript.
#[derive(Debug, Clone)]
pub(crate) struct TranscriptEntry {
    /// The session id (the file stem).
    pub session_id: String,
    /// What the transcript says so far.
    pub meta: TranscriptMeta,
    /// The file's mtime.
    pub modified: Option<SystemTime>,
}

/// One entry of a project's `sessions-index.json`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SessionIndexEntry {
    /// `sessionId`.
    pub session_id: String,
    /// `description`, else `summary`.
    pub description: Option<String>,
    /// `gitBranch`.
    pub git_branch: Option<String>,
    /// `created`.
    pub created: Option<String>,
}

impl ListEntry {
    /// The list id's session UUID (`session-<uuid>` → `<uuid>`).
    pub fn session_uuid(id: &str) -> &str {
        id.strip_prefix("session-").unwrap_or(id)
    }
}
