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
    /// What the lists and counts need; `None` when the file is not a JSON object (it still
    /// counts as a task).
    pub task: Option<TaskSummary>,
    /// The file's bytes, parsed again only to build an answer: twenty thousand parsed
    /// documents would hold several times their size.
    pub bytes: Box<[u8]>,
}

/// The few fields of a task document the index looks at on its own.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskSummary {
    /// The task id ([`TaskFile::id`]).
    pub id: String,
    /// The status ([`TaskFile::status`]).
    pub status: String,
    /// A lifecycle task ([`TaskFile::is_internal`]).
    pub internal: bool,
}

impl TaskSummary {
    /// The summary of a parsed document.
    pub fn of(task: &TaskFile) -> Self {
        Self {
            id: task.id(),
            status: task.status().to_owned(),
            internal: task.is_internal(),
        }
    }

    /// The sort key of the board's task order: numeric id (non-numbers as 0), then id text.
    pub fn order(&self) -> (u64, &str) {
        (self.id.parse::<u64>().unwrap_or(0), &self.id)
    }
}

impl TaskEntry {
    /// The whole document, parsed from the kept bytes; `file` is its file name.
    pub fn document(&self, file: &str) -> Option<TaskFile> {
        self.task.as_ref()?;
        TaskFile::from_known(file.strip_suffix(".json").unwrap_or(file), &self.bytes)
    }
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
    /// The file's size when it was read.
    pub len: u64,
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
