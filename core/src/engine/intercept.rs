//! Interception: a node failure no `fail` edge handles, in a run of a flow whose agentic node
//! monitors it, is offered to the monitor before the run counts it. The run holds new work
//! until the monitor answers: retry the node with fixed fields, let the failure stand, or stop.
//!
//! The engine knows only this seam; the agentic module implements [`Monitor`] (it asks the
//! model for a fix and a person, or the autonomous budget, for the decision).

use std::path::PathBuf;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

use super::events::RunStatus;

/// A run the monitor watches.
#[derive(Debug, Clone)]
pub struct MonitoredRun {
    /// The run.
    pub execution_id: String,
    /// The saved flow (fixes are saved to it as new revisions).
    pub flow_slug: String,
    /// The agentic node in monitor mode.
    pub monitor_node: String,
    /// Fixes are applied without asking, within the agentic budgets.
    pub autonomous: bool,
    /// When the run started (the wall-clock budget counts from here).
    pub started: Instant,
    /// The run's workspace (a fix is grounded in what is there).
    pub workspace: PathBuf,
}

/// What failed, as the monitor is told.
#[derive(Debug, Clone)]
pub struct UnhandledFailure {
    /// The failed node.
    pub node_id: String,
    /// Its fields as written (templates unresolved).
    pub data: Map<String, Value>,
    /// Why it failed.
    pub error: String,
    /// What it produced before failing (stdout, stderr, exit code, ...).
    pub output: Option<Value>,
    /// Its visit number.
    pub iteration: u32,
}

/// The monitor's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Run the node again with these fields (the fix, already saved to the flow).
    Retry {
        /// The node's new fields.
        data: Map<String, Value>,
    },
    /// Let the failure stand; the run goes on as it would have.
    Resume,
    /// Stop the run.
    Stop,
}

impl Verdict {
    /// The word events and records use.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Retry { .. } => "fixed",
            Self::Resume => "resumed",
            Self::Stop => "stopped",
        }
    }
}

/// Watches the runs of flows with a monitoring agentic node.
pub trait Monitor: Send + Sync {
    /// Decides what to do about a failure; the run waits for the answer.
    fn intercept(
        &self,
        run: &MonitoredRun,
        failure: UnhandledFailure,
    ) -> BoxFuture<'static, Verdict>;

    /// The run ended (after its `done` event).
    fn finished(&self, run: &MonitoredRun, status: RunStatus);
}
