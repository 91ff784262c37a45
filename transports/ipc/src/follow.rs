//! Following a run over IPC: the core's run follow (its recorded events, then live ones, until
//! `done`) sent down a Tauri channel, and a command to end one early. Not in the command table
//! (a channel is IPC's own), so the typed client leaves them out; the host facade calls them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use flow_core::engine::ExecutionEvent;
use flow_core::{App, AppError, commands};
use tauri::ipc::Channel;
use tokio::sync::oneshot;

/// The commands this module adds to the IPC surface.
pub const FOLLOW_COMMANDS: &[&str] = &["run_follow", "run_follow_stop"];

/// Follows still going, by the id of the channel they write to.
#[derive(Default)]
pub struct Follows(Mutex<HashMap<u32, oneshot::Sender<()>>>);

impl Follows {
    fn insert(&self, channel: u32, stop: oneshot::Sender<()>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(channel, stop);
    }

    fn remove(&self, channel: u32) -> Option<oneshot::Sender<()>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&channel)
    }
}

/// Sends a run's events after `after` (all when null) down `on_event`, recorded ones first,
/// then live ones; resolves after `done`, or when `run_follow_stop` ends it. An unknown run is
/// `NotFound`.
#[tauri::command]
#[specta::specta]
pub async fn run_follow(
    app: tauri::State<'_, App>,
    follows: tauri::State<'_, Follows>,
    execution_id: String,
    after: Option<u32>,
    on_event: Channel<ExecutionEvent>,
) -> Result<(), AppError> {
    let channel = on_event.id();
    // Registered before the first await, so a stop sent right after the start finds it.
    let (stop, mut stopped) = oneshot::channel();
    follows.insert(channel, stop);
    let outcome = forward(&app, execution_id, after, &on_event, &mut stopped).await;
    follows.remove(channel);
    outcome
}

async fn forward(
    app: &App,
    execution_id: String,
    after: Option<u32>,
    on_event: &Channel<ExecutionEvent>,
    stopped: &mut oneshot::Receiver<()>,
) -> Result<(), AppError> {
    let mut follow = commands::run_follow(app, execution_id, after).await?;
    loop {
        let event = tokio::select! {
            event = follow.next() => event,
            _ = &mut *stopped => None,
        };
        let Some(event) = event else {
            return Ok(());
        };
        if let Err(err) = on_event.send(event) {
            tracing::debug!(%err, "run follow ended: the webview is gone");
            return Ok(());
        }
    }
}

/// Ends the follow writing to channel `channel`; false when none is going.
#[tauri::command]
#[specta::specta]
pub async fn run_follow_stop(
    follows: tauri::State<'_, Follows>,
    channel: u32,
) -> Result<bool, AppError> {
    // A follow that ended meanwhile has dropped its receiver: nothing to stop.
    Ok(follows
        .remove(channel)
        .is_some_and(|stop| stop.send(()).is_ok()))
}
