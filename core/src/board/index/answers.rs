//! The board's answers built from one state of the index, cached (already serialised) until
//! the state changes.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::state::{ListEntry, State, TaskEntry, TaskSummary};
use crate::AppError;
use crate::board::sessions::{self, SessionListItem, SessionMeta, iso_millis};
use crate::board::task::{Task, TaskFile, TaskWithSession};
use crate::board::task_lists::ListCounts;
use crate::json::Encoded;

/// When a task was created and last updated, for the timeline and the activity feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskTimes {
    /// The task list (session) id.
    pub session_id: String,
    /// The task id.
    pub task_id: String,
    /// The file's birth time, else when the server first saw it (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub created_at: String,
    /// The file's last modification.
    pub updated_at: String,
}

/// Answers of the current generation.
#[derive(Default)]
pub(super) struct Cache {
    inner: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    generation: u64,
    metadata: Option<Arc<HashMap<String, SessionMeta>>>,
    sessions: Option<Arc<Vec<SessionListItem>>>,
    sessions_json: HashMap<Option<usize>, Encoded<Vec<SessionListItem>>>,
    all_tasks: HashMap<bool, Encoded<Vec<TaskWithSession>>>,
    /// By list id: without lifecycle tasks, then with them (looked up by `&str`, no key built).
    session_tasks: HashMap<String, [Option<Encoded<Vec<Task>>>; 2]>,
}

impl Cache {
    fn at(&self, state: &State) -> MutexGuard<'_, Cached> {
        // Every field is a complete answer or absent, so a poisoned lock still holds valid ones.
        let mut cached = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.generation != state.generation {
            *cached = Cached {
                generation: state.generation,
                ..Cached::default()
            };
        }
        cached
    }

    /// The session list cut to `limit`; on a miss, `None` unless `build`.
    pub(super) fn sessions(
        &self,
        state: &State,
        limit: Option<usize>,
        build: bool,
    ) -> Option<Result<Encoded<Vec<SessionListItem>>, AppError>> {
        let mut cached = self.at(state);
        if let Some(json) = cached.sessions_json.get(&limit) {
            return Some(Ok(json.clone()));
        }
        if !build {
            return None;
        }
        let all = match &cached.sessions {
            Some(all) => all.clone(),
            None => {
                let metadata = cached.metadata(state);
                let all = Arc::new(session_list(state, &metadata));
                cached.sessions = Some(all.clone());
                all
            }
        };
        let shown = &all[..limit.map_or(all.len(), |n| n.min(all.len()))];
        let json = encode(shown);
        if let Ok(json) = &json {
            cached.sessions_json.insert(limit, json.clone());
        }
        Some(json)
    }

    /// Every task; on a miss, `None` unless `build`.
    pub(super) fn all_tasks(
        &self,
        state: &State,
        include_internal: bool,
        build: bool,
    ) -> Option<Result<Encoded<Vec<TaskWithSession>>, AppError>> {
        let mut cached = self.at(state);
        if let Some(json) = cached.all_tasks.get(&include_internal) {
            return Some(Ok(json.clone()));
        }
        if !build {
            return None;
        }
        let metadata = cached.metadata(state);
        let json = encode(&all_tasks(state, &metadata, include_internal));
        if let Ok(json) = &json {
            cached.all_tasks.insert(include_internal, json.clone());
        }
        Some(json)
    }

    /// One list's tasks (`Ok(None)`: no such list); on a miss, `None` unless `build`.
    pub(super) fn session_tasks(
        &self,
        state: &State,
        session_id: &str,
        include_internal: bool,
        build: bool,
    ) -> Option<Result<Option<Encoded<Vec<Task>>>, AppError>> {
        let Some(list) = state.lists.get(session_id) else {
            return Some(Ok(None));
        };
        let mut cached = self.at(state);
        let slot = usize::from(include_internal);
        if let Some(json) = cached
            .session_tasks
            .get(session_id)
            .and_then(|both| both[slot].as_ref())
        {
            return Some(Ok(Some(json.clone())));
        }
        if !build {
            return None;
        }
        let tasks: Vec<Task> = sorted_tasks(list, include_internal)
            .iter()
            .map(TaskFile::view)
            .collect();
        let json = encode(&tasks);
        if let Ok(json) = &json {
            cached
                .session_tasks
                .entry(session_id.to_owned())
                .or_default()[slot] = Some(json.clone());
        }
        Some(json.map(Some))
    }
}

impl Cached {
    fn metadata(&mut self, state: &State) -> Arc<HashMap<String, SessionMeta>> {
        self.metadata
            .get_or_insert_with(|| Arc::new(session_metadata(state)))
            .clone()
    }
}

fn encode<T, V: Serialize + ?Sized>(value: &V) -> Result<Encoded<T>, AppError> {
    Encoded::new(&value)
        .map_err(|e| AppError::Internal(format!("board answer could not be serialised: {e}")))
}

/// Each session's metadata by session id: its transcript, then its project's index entry.
fn session_metadata(state: &State) -> HashMap<String, SessionMeta> {
    let mut metadata: HashMap<String, SessionMeta> = HashMap::new();
    for entry in state.transcripts.values() {
        metadata.insert(
            entry.session_id.clone(),
            SessionMeta {
                transcript: entry.meta.clone(),
                modified: entry.modified,
                ..SessionMeta::default()
            },
        );
    }
    for entries in state.session_indexes.values() {
        for entry in entries.iter() {
            if let Some(meta) = metadata.get_mut(&entry.session_id) {
                meta.description.clone_from(&entry.description);
                meta.git_branch.clone_from(&entry.git_branch);
                meta.created.clone_from(&entry.created);
            }
        }
    }
    metadata
}

/// The metadata of a list's session: by its transcript UUID, else by the list name.
fn meta_for<'m>(metadata: &'m HashMap<String, SessionMeta>, id: &str) -> Option<&'m SessionMeta> {
    metadata
        .get(ListEntry::session_uuid(id))
        .or_else(|| metadata.get(id))
}

/// Counts as the board shows them: lifecycle tasks are hidden, so not counted; unreadable
/// files still count; the time is the newest task file's, else the directory's.
fn counts(list: &ListEntry) -> ListCounts {
    let mut counts = ListCounts::default();
    for entry in list.tasks.values() {
        counts.modified = counts.modified.max(entry.modified);
        match &entry.task {
            Some(task) if task.internal => continue,
            Some(task) => match task.status.as_str() {
                "completed" => counts.completed += 1,
                "in_progress" => counts.in_progress += 1,
                _ => counts.pending += 1,
            },
            None => {}
        }
        counts.task_count += 1;
    }
    if counts.modified.is_none() {
        counts.modified = list.dir_modified;
    }
    counts
}

/// Every session newest first: the task lists, then sessions that only have a transcript.
fn session_list(state: &State, metadata: &HashMap<String, SessionMeta>) -> Vec<SessionListItem> {
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(state.lists.len() + metadata.len());
    for (id, list) in &state.lists {
        let meta = meta_for(metadata, id);
        if meta.is_some() {
            seen.insert(ListEntry::session_uuid(id));
            seen.insert(id.as_str());
        }
        items.push(sessions::item(id.clone(), meta, &counts(list)));
    }
    for (id, meta) in metadata {
        if !seen.contains(id.as_str()) {
            let counts = ListCounts {
                modified: meta.modified,
                ..ListCounts::default()
            };
            items.push(sessions::item(id.clone(), Some(meta), &counts));
        }
    }
    items.sort_by(|a, b| {
        b.modified_at
            .cmp(&a.modified_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    items
}

/// A list's parseable tasks by numeric id (non-numbers as 0, as the original), then id text.
fn sorted_tasks(list: &ListEntry, include_internal: bool) -> Vec<TaskFile> {
    let mut entries: Vec<(&String, &TaskEntry, &TaskSummary)> = list
        .tasks
        .iter()
        .filter_map(|(file, entry)| Some((file, entry.as_ref(), entry.task.as_ref()?)))
        .filter(|(_, _, summary)| include_internal || !summary.internal)
        .collect();
    entries.sort_by(|a, b| a.2.order().cmp(&b.2.order()));
    entries
        .into_iter()
        .filter_map(|(file, entry, _)| entry.document(file))
        .collect()
}

/// Every task of every list (lists by name) with its session's id, name and project.
fn all_tasks(
    state: &State,
    metadata: &HashMap<String, SessionMeta>,
    include_internal: bool,
) -> Vec<TaskWithSession> {
    let mut all = Vec::new();
    for (id, list) in &state.lists {
        let meta = meta_for(metadata, id).map(|m| &m.transcript);
        all.extend(
            sorted_tasks(list, include_internal)
                .iter()
                .map(|t| TaskWithSession {
                    task: t.view(),
                    session_id: id.clone(),
                    session_name: meta.and_then(|m| m.display_name()),
                    project: meta.and_then(|m| m.cwd.clone()),
                }),
        );
    }
    all
}

/// Created and updated times of one list's tasks (`None` when there is no such list), or of
/// every list's; lifecycle tasks left out, as everywhere on the board.
pub(super) fn task_times(state: &State, session_id: Option<&str>) -> Option<Vec<TaskTimes>> {
    let lists: Vec<(&String, &Arc<ListEntry>)> = match session_id {
        Some(id) => vec![state.lists.get_key_value(id)?],
        None => state.lists.iter().collect(),
    };
    let mut times = Vec::new();
    for (id, list) in lists {
        let mut entries: Vec<(&TaskSummary, &TaskEntry)> = list
            .tasks
            .values()
            .filter_map(|entry| Some((entry.task.as_ref()?, entry.as_ref())))
            .filter(|(task, _)| !task.internal)
            .collect();
        entries.sort_by(|a, b| a.0.order().cmp(&b.0.order()));
        times.extend(entries.into_iter().map(|(task, entry)| {
            let updated = entry.modified.unwrap_or(entry.created);
            TaskTimes {
                session_id: id.clone(),
                task_id: task.id.clone(),
                created_at: iso_millis(entry.created.min(updated)),
                updated_at: iso_millis(updated),
            }
        }));
    }
    Some(times)
}
