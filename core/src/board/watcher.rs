//! Watches Claude Code's directories and publishes the board's live events: `update` for task
//! files under `TASKS_DIR`, `metadata-update` for transcripts and session indexes under
//! `PROJECTS_DIR`.
//!
//! Events are debounced (one batch per 200 ms), access events are ignored (so our own reads
//! never echo back), and a directory that does not exist yet is armed as soon as it appears.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use notify_debouncer_full::notify::event::{ModifyKind, RenameMode};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use crate::event::FileChange;
use crate::{AppError, EventBus, FlowEvent};

/// How long file events are gathered before one batch is published.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// How often a missing directory is looked for.
const REARM_EVERY: Duration = Duration::from_millis(500);

type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// A running watcher; stops when dropped.
pub struct BoardWatcher {
    _debouncer: Arc<Mutex<Watcher>>,
    stop: Arc<AtomicBool>,
}

impl Drop for BoardWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for BoardWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BoardWatcher")
    }
}

/// Which directory a path belongs to, and what its change means for the board.
#[derive(Debug, Clone)]
struct Classifier {
    tasks_dir: PathBuf,
    projects_dir: PathBuf,
}

impl Classifier {
    /// The board events one debounced batch stands for, without duplicates.
    fn classify(&self, batch: &[DebouncedEvent]) -> Vec<FlowEvent> {
        let mut updates = BTreeSet::new();
        let mut metadata = false;
        for event in batch {
            let renamed = matches!(
                event.kind,
                EventKind::Modify(ModifyKind::Name(RenameMode::Both))
            );
            for (index, path) in event.paths.iter().enumerate() {
                let change = match event.kind {
                    EventKind::Access(_) => continue,
                    EventKind::Create(_) => FileChange::Add,
                    EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => FileChange::Unlink,
                    // A rename's first path is where the file was, the second where it is now.
                    _ if renamed && index == 0 => FileChange::Unlink,
                    _ => FileChange::Change,
                };
                if let Some((session, file)) = self.task_file(path) {
                    updates.insert((change_rank(change), session, file));
                } else if self.is_metadata(path) {
                    metadata = true;
                }
            }
        }
        let mut events: Vec<FlowEvent> = updates
            .into_iter()
            .map(|(rank, session_id, file)| FlowEvent::Update {
                event: change_of_rank(rank),
                session_id,
                file: Some(file),
            })
            .collect();
        if metadata {
            events.push(FlowEvent::MetadataUpdate);
        }
        events
    }

    /// `(list id, file name)` for a task file under the tasks directory.
    fn task_file(&self, path: &Path) -> Option<(Option<String>, String)> {
        let relative = path.strip_prefix(&self.tasks_dir).ok()?;
        let file = relative.file_name()?.to_str()?.to_owned();
        if !file.ends_with(".json") || file.starts_with('.') {
            return None;
        }
        let mut components = relative.components();
        let session = match (components.next(), components.next()) {
            (Some(first), Some(_)) => first.as_os_str().to_str().map(str::to_owned),
            _ => None,
        };
        Some((session, file))
    }

    fn is_metadata(&self, path: &Path) -> bool {
        path.starts_with(&self.projects_dir)
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".jsonl") || n == "sessions-index.json")
    }
}

// `FileChange` has no `Ord`; a rank keeps the set ordered and the output deterministic.
fn change_rank(change: FileChange) -> u8 {
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

fn lock(debouncer: &Mutex<Watcher>) -> std::sync::MutexGuard<'_, Watcher> {
    debouncer.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts watching `tasks_dir` and `projects_dir` (recursively), publishing to `bus`.
pub fn start(
    bus: Arc<EventBus>,
    tasks_dir: PathBuf,
    projects_dir: PathBuf,
) -> Result<BoardWatcher, AppError> {
    let classifier = Classifier {
        tasks_dir: tasks_dir.clone(),
        projects_dir: projects_dir.clone(),
    };
    let handler = move |result: DebounceEventResult| match result {
        Ok(batch) => {
            for event in classifier.classify(&batch) {
                bus.publish(event);
            }
        }
        Err(errors) => {
            for err in errors {
                tracing::warn!(%err, "board watcher error");
            }
        }
    };
    let debouncer = new_debouncer(DEBOUNCE, None, handler).map_err(|e| {
        AppError::Unavailable(format!("cannot watch the Claude Code directories: {e}"))
    })?;
    let debouncer = Arc::new(Mutex::new(debouncer));
    let stop = Arc::new(AtomicBool::new(false));

    let mut missing = Vec::new();
    for dir in [tasks_dir, projects_dir] {
        if !arm(&debouncer, &dir) {
            missing.push(dir);
        }
    }
    if !missing.is_empty() {
        let debouncer = Arc::downgrade(&debouncer);
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("board-watch-rearm".into())
            .spawn(move || {
                while !missing.is_empty() && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(REARM_EVERY);
                    let Some(debouncer) = debouncer.upgrade() else {
                        return;
                    };
                    missing.retain(|dir| !arm(&debouncer, dir));
                }
            })
            .map_err(|e| AppError::Internal(format!("cannot start the watcher thread: {e}")))?;
    }
    Ok(BoardWatcher {
        _debouncer: debouncer,
        stop,
    })
}

/// Watches `dir` recursively if it exists; whether it is now watched.
fn arm(debouncer: &Mutex<Watcher>, dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    match lock(debouncer).watch(dir, RecursiveMode::Recursive) {
        Ok(()) => {
            tracing::info!(dir = %dir.display(), "watching for board changes");
            true
        }
        Err(err) => {
            tracing::warn!(dir = %dir.display(), %err, "cannot watch directory; will retry");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BusItem;
    use crate::bus::Subscription;

    async fn next_event(sub: &mut Subscription) -> FlowEvent {
        match tokio::time::timeout(Duration::from_secs(10), sub.next()).await {
            Ok(Some(BusItem::Event(envelope))) => envelope.event.clone(),
            other => panic!("no board event: {other:?}"),
        }
    }

    /// Waits until an event matching `want` arrives, skipping others (a save may be reported as
    /// several kinds depending on the platform).
    async fn wait_for(sub: &mut Subscription, want: impl Fn(&FlowEvent) -> bool) -> FlowEvent {
        loop {
            let event = next_event(sub).await;
            if want(&event) {
                return event;
            }
        }
    }

    fn update_of(event: &FlowEvent) -> Option<(FileChange, Option<&str>, Option<&str>)> {
        match event {
            FlowEvent::Update {
                event,
                session_id,
                file,
            } => Some((*event, session_id.as_deref(), file.as_deref())),
            _ => None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn task_files_and_transcripts_become_board_events() {
        let root = tempfile::tempdir().unwrap();
        let tasks = root.path().join("tasks");
        let projects = root.path().join("projects");
        std::fs::create_dir_all(tasks.join("s1")).unwrap();
        std::fs::create_dir_all(projects.join("-home-me-app")).unwrap();
        let bus = Arc::new(EventBus::new(64, 64));
        let mut sub = bus.subscribe(None);
        let _watcher = start(bus.clone(), tasks.clone(), projects.clone()).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;

        std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
        let added = wait_for(&mut sub, |e| update_of(e).is_some()).await;
        assert_eq!(
            update_of(&added),
            Some((FileChange::Add, Some("s1"), Some("1.json")))
        );

        crate::atomic_file::write(&tasks.join("s1/1.json"), br#"{"id":"1","x":1}"#).unwrap();
        let changed = wait_for(&mut sub, |e| {
            update_of(e).is_some_and(|(_, _, f)| f == Some("1.json"))
        })
        .await;
        assert_ne!(update_of(&changed).map(|u| u.0), Some(FileChange::Unlink));

        std::fs::remove_file(tasks.join("s1/1.json")).unwrap();
        wait_for(&mut sub, |e| {
            update_of(e) == Some((FileChange::Unlink, Some("s1"), Some("1.json")))
        })
        .await;

        std::fs::write(projects.join("-home-me-app/abc.jsonl"), "{}\n").unwrap();
        wait_for(&mut sub, |e| *e == FlowEvent::MetadataUpdate).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_and_sidecars_stay_quiet() {
        let root = tempfile::tempdir().unwrap();
        let tasks = root.path().join("tasks");
        std::fs::create_dir_all(tasks.join("s1")).unwrap();
        std::fs::write(tasks.join("s1/1.json"), r#"{"id":"1"}"#).unwrap();
        let bus = Arc::new(EventBus::new(64, 64));
        let _watcher = start(bus.clone(), tasks.clone(), root.path().join("projects")).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut sub = bus.subscribe(None);
        for _ in 0..20 {
            std::fs::read(tasks.join("s1/1.json")).unwrap();
        }
        std::fs::write(tasks.join("s1/.lock"), "").unwrap();
        std::fs::write(tasks.join("s1/.highwatermark"), "3").unwrap();
        let quiet = tokio::time::timeout(Duration::from_millis(800), sub.next()).await;
        assert!(quiet.is_err(), "unexpected event: {quiet:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_directory_created_later_is_picked_up() {
        let root = tempfile::tempdir().unwrap();
        let tasks = root.path().join("tasks");
        let bus = Arc::new(EventBus::new(64, 64));
        let mut sub = bus.subscribe(None);
        let _watcher = start(bus.clone(), tasks.clone(), root.path().join("projects")).unwrap();
        std::fs::create_dir_all(tasks.join("team-alpha")).unwrap();
        // Give the re-arm loop a moment to notice the new directory.
        tokio::time::sleep(REARM_EVERY * 3).await;
        std::fs::write(tasks.join("team-alpha/7.json"), r#"{"id":7}"#).unwrap();
        let event = wait_for(&mut sub, |e| update_of(e).is_some()).await;
        assert_eq!(
            update_of(&event).map(|u| (u.1, u.2)),
            Some((Some("team-alpha"), Some("7.json")))
        );
    }

    #[test]
    fn a_burst_of_events_for_one_file_is_published_once() {
        use notify_debouncer_full::notify::Event;
        use notify_debouncer_full::notify::event::{CreateKind, DataChange};
        let classifier = Classifier {
            tasks_dir: "/t".into(),
            projects_dir: "/p".into(),
        };
        let modify = || {
            DebouncedEvent::new(
                Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Any)))
                    .add_path("/t/s/2.json".into()),
                std::time::Instant::now(),
            )
        };
        let batch = vec![
            modify(),
            modify(),
            modify(),
            DebouncedEvent::new(
                Event::new(EventKind::Create(CreateKind::File)).add_path("/p/x/a.jsonl".into()),
                std::time::Instant::now(),
            ),
            DebouncedEvent::new(
                Event::new(EventKind::Modify(ModifyKind::Any)).add_path("/p/x/a.jsonl".into()),
                std::time::Instant::now(),
            ),
        ];
        let events = classifier.classify(&batch);
        assert_eq!(
            events,
            vec![
                FlowEvent::Update {
                    event: FileChange::Change,
                    session_id: Some("s".into()),
                    file: Some("2.json".into())
                },
                FlowEvent::MetadataUpdate,
            ]
        );
        let json = serde_json::to_value(&events[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type":"update","event":"change","sessionId":"s","file":"2.json"})
        );
    }
}
