//! Keeps the board index current from file events and publishes the board's live events:
//! `update` for task files under `TASKS_DIR`, `metadata-update` for transcripts and session
//! indexes under `PROJECTS_DIR`.
//!
//! The first event of a burst is handled at once (no debounce delay); whatever arrives while
//! it is being handled is taken together as the next batch, so bursts coalesce by themselves.
//! The index is updated before the event goes out, so a client that refetches on the event
//! sees the change. Reads never echo back (access events are ignored); a directory that does
//! not exist yet is armed as soon as it appears; a watcher overflow, and a periodic check for
//! anything missed, rebuild the index from a walk while requests keep reading the old one.
//!
//! When the system's watch limit is reached (`fs.inotify.max_user_watches` on Linux, at start
//! or later as folders appear), a partly watched tree would miss changes without a word: the
//! board drops its watcher, says so once in the log, and polls the tree instead.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::index::{BoardIndex, Place};
use crate::{AppError, EventBus};

/// How often a missing directory is looked for.
const REARM_EVERY: Duration = Duration::from_millis(500);
/// How often the tree is compared with the index for anything the watcher missed.
const RECONCILE_EVERY: Duration = Duration::from_secs(30);
/// How often the tree is walked when the platform gives no watcher, or its watch limit is reached.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// How often the checker looks at the clock (so a switch to polling takes effect promptly).
const CHECK_TICK: Duration = Duration::from_millis(100);
/// The most events taken into one batch.
const MAX_BATCH: usize = 10_000;

/// What the indexer thread is told.
enum Signal {
    /// A file event from the platform's watcher.
    File(notify::Result<Event>),
    /// Paths the periodic check found out of date.
    Stale(Vec<PathBuf>),
}

/// The platform's watcher, owned by [`BoardWatcher`] and renewed by the indexer; `None` once
/// the board polls instead.
type Native = Arc<Mutex<Option<RecommendedWatcher>>>;

/// The running watcher and indexer; both stop when this is dropped.
pub struct BoardWatcher {
    stop: Arc<AtomicBool>,
    polling: Arc<AtomicBool>,
    // Dropping these ends the indexer thread: its channel disconnects.
    _watcher: Option<Native>,
    _signals: Sender<Signal>,
}

impl BoardWatcher {
    /// Whether the board is polled (no platform watcher, or its watch limit was reached).
    pub fn is_polling(&self) -> bool {
        self.polling.load(Ordering::Relaxed)
    }
}

impl Drop for BoardWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for BoardWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardWatcher")
            .field("polling", &self.is_polling())
            .finish()
    }
}

/// Builds `index` (on a background thread) and keeps it current, publishing to `bus`. When
/// the platform refuses a file watcher, or its watch limit is reached, the tree is walked every
/// [`POLL_EVERY`] instead.
pub fn start(bus: Arc<EventBus>, index: Arc<BoardIndex>) -> Result<BoardWatcher, AppError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let handler_tx = tx.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        // A send fails only once the indexer has stopped, when nothing needs the event.
        if handler_tx.send(Signal::File(event)).is_err() {
            tracing::trace!("board event after the indexer stopped");
        }
    })
    .inspect_err(|err| {
        tracing::warn!(%err, "no file watcher: the agent board is polled every {POLL_EVERY:?}");
    })
    .ok()
    .map(|w| Arc::new(Mutex::new(Some(w))));

    let stop = Arc::new(AtomicBool::new(false));
    let polling = Arc::new(AtomicBool::new(watcher.is_none()));
    let mut indexer = Indexer {
        bus,
        index: index.clone(),
        watcher: watcher.as_ref().map(Arc::downgrade),
        missing: Vec::new(),
        stop: stop.clone(),
        polling: polling.clone(),
    };
    if let Some(native) = &watcher {
        for dir in [&index.paths().tasks_dir, &index.paths().projects_dir] {
            match arm(native, dir) {
                Armed::Watching => {}
                Armed::Absent => indexer.missing.push(dir.clone()),
                Armed::LimitReached(err) => {
                    indexer.fall_back_to_polling(&err);
                    break;
                }
            }
        }
    }
    start_checker(index, tx.clone(), polling.clone(), stop.clone())?;
    std::thread::Builder::new()
        .name("board-index".into())
        .spawn(move || indexer.run(&rx))
        .map_err(|e| AppError::Internal(format!("cannot start the board indexer: {e}")))?;
    Ok(BoardWatcher {
        stop,
        polling,
        _watcher: watcher,
        _signals: tx,
    })
}

/// Every [`RECONCILE_EVERY`] (every [`POLL_EVERY`] while `polling`), compares the tree with the
/// index (listings and `stat` only, on its own thread, so pushes never wait behind it) and
/// hands what differs to the indexer.
fn start_checker(
    index: Arc<BoardIndex>,
    signals: Sender<Signal>,
    polling: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) -> Result<(), AppError> {
    std::thread::Builder::new()
        .name("board-check".into())
        .spawn(move || {
            let mut last = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(CHECK_TICK);
                let every = if polling.load(Ordering::Relaxed) {
                    POLL_EVERY
                } else {
                    RECONCILE_EVERY
                };
                if last.elapsed() < every || !index.is_ready() {
                    continue;
                }
                last = Instant::now();
                let stale = index.stale_paths();
                if stale.is_empty() {
                    continue;
                }
                tracing::debug!(
                    paths = stale.len(),
                    "board check found changes no event reported"
                );
                if signals.send(Signal::Stale(stale)).is_err() {
                    return;
                }
            }
        })
        .map(drop)
        .map_err(|e| AppError::Internal(format!("cannot start the board checker: {e}")))
}

/// The thread that owns the index's updates.
struct Indexer {
    bus: Arc<EventBus>,
    index: Arc<BoardIndex>,
    watcher: Option<Weak<Mutex<Option<RecommendedWatcher>>>>,
    missing: Vec<PathBuf>,
    stop: Arc<AtomicBool>,
    /// Set once the board polls; the checker reads it.
    polling: Arc<AtomicBool>,
}

impl Indexer {
    fn run(mut self, rx: &Receiver<Signal>) {
        let started = Instant::now();
        self.publish(self.index.reconcile());
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis(),
            "agent board indexed"
        );
        while !self.stop.load(Ordering::Relaxed) {
            let wait = if self.missing.is_empty() {
                RECONCILE_EVERY
            } else {
                REARM_EVERY
            };
            match rx.recv_timeout(wait) {
                Ok(first) => {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter().take(MAX_BATCH));
                    if self.handle(batch) {
                        self.rewatch_roots();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if self.rearm() {
                self.publish(self.index.reconcile());
            }
        }
    }

    /// Applies one batch; whether a watched root itself was removed or moved (its watch must
    /// be renewed).
    fn handle(&mut self, batch: Vec<Signal>) -> bool {
        let mut paths = Vec::new();
        let mut rescan = false;
        let mut root_gone = false;
        let mut limit = None;
        for signal in batch {
            match signal {
                Signal::Stale(stale) => paths.extend(stale),
                Signal::File(Ok(event)) if event.need_rescan() => rescan = true,
                Signal::File(Ok(event)) => {
                    root_gone |= matches!(
                        event.kind,
                        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_))
                    ) && event
                        .paths
                        .iter()
                        .any(|p| self.index.paths().place(p) == Place::Root);
                    if matters(&event.kind, &event.paths, &self.index) {
                        paths.extend(event.paths);
                    }
                }
                // A folder that appeared could not be watched: from here on it would be silent.
                Signal::File(Err(err)) if matches!(err.kind, notify::ErrorKind::MaxFilesWatch) => {
                    limit = Some(err);
                    rescan = true;
                }
                Signal::File(Err(err)) => {
                    // Other errors may mean events are missing too.
                    tracing::warn!(%err, "board watcher error; rescanning");
                    rescan = true;
                }
            }
        }
        if let Some(err) = limit {
            self.fall_back_to_polling(&err);
        }
        if rescan {
            tracing::info!("board watcher overflowed; rebuilding the index from a walk");
            self.publish(self.index.reconcile());
        } else if !paths.is_empty() {
            self.publish(self.index.refresh(&paths));
        }
        root_gone
    }

    /// A watched directory that was deleted (or moved away) takes its watch with it, even when
    /// it is back by now: watch each root again, or look for it until it returns.
    fn rewatch_roots(&mut self) {
        let Some(watcher) = self.native() else {
            return;
        };
        let mut walk = false;
        let index = self.index.clone();
        for dir in [&index.paths().tasks_dir, &index.paths().projects_dir] {
            if self.missing.contains(dir) {
                continue;
            }
            {
                let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
                // Forget the stale watch; an error only says it was gone already.
                if let Some(watcher) = watcher.as_mut()
                    && watcher.unwatch(dir).is_err()
                {
                    tracing::trace!(dir = %dir.display(), "no watch to forget");
                }
            }
            match arm(&watcher, dir) {
                Armed::Watching => walk = true,
                Armed::Absent => {
                    tracing::info!(dir = %dir.display(), "watched directory removed; waiting for it to return");
                    self.missing.push(dir.clone());
                }
                Armed::LimitReached(err) => {
                    self.fall_back_to_polling(&err);
                    walk = true;
                    break;
                }
            }
        }
        if walk {
            self.publish(self.index.reconcile());
        }
    }

    /// Arms directories that have appeared; whether any did (they must then be walked).
    fn rearm(&mut self) -> bool {
        if self.missing.is_empty() {
            return false;
        }
        let Some(watcher) = self.native() else {
            return false;
        };
        let mut armed = false;
        let mut still_missing = Vec::new();
        for dir in std::mem::take(&mut self.missing) {
            match arm(&watcher, &dir) {
                Armed::Watching => armed = true,
                Armed::Absent => still_missing.push(dir),
                Armed::LimitReached(err) => {
                    self.fall_back_to_polling(&err);
                    return true;
                }
            }
        }
        self.missing = still_missing;
        armed
    }

    /// The platform watcher while there is one (not once the board polls).
    fn native(&self) -> Option<Native> {
        if self.polling.load(Ordering::Relaxed) {
            return None;
        }
        self.watcher.as_ref().and_then(Weak::upgrade)
    }

    /// Gives up the platform watcher for polling, once: a tree watched in part would miss the
    /// changes in the rest without a word.
    fn fall_back_to_polling(&mut self, err: &notify::Error) {
        if self.polling.swap(true, Ordering::Relaxed) {
            return;
        }
        if let Some(native) = self.watcher.as_ref().and_then(Weak::upgrade) {
            // Dropping it closes its inotify instance, which hands every watch back.
            let dropped = native.lock().unwrap_or_else(PoisonError::into_inner).take();
            drop(dropped);
        }
        self.missing.clear();
        tracing::warn!(
            %err,
            limit = watch_limit(),
            "the system's file watch limit is reached (fs.inotify.max_user_watches on Linux): the \
             agent board falls back to polling every {POLL_EVERY:?}; raise the limit and restart \
             for live updates"
        );
    }

    fn publish(&self, events: Vec<crate::FlowEvent>) {
        for event in events {
            self.bus.publish(event);
        }
    }
}

/// Whether an event can change what the board shows. Access events (our own reads) never do.
/// On Linux a written file is taken when it is closed (or renamed into place), not at its
/// first write, so a half-written task file is never read; transcripts are taken at every
/// write, since only whole lines are applied.
fn matters(kind: &EventKind, paths: &[PathBuf], index: &BoardIndex) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        // inotify reports a rename's two ends on their own as well; the pair would say it twice.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) if cfg!(target_os = "linux") => false,
        EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_))
            if cfg!(target_os = "linux") =>
        {
            paths
                .iter()
                .any(|p| matches!(index.paths().place(p), Place::Transcript(_)))
        }
        _ => true,
    }
}

/// What arming a directory came to.
enum Armed {
    /// It is watched, with everything under it.
    Watching,
    /// It does not exist (or cannot be watched for now): try again later.
    Absent,
    /// The system's watch limit stopped it part way.
    LimitReached(notify::Error),
}

/// Watches `dir` recursively if it exists.
fn arm(watcher: &Mutex<Option<RecommendedWatcher>>, dir: &Path) -> Armed {
    if !dir.is_dir() {
        return Armed::Absent;
    }
    let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(watcher) = watcher.as_mut() else {
        return Armed::Absent;
    };
    match watcher.watch(dir, RecursiveMode::Recursive) {
        Ok(()) => {
            tracing::info!(dir = %dir.display(), "watching for board changes");
            Armed::Watching
        }
        Err(err) if matches!(err.kind, notify::ErrorKind::MaxFilesWatch) => {
            Armed::LimitReached(err)
        }
        Err(err) => {
            tracing::warn!(dir = %dir.display(), %err, "cannot watch directory; will retry");
            Armed::Absent
        }
    }
}

/// The per-user watch limit, where the system says it (for the fallback's log line).
fn watch_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests;
