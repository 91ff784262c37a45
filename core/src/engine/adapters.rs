//! The built-in adapters, by name.

pub mod ai;
mod audit;
mod capture;
pub mod cli;
pub mod fs;
pub mod mock;
mod process;
pub mod service;
pub mod shell;
pub mod utility;

use std::sync::Arc;

use super::Adapter;

/// Every built-in adapter: `shell`, `fs`, `cli`, `utility`, `mock`, `ai`, `service`.
pub fn builtin() -> Vec<Arc<dyn Adapter>> {
    vec![
        Arc::new(shell::ShellAdapter),
        Arc::new(fs::FsAdapter),
        Arc::new(cli::CliAdapter),
        Arc::new(utility::UtilityAdapter),
        Arc::new(mock::MockAdapter),
        Arc::new(ai::AiAdapter),
        Arc::new(service::ServiceAdapter),
    ]
}
