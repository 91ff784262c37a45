//! Schedules of saved flows: cadences in IANA timezones, end conditions, catch-up, and the
//! background loop that starts scheduled runs.

pub mod host;
pub mod next_fire;
pub mod runner;
pub mod store;
pub mod types;

pub use host::ScheduleHost;
pub use next_fire::{Plan, preview};
pub use runner::{Clock, Fired, ManualClock, SchedulerHandle, SystemClock, spawn, tick};
pub use store::ScheduleStore;
pub use types::{Cadence, CatchUp, Schedule, ScheduleDeleted, ScheduleSpec};
