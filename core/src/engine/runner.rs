//! The engine of one app: registered adapters and the live runs, each with its own control.

use super::{RunRequest, RunStarted};
use crate::{App, AppError};

/// Starts and steers runs.
#[derive(Debug, Default)]
pub struct Engine {}

impl Engine {
    /// An engine with the built-in adapters registered.
    pub fn new() -> Result<Self, AppError> {
        Ok(Self {})
    }

    /// Validates and starts a run; its events go to the bus and the history as it goes.
    pub async fn start(&self, app: &App, request: RunRequest) -> Result<RunStarted, AppError> {
        let _ = (app, request);
        Err(AppError::Unavailable(
            "running flows is not available yet".to_owned(),
        ))
    }
}
