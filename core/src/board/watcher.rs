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
/// How often the tree is walked when the platform gives no watcher at all.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// The most events taken into one batch.
const MAX_BATCH: usize = 10_000;

/// What the indexer thread is told.
enum Signal {
    /// A file event from the platform's watcher.
    File(notify::Result<Event>),
    /// Paths the periodic check found out of date.
    Stale(Vec<PathBuf>),
}

/// The running watcher and indexer; both stop when this is dropped.
pub struct BoardWatcher {
    stop: Arc<AtomicBool>,
    // Dropping these ends the indexer thread: its channel disconnects.
    _watcher: Option<Arc<Mutex<RecommendedWatcher>>>,
    _signals: Sender<Signal>,
}

impl Drop for BoardWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for BoardWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoardWatcher")
            .field("live", &self._watcher.is_some())
            .finish()
    }
}

/// Builds `index` (on a background thread) and keeps it current, publishing to `bus`. When
/// the platform refuses a file watcher, the tree is walked every [`POLL_EVERY`] instead.
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
    .map(|w| Arc::new(Mutex::new(w)));

    let dirs = [
        index.paths().tasks_dir.clone(),
        index.paths().projects_dir.clone(),
    ];
    let missing: Vec<PathBuf> = match &watcher {
        Some(watcher) => dirs.into_iter().filter(|d| !arm(watcher, d)).collect(),
        None => Vec::new(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let check_every = if watcher.is_some() {
        RECONCILE_EVERY
    } else {
        POLL_EVERY
    };
    start_checker(index.clone(), tx.clone(), check_every, stop.clone())?;
    let indexer = Indexer {
        bus,
        index,
        watcher: watcher.as_ref().map(Arc::downgrade),
        missing,
        stop: stop.clone(),
    };
    std::thread::Builder::new()
        .name("board-index".into())
        .spawn(move || indexer.run(&rx))
        .map_err(|e| AppError::Internal(format!("cannot start the board indexer: {e}")))?;
    Ok(BoardWatcher {
        stop,
        _watcher: watcher,
        _signals: tx,
    })
}

/// Every `every`, compares the tree with the index (listings and `stat` only, on its own
/// thread, so pushes never wait behind it) and hands what differs to the indexer.
fn start_checker(
    index: Arc<BoardIndex>,
    signals: Sender<Signal>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> Result<(), AppError> {
    std::thread::Builder::new()
        .name("board-check".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                if !index.is_ready() {
                    continue;
                }
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
    watcher: Option<Weak<Mutex<RecommendedWatcher>>>,
    missing: Vec<PathBuf>,
    stop: Arc<AtomicBool>,
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
    fn handle(&self, batch: Vec<Signal>) -> bool {
        let mut paths = Vec::new();
        let mut rescan = false;
        let mut root_gone = false;
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
                Signal::File(Err(err)) => {
                    // Errors such as a watch limit reached mean events may be missing.
                    tracing::warn!(%err, "board watcher error; rescanning");
                    rescan = true;
                }
            }
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
        let Some(watcher) = self.watcher.as_ref().and_then(Weak::upgrade) else {
            return;
        };
        let mut walk = false;
        for dir in [
            &self.index.paths().tasks_dir,
            &self.index.paths().projects_dir,
        ] {
            if self.missing.contains(dir) {
                continue;
            }
            {
                let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
                // Forget the stale watch; an error only says it was gone already.
                if watcher.unwatch(dir).is_err() {
                    tracing::trace!(dir = %dir.display(), "no watch to forget");
                }
            }
            if arm(&watcher, dir) {
                walk = true;
            } else {
                tracing::info!(dir = %dir.display(), "watched directory removed; waiting for it to return");
                self.missing.push(dir.clone());
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
        let Some(watcher) = self.watcher.as_ref().and_then(Weak::upgrade) else {
            return false;
        };
        let before = self.missing.len();
        self.missing.retain(|dir| !arm(&watcher, dir));
        self.missing.len() < before
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

/// Watches `dir` recursively if it exists; whether it is now watched.
fn arm(watcher: &Mutex<RecommendedWatcher>, dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
    match watcher.watch(dir, RecursiveMode::Recursive) {
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
mod tests;
