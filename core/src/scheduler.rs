//! Schedules of saved flows: cadences in IANA timezones, end conditions, catch-up, and the
//! background loop that starts scheduled runs.

pub mod store;
pub mod types;

pub use store::ScheduleStore;
pub use types::{Cadence, CatchUp, Schedule, ScheduleDeleted, ScheduleSpec};
