//! Run control: one per live run, registered under its execution id, so several runs can be
//! paused, resumed, cancelled and approved independently. Changes take effect at node boundaries:
//! the executor re-checks the control before every dispatch.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Notify, oneshot};
use tokio_util::sync::CancellationToken;

use super::events::{ExecutionEventKind, RunStatus, RunTrigger};
use super::reporter::RunReporter;
use super::request::{PendingConfirmation, RunState};
use crate::AppError;

#[derive(Default)]
struct Inner {
    paused: bool,
    cancelled: bool,
    ended: Option<RunStatus>,
    awaiting: Option<(PendingConfirmation, oneshot::Sender<bool>)>,
    intercepted: Option<String>,
}

/// The steering wheel of one run.
pub struct RunControl {
    execution_id: String,
    flow_name: String,
    flow_slug: Option<String>,
    trigger: RunTrigger,
    started_at: String,
    inner: Mutex<Inner>,
    /// Wakes the executor after any change (a stored permit means no change is ever missed).
    changed: Notify,
    cancel: CancellationToken,
    reporter: Arc<RunReporter>,
}

impl RunControl {
    /// A control for a run that is about to start.
    pub(crate) fn new(
        execution_id: String,
        flow_name: String,
        flow_slug: Option<String>,
        trigger: RunTrigger,
        started_at: String,
        reporter: Arc<RunReporter>,
    ) -> Self {
        Self {
            execution_id,
            flow_name,
            flow_slug,
            trigger,
            started_at,
            inner: Mutex::new(Inner::default()),
            changed: Notify::new(),
            cancel: CancellationToken::new(),
            reporter,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every mutation is a single field store: a poisoned lock holds consistent data.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn state_of(&self, inner: &Inner) -> RunState {
        let status = match (inner.ended, &inner.awaiting, &inner.intercepted) {
            (Some(status), _, _) => status,
            (None, Some(_), _) => RunStatus::AwaitingConfirmation,
            (None, None, Some(_)) => RunStatus::Intercepted,
            (None, None, None) if inner.paused => RunStatus::Paused,
            (None, None, None) => RunStatus::Running,
        };
        RunState {
            execution_id: self.execution_id.clone(),
            flow_name: self.flow_name.clone(),
            flow_slug: self.flow_slug.clone(),
            status,
            trigger: self.trigger,
            started_at: self.started_at.clone(),
            awaiting: inner.awaiting.as_ref().map(|(p, _)| p.clone()),
            intercepted: inner.intercepted.clone(),
        }
    }

    fn live(&self, inner: &Inner) -> Result<(), AppError> {
        match inner.ended {
            Some(status) => Err(AppError::NotFound(format!(
                "run {} has ended ({status:?})",
                self.execution_id
            ))),
            None if inner.cancelled => Err(AppError::Conflict(format!(
                "run {} is being cancelled",
                self.execution_id
            ))),
            None => Ok(()),
        }
    }

    /// Where the run stands now.
    pub fn state(&self) -> RunState {
        self.state_of(&self.lock())
    }

    /// The token adapters watch; cancelled with the run.
    pub(crate) fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Holds new dispatches; the nodes already running finish.
    pub fn pause(&self) -> Result<RunState, AppError> {
        let mut inner = self.lock();
        self.live(&inner)?;
        if inner.paused {
            return Err(AppError::Conflict(format!(
                "run {} is already paused",
                self.execution_id
            )));
        }
        inner.paused = true;
        // Emitted under the lock so it always precedes the run's `done`.
        self.reporter.send(ExecutionEventKind::Paused {});
        self.changed.notify_one();
        Ok(self.state_of(&inner))
    }

    /// Lets a paused run dispatch again.
    pub fn resume(&self) -> Result<RunState, AppError> {
        let mut inner = self.lock();
        self.live(&inner)?;
        if !inner.paused {
            return Err(AppError::Conflict(format!(
                "run {} is not paused",
                self.execution_id
            )));
        }
        inner.paused = false;
        self.reporter.send(ExecutionEventKind::Resumed {});
        self.changed.notify_one();
        Ok(self.state_of(&inner))
    }

    /// Stops dispatching and cancels the running nodes; the run ends `cancelled`.
    pub fn cancel(&self) -> Result<RunState, AppError> {
        let mut inner = self.lock();
        self.live(&inner)?;
        inner.cancelled = true;
        // Dropping the sender wakes a pending confirmation wait.
        inner.awaiting = None;
        self.cancel.cancel();
        self.changed.notify_one();
        Ok(self.state_of(&inner))
    }

    /// Approves or denies the node the run waits on.
    pub fn confirm(&self, node_id: &str, approve: bool) -> Result<RunState, AppError> {
        let mut inner = self.lock();
        self.live(&inner)?;
        match inner.awaiting.take() {
            Some((pending, tx)) if pending.node_id == node_id => {
                // The executor emits `confirmation_resolved` when it reads the answer; a closed
                // receiver means the run is ending anyway.
                if tx.send(approve).is_err() {
                    tracing::debug!(node_id, "confirmation arrived as the run ended");
                }
                self.changed.notify_one();
                Ok(self.state_of(&inner))
            }
            Some(other) => {
                let waiting = other.0.node_id.clone();
                inner.awaiting = Some(other);
                Err(AppError::Conflict(format!(
                    "run {} waits for node {waiting}, not {node_id}",
                    self.execution_id
                )))
            }
            None => Err(AppError::Conflict(format!(
                "run {} is not waiting for a confirmation",
                self.execution_id
            ))),
        }
    }

    /// Whether new work is held.
    pub(crate) fn is_paused(&self) -> bool {
        self.lock().paused
    }

    /// Whether the run was cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Registers a pending confirmation; the receiver yields the answer.
    pub(crate) fn await_confirmation(
        &self,
        pending: PendingConfirmation,
    ) -> oneshot::Receiver<bool> {
        let (tx, rx) = oneshot::channel();
        self.lock().awaiting = Some((pending, tx));
        rx
    }

    /// Marks the node the monitor is deciding about (`None` once it decided).
    pub(crate) fn set_intercepted(&self, node_id: Option<String>) {
        self.lock().intercepted = node_id;
    }

    /// Resolves when something changed.
    pub(crate) async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Marks the run ended; later commands get NotFound. Runs `before_done` (emitting `done`)
    /// under the lock so no `paused`/`resumed` can follow it.
    pub(crate) fn end(&self, status: RunStatus, before_done: impl FnOnce()) {
        let mut inner = self.lock();
        inner.ended = Some(status);
        inner.awaiting = None;
        inner.intercepted = None;
        before_done();
    }
}

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("execution_id", &self.execution_id)
            .finish_non_exhaustive()
    }
}
