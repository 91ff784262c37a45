//! Bringing the index's state up to date with the disk: a whole walk (the first build, and the
//! rescan after a watcher overflow), or the few entries a batch of changed paths touches.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use super::paths::{BoardPaths, Place, transcript_session};
use super::state::{ListEntry, SessionIndexEntry, State, TaskEntry, TaskSummary, TranscriptEntry};
use crate::FlowEvent;
use crate::board::task::TaskFile;
use crate::board::task_lists::is_task_file;
use crate::board::transcript::TranscriptIndex;
use crate::event::FileChange;

/// Above this many file changes at once, clients are told to refetch everything instead.
const MAX_FILE_EVENTS: usize = 100;

/// The state after walking both trees, reusing every entry of `before` whose file is unchanged.
pub(super) fn walk(paths: &BoardPaths, before: &State, transcripts: &mut TranscriptIndex) -> State {
    let mut next = State {
        generation: before.generation + 1,
        ..State::default()
    };
    for (id, path) in dir_children(&paths.tasks_dir) {
        let list = read_list(&path, before.lists.get(&id).map(Arc::as_ref));
        next.lists.insert(id, Arc::new(list));
    }
    let mut transcript_files = Vec::new();
    for (_, project) in dir_children(&paths.projects_dir) {
        transcript_files.extend(project_transcripts(&project));
        if let Some(entries) = read_session_index(&project.join("sessions-index.json")) {
            next.session_indexes.insert(project, Arc::new(entries));
        }
    }
    let present: std::collections::HashSet<PathBuf> = transcript_files.iter().cloned().collect();
    transcripts.retain(&present);
    for (path, entry) in transcripts.read_many(&transcript_files) {
        next.transcripts.insert(path, Arc::new(entry));
    }
    next
}

/// The paths whose files differ from what `state` holds (new, gone, or with another mtime or
/// size), found with directory listings and `stat` alone: the periodic check for missed
/// events, run off the indexer's thread; [`refresh_paths`] then reads just those.
pub(super) fn stale_paths(paths: &BoardPaths, state: &State) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    let lists = dir_children(&paths.tasks_dir);
    for (id, dir) in &lists {
        let Some(list) = state.lists.get(id) else {
            stale.push(dir.clone());
            continue;
        };
        let mut on_disk = BTreeSet::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                let Some(file) = entry.file_name().into_string().ok() else {
                    continue;
                };
                if !is_task_file(&path) {
                    continue;
                }
                let same = entry.metadata().ok().is_some_and(|m| {
                    list.tasks
                        .get(&file)
                        .is_some_and(|t| t.len == m.len() && t.modified == m.modified().ok())
                });
                if !same {
                    stale.push(path);
                }
                on_disk.insert(file);
            }
        }
        stale.extend(
            list.tasks
                .keys()
                .filter(|f| !on_disk.contains(*f))
                .map(|f| dir.join(f)),
        );
    }
    let listed: BTreeSet<&String> = lists.iter().map(|(id, _)| id).collect();
    stale.extend(
        state
            .lists
            .keys()
            .filter(|id| !listed.contains(id))
            .map(|id| paths.tasks_dir.join(id)),
    );
    let mut transcripts = BTreeSet::new();
    for (_, project) in dir_children(&paths.projects_dir) {
        for path in project_transcripts(&project) {
            let same = std::fs::metadata(&path).ok().is_some_and(|m| {
                state
                    .transcripts
                    .get(&path)
                    .is_some_and(|t| t.len == m.len() && t.modified == m.modified().ok())
            });
            if !same {
                stale.push(path.clone());
            }
            transcripts.insert(path);
        }
        // Small files, compared by content when refreshed.
        let index = project.join("sessions-index.json");
        if index.is_file() || state.session_indexes.contains_key(&project) {
            stale.push(index);
        }
    }
    stale.extend(
        state
            .transcripts
            .keys()
            .filter(|p| !transcripts.contains(*p))
            .cloned(),
    );
    stale
}

/// The state after re-reading what `changed` touches (`None` when nothing changed), and the
/// events to publish for it.
pub(super) fn refresh_paths(
    paths: &BoardPaths,
    before: &State,
    changed: &[PathBuf],
    transcripts: &mut TranscriptIndex,
) -> (Option<State>, Vec<FlowEvent>) {
    let places: BTreeSet<Place> = changed.iter().map(|p| paths.place(p)).collect();
    if places.contains(&Place::Root) {
        let next = walk(paths, before, transcripts);
        let events = events_between(before, &next);
        return (Some(next), events);
    }
    let mut next = before.clone();
    let mut updates = Updates::default();
    let mut metadata_changed = false;
    for place in places {
        match place {
            Place::Root | Place::Other => {}
            Place::List(id) => refresh_list(paths, &mut next, &id, &mut updates),
            Place::TaskFile { list, file } => {
                refresh_task_file(paths, &mut next, &list, &file, &mut updates);
            }
            Place::StrayTaskFile(file) => {
                let change = if paths.tasks_dir.join(&file).is_file() {
                    FileChange::Change
                } else {
                    FileChange::Unlink
                };
                updates.add(change, None, file);
            }
            Place::Project(dir) => {
                metadata_changed |= refresh_project(&mut next, &dir, transcripts);
            }
            Place::Transcript(path) => {
                metadata_changed |= refresh_transcript(&mut next, &path, transcripts);
            }
            Place::SessionIndex(path) => {
                metadata_changed |= refresh_session_index(&mut next, &path);
            }
        }
    }
    let state_changed = metadata_changed || updates.state_changed;
    let mut events = updates.into_events();
    if metadata_changed {
        events.push(FlowEvent::MetadataUpdate);
    }
    if !state_changed {
        return (None, events);
    }
    next.generation = before.generation + 1;
    (Some(next), events)
}

/// The events that tell clients what differs between two states (after a rescan).
pub(super) fn events_between(before: &State, next: &State) -> Vec<FlowEvent> {
    let mut updates = Updates::default();
    for (id, list) in &next.lists {
        let old = before.lists.get(id);
        for (file, task) in &list.tasks {
            match old.and_then(|l| l.tasks.get(file)) {
                None => updates.add(FileChange::Add, Some(id.clone()), file.clone()),
                Some(previous) if !Arc::ptr_eq(previous, task) => {
                    updates.add(FileChange::Change, Some(id.clone()), file.clone());
                }
                Some(_) => {}
            }
        }
        if let Some(old) = old {
            for file in old.tasks.keys().filter(|f| !list.tasks.contains_key(*f)) {
                updates.add(FileChange::Unlink, Some(id.clone()), file.clone());
            }
        }
    }
    for (id, old) in &before.lists {
        if !next.lists.contains_key(id) {
            for file in old.tasks.keys() {
                updates.add(FileChange::Unlink, Some(id.clone()), file.clone());
            }
        }
    }
    let metadata_changed =
        !same_entries(&before.transcripts, &next.transcripts, |a, b| {
            a.meta == b.meta && a.modified == b.modified
        }) || !same_entries(&before.session_indexes, &next.session_indexes, |a, b| {
            a == b
        });
    let mut events = updates.into_events();
    if metadata_changed {
        events.push(FlowEvent::MetadataUpdate);
    }
    events
}

fn same_entries<K: Ord, V>(
    a: &BTreeMap<K, Arc<V>>,
    b: &BTreeMap<K, Arc<V>>,
    same: impl Fn(&V, &V) -> bool,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && (Arc::ptr_eq(va, vb) || same(va, vb)))
}

/// Task-file changes of one batch, deduplicated and ordered.
#[derive(Default)]
struct Updates {
    files: BTreeSet<(u8, Option<String>, String)>,
    state_changed: bool,
}

impl Updates {
    fn add(&mut self, change: FileChange, list: Option<String>, file: String) {
        self.files.insert((rank(change), list, file));
    }

    fn into_events(self) -> Vec<FlowEvent> {
        if self.files.len() > MAX_FILE_EVENTS {
            return vec![FlowEvent::Update {
                event: FileChange::Change,
                session_id: None,
                file: None,
            }];
        }
        self.files
            .into_iter()
            .map(|(rank, session_id, file)| FlowEvent::Update {
                event: change_of_rank(rank),
                session_id,
                file: Some(file),
            })
            .collect()
    }
}

// `FileChange` has no `Ord`; a rank keeps the set ordered and the output deterministic.
fn rank(change: FileChange) -> u8 {
    match change {
        FileChange::Add => 0,
        FileChange::Change => 1,
        FileChange::Unlink => 2,
    }
}

fn change_of_rank(rank: u8) -> FileChange {
    match rank {
        0 => FileChange::Add,
        1 => FileChange::Change,
        _ => FileChange::Unlink,
    }
}

fn refresh_list(paths: &BoardPaths, next: &mut State, id: &str, updates: &mut Updates) {
    let dir = paths.tasks_dir.join(id);
    let old = next.lists.get(id).cloned();
    if dir.is_dir() {
        let list = read_list(&dir, old.as_deref());
        for (file, task) in &list.tasks {
            match old.as_ref().and_then(|l| l.tasks.get(file)) {
                None => updates.add(FileChange::Add, Some(id.to_owned()), file.clone()),
                Some(previous) if !Arc::ptr_eq(previous, task) => {
                    updates.add(FileChange::Change, Some(id.to_owned()), file.clone());
                }
                Some(_) => {}
            }
        }
        if let Some(old) = &old {
            for file in old.tasks.keys().filter(|f| !list.tasks.contains_key(*f)) {
                updates.add(FileChange::Unlink, Some(id.to_owned()), file.clone());
            }
        }
        next.lists.insert(id.to_owned(), Arc::new(list));
    } else if let Some(old) = next.lists.remove(id) {
        for file in old.tasks.keys() {
            updates.add(FileChange::Unlink, Some(id.to_owned()), file.clone());
        }
    } else {
        return;
    }
    updates.state_changed = true;
}

fn refresh_task_file(
    paths: &BoardPaths,
    next: &mut State,
    list_id: &str,
    file: &str,
    updates: &mut Updates,
) {
    let Some(old_list) = next.lists.get(list_id).cloned() else {
        // The list itself is new to us: read all of it.
        refresh_list(paths, next, list_id, updates);
        return;
    };
    let path = old_list.path.join(file);
    let previous = old_list.tasks.get(file);
    let mut list = (*old_list).clone();
    // The watcher reports every change it saw, even one our own write already indexed, so
    // that every client hears of it.
    match read_task(&path, previous) {
        Some(entry) => {
            let change = if previous.is_some() {
                FileChange::Change
            } else {
                FileChange::Add
            };
            updates.add(change, Some(list_id.to_owned()), file.to_owned());
            if previous.is_some_and(|p| Arc::ptr_eq(p, &entry)) {
                return;
            }
            list.tasks.insert(file.to_owned(), entry);
        }
        None => {
            updates.add(
                FileChange::Unlink,
                Some(list_id.to_owned()),
                file.to_owned(),
            );
            if list.tasks.remove(file).is_none() {
                return;
            }
        }
    }
    list.dir_modified = modified(&list.path);
    next.lists.insert(list_id.to_owned(), Arc::new(list));
    updates.state_changed = true;
}

fn refresh_project(next: &mut State, dir: &Path, transcripts: &mut TranscriptIndex) -> bool {
    let mut changed = false;
    let files = if dir.is_dir() {
        project_transcripts(dir)
    } else {
        Vec::new()
    };
    let stale: Vec<PathBuf> = next
        .transcripts
        .keys()
        .filter(|p| p.parent() == Some(dir) && !files.contains(p))
        .cloned()
        .collect();
    for path in stale {
        next.transcripts.remove(&path);
        transcripts.forget(&path);
        changed = true;
    }
    for path in files {
        changed |= refresh_transcript(next, &path, transcripts);
    }
    changed |= refresh_session_index(next, &dir.join("sessions-index.json"));
    changed
}

fn refresh_transcript(next: &mut State, path: &Path, transcripts: &mut TranscriptIndex) -> bool {
    let entry = if path.is_file() {
        transcripts.read_many(&[path.to_path_buf()]).pop()
    } else {
        transcripts.forget(path);
        None
    };
    match entry {
        Some((path, entry)) => {
            let old = next.transcripts.get(&path);
            let same = old.is_some_and(|o| o.meta == entry.meta && o.modified == entry.modified);
            if !same || old.is_some_and(|o| o.len != entry.len) {
                next.transcripts.insert(path, Arc::new(entry));
            }
            !same
        }
        None => next.transcripts.remove(path).is_some(),
    }
}

fn refresh_session_index(next: &mut State, path: &Path) -> bool {
    let Some(project) = path.parent().map(Path::to_path_buf) else {
        return false;
    };
    match read_session_index(path) {
        Some(entries) => {
            if next
                .session_indexes
                .get(&project)
                .is_some_and(|old| **old == entries)
            {
                return false;
            }
            next.session_indexes.insert(project, Arc::new(entries));
            true
        }
        None => next.session_indexes.remove(&project).is_some(),
    }
}

/// The subdirectories of `dir` by name (none when it does not exist).
fn dir_children(dir: &Path) -> Vec<(String, PathBuf)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(dir = %dir.display(), %err, "board directory unreadable");
            }
            return Vec::new();
        }
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect()
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// One list directory, reusing `old`'s entries for files that did not change.
fn read_list(dir: &Path, old: Option<&ListEntry>) -> ListEntry {
    let mut tasks = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if !is_task_file(&path) {
                continue;
            }
            let Ok(file) = entry.file_name().into_string() else {
                continue;
            };
            if let Some(task) = read_task(&path, old.and_then(|l| l.tasks.get(&file))) {
                tasks.insert(file, task);
            }
        }
    }
    ListEntry {
        path: dir.to_path_buf(),
        dir_modified: modified(dir),
        tasks,
    }
}

/// A task file's entry: `previous` itself (the same `Arc`) when mtime and size are unchanged;
/// `None` when the file is gone or is not a regular file (a symbolic link is not: it could
/// lead outside the tasks folder).
fn read_task(path: &Path, previous: Option<&Arc<TaskEntry>>) -> Option<Arc<TaskEntry>> {
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    let modified = metadata.modified().ok();
    if let Some(previous) = previous
        && previous.modified == modified
        && previous.len == metadata.len()
    {
        return Some(previous.clone());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    if let Err(err) = file.read_to_end(&mut bytes) {
        tracing::warn!(file = %path.display(), %err, "task file unreadable; counted, not shown");
    }
    let created = previous
        .map(|p| p.created)
        .or_else(|| metadata.created().ok())
        .unwrap_or_else(SystemTime::now);
    Some(Arc::new(TaskEntry {
        modified,
        len: bytes.len() as u64,
        created,
        task: TaskFile::parse(path, &bytes).as_ref().map(TaskSummary::of),
        bytes: bytes.into_boxed_slice(),
    }))
}

/// The top-level transcripts of a project directory.
fn project_transcripts(dir: &Path) -> Vec<PathBuf> {
    let Ok(files) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    files
        .filter_map(Result::ok)
        .filter(|f| f.file_type().is_ok_and(|t| t.is_file()))
        .filter(|f| {
            f.file_name()
                .to_str()
                .and_then(transcript_session)
                .is_some()
        })
        .map(|f| f.path())
        .collect()
}

/// A project's `sessions-index.json` entries; `None` when it is missing or not valid JSON.
fn read_session_index(path: &Path) -> Option<Vec<SessionIndexEntry>> {
    let bytes = std::fs::read(path).ok()?;
    let index: Value = match serde_json::from_slice(&bytes) {
        Ok(index) => index,
        Err(err) => {
            tracing::warn!(file = %path.display(), %err, "sessions index is not valid JSON; ignored");
            return None;
        }
    };
    let text = |entry: &Value, key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let entries = index.get("entries").and_then(Value::as_array)?;
    Some(
        entries
            .iter()
            .filter_map(|entry| {
                Some(SessionIndexEntry {
                    session_id: entry.get("sessionId")?.as_str()?.to_owned(),
                    description: text(entry, "description").or_else(|| text(entry, "summary")),
                    git_branch: text(entry, "gitBranch"),
                    created: text(entry, "created"),
                })
            })
            .collect(),
    )
}

impl TranscriptIndex {
    /// Brings the transcripts at `paths` up to date (in parallel: the first build reads every
    /// byte) and returns their entries; unreadable ones are left out.
    pub(crate) fn read_many(&self, paths: &[PathBuf]) -> Vec<(PathBuf, TranscriptEntry)> {
        let read_one = |index: &TranscriptIndex, path: &PathBuf| {
            let meta = index.read(path)?;
            let session_id = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(transcript_session)?
                .to_owned();
            let stat = std::fs::metadata(path).ok();
            Some((
                path.clone(),
                TranscriptEntry {
                    session_id,
                    meta,
                    modified: stat.as_ref().and_then(|m| m.modified().ok()),
                    len: stat.map_or(0, |m| m.len()),
                },
            ))
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(paths.len());
        if threads < 2 {
            return paths.iter().filter_map(|p| read_one(self, p)).collect();
        }
        // Workers take the next file from a shared counter, so one large transcript does not
        // leave the other workers idle.
        let index: &TranscriptIndex = self;
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut read = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(path) = paths.get(i) else {
                                return read;
                            };
                            read.extend(read_one(index, path));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| {
                    worker.join().unwrap_or_else(|_| {
                        tracing::error!("a transcript reader panicked; its files are left out");
                        Vec::new()
                    })
                })
                .collect()
        })
    }
}
