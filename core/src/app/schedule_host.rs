//! The app as the scheduler's host (see [`ScheduleHost`]).

use std::future::Future;
use std::sync::Arc;

use super::{App, WeakApp};
use crate::engine::{RunRequest, RunStarted};
use crate::flows::store::FlowStore;
use crate::scheduler::{ScheduleHost, ScheduleStore};
use crate::settings::SettingsStore;
use crate::{AppError, EventBus};

impl ScheduleHost for App {
    type Weak = WeakApp;

    fn downgrade(&self) -> WeakApp {
        App::downgrade(self)
    }

    fn upgrade(weak: &WeakApp) -> Option<Self> {
        weak.upgrade()
    }

    fn schedules(&self) -> &ScheduleStore {
        App::schedules(self)
    }

    fn flows(&self) -> &FlowStore {
        App::flows(self)
    }

    fn settings(&self) -> &SettingsStore {
        App::settings(self)
    }

    fn bus(&self) -> &Arc<EventBus> {
        App::bus(self)
    }

    fn start_run(
        &self,
        request: RunRequest,
    ) -> impl Future<Output = Result<RunStarted, AppError>> + Send {
        self.engine().start(self, request)
    }
}
