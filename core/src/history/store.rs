//! The run history store in `db/flow.sqlite`.

use std::path::Path;

use crate::AppError;

/// Runs, steps, events and interceptions.
#[derive(Debug)]
pub struct HistoryStore {}

impl HistoryStore {
    /// Opens the history tables (marking runs cut off by a crash as interrupted).
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let _ = data_dir;
        Ok(Self {})
    }
}
