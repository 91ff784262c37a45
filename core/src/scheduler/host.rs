//! What firing schedules needs from the core that holds them. The app implements it, so the
//! scheduler depends on the stores, the bus and the engine's request types, never on the app.

use std::future::Future;
use std::sync::Arc;

use super::store::ScheduleStore;
use crate::engine::{RunRequest, RunStarted};
use crate::flows::store::FlowStore;
use crate::settings::SettingsStore;
use crate::{AppError, EventBus};

/// The core a scheduler runs in: its stores, its bus and a way to start runs.
pub trait ScheduleHost: Clone + Send + Sync + 'static {
    /// A reference that does not keep the host open (the background loop holds one).
    type Weak: Send + Sync + 'static;

    /// A reference that does not keep the host open.
    fn downgrade(&self) -> Self::Weak;

    /// The host, while it is still open.
    fn upgrade(weak: &Self::Weak) -> Option<Self>;

    /// The schedules.
    fn schedules(&self) -> &ScheduleStore;

    /// The saved flows the schedules fire.
    fn flows(&self) -> &FlowStore;

    /// The settings (`scheduler_enabled`, `scheduler_poll_secs`).
    fn settings(&self) -> &SettingsStore;

    /// The event bus: `SchedulesChanged` goes out on it, runs' `done` events come in.
    fn bus(&self) -> &Arc<EventBus>;

    /// Validates and starts a run.
    fn start_run(
        &self,
        request: RunRequest,
    ) -> impl Future<Output = Result<RunStarted, AppError>> + Send;
}
