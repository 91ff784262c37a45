//! The engine of one app: registered adapters and the live runs, each with its own control.

use crate::AppError;

/// Starts and steers runs.
#[derive(Debug, Default)]
pub struct Engine {}

impl Engine {
    /// An engine with the built-in adapters registered.
    pub fn new() -> Result<Self, AppError> {
        Ok(Self {})
    }
}
