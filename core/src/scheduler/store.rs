//! Schedules in `db/flow.sqlite` (`flow_schedules`).

use std::path::Path;

use crate::AppError;

/// Saved flows' schedules.
#[derive(Debug)]
pub struct ScheduleStore {}

impl ScheduleStore {
    /// Opens the schedules table.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let _ = data_dir;
        Ok(Self {})
    }
}
