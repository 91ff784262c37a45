//! The agent board benchmark (`cargo run --release -p flow-bench --bin board`): the real
//! `flow-server` on a generated Claude Code tree, against a bare axum route serving the same
//! bytes, under request load, thousands of event-stream clients, a cold start and appends.

pub mod bare;
pub mod http;
pub mod load;
pub mod process;
pub mod report;
pub mod sse;
pub mod tree;
pub mod websocket;

use std::time::Duration;

/// Why a benchmark step could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A file, socket or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP exchange failed or answered unexpectedly.
    #[error("HTTP: {0}")]
    Http(String),
    /// The setup is not what the benchmark needs (a missing binary, a server that did not start).
    #[error("{0}")]
    Setup(String),
}

/// Wraps an I/O error with what was being done.
pub fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let context = context.into();
    move |source| BenchError::Io { context, source }
}

/// Milliseconds with two decimals, the unit of every latency in the report.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
