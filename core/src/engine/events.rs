//! The execution vocabulary: what a run reports, node by node, as it happens.
//!
//! Flow Studio's wire format: a `kind` tag and snake_case fields, every event carrying its run's
//! `execution_id`, the time `at` (RFC 3339) and the run-local sequence number `seq`.

use serde::{Deserialize, Serialize};

use crate::JsonValue;

/// One event of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ExecutionEvent {
    /// The run it belongs to.
    pub execution_id: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// Position in the run's own stream, from 0; replays and reconnects resume after it.
    pub seq: u32,
    /// What happened.
    #[serde(flatten)]
    pub kind: ExecutionEventKind,
}

/// What happened in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExecutionEventKind {
    /// The run began.
    Started {
        /// The flow's name.
        flow_name: String,
        /// The saved flow's slug, when it runs one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flow_slug: Option<String>,
        /// What started it.
        trigger: RunTrigger,
    },
    /// A node was dispatched to its adapter.
    NodeStarted {
        /// The node.
        node_id: String,
        /// 0 on the acyclic path; counts re-entries of a bounded loop.
        iteration: u32,
    },
    /// A node finished successfully.
    NodeSucceeded {
        /// The node.
        node_id: String,
        /// Its output (later nodes read it as `{{nodeId.field}}`).
        #[specta(type = JsonValue)]
        output: serde_json::Value,
        /// Visit number.
        iteration: u32,
        /// Wall time of the node, retries included.
        duration_ms: f64,
    },
    /// A node failed (after its retries).
    NodeFailed {
        /// The node.
        node_id: String,
        /// Why, in words.
        error: String,
        /// What it produced before failing (e.g. `{stdout, stderr, exitCode}`), if anything.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[specta(type = Option<JsonValue>)]
        output: Option<serde_json::Value>,
        /// Visit number.
        iteration: u32,
        /// Wall time of the node, retries included.
        duration_ms: f64,
    },
    /// A node did not run.
    NodeSkipped {
        /// The node.
        node_id: String,
        /// Why (e.g. "no taken edge reaches it: build passed, this is on build's fail path").
        reason: String,
        /// Visit number.
        iteration: u32,
    },
    /// One line a node printed (stdout/stderr), or a utility `log` line.
    NodeLog {
        /// The node.
        node_id: String,
        /// Which stream.
        stream: LogStream,
        /// The line, without its newline.
        line: String,
    },
    /// A node is about to call a tool (e.g. the shell command it runs), before it runs.
    ToolCall {
        /// The node.
        node_id: String,
        /// `<adapter>__<action>`, e.g. `shell__run-command`.
        name: String,
        /// What it will do, e.g. the command line.
        summary: String,
    },
    /// A node failed with no `fail` edge and the flow's monitor took it up: the run holds new
    /// work until it decides (see the `agentic` events of the same run).
    Intercepted {
        /// The failed node.
        node_id: String,
        /// Why it failed.
        error: String,
    },
    /// The monitor decided about an intercepted failure.
    InterceptionResolved {
        /// The node.
        node_id: String,
        /// `fixed` (the node runs again with the fix), `resumed` (the failure stands) or
        /// `stopped` (the run is cancelled).
        verdict: String,
    },
    /// A tool an `ai` node's model called has finished (or was refused); follows its
    /// `tool_call`.
    ToolResult {
        /// The node.
        node_id: String,
        /// The tool, as its `tool_call` named it (e.g. `ai__read_file`).
        name: String,
        /// Whether it ran and succeeded (false when refused or failed).
        ok: bool,
        /// What came of it in one line, e.g. `12 entries` or `refused: …`.
        summary: String,
    },
    /// Progress of a node's long transfer (the `download` utility).
    NodeProgress {
        /// The node.
        node_id: String,
        /// Bytes done.
        bytes: f64,
        /// Total bytes, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
    /// Text an `ai` node's model generated (one or more tokens, whole characters).
    NodeToken {
        /// The node.
        node_id: String,
        /// The new text.
        delta: String,
    },
    /// A loop reached its node's `maxIterations`; the back-edge is not taken again.
    IterationCapped {
        /// The node whose visits hit the cap.
        node_id: String,
        /// How many visits it had.
        visits: u32,
    },
    /// The run holds new work until resumed.
    Paused {},
    /// The run goes on.
    Resumed {},
    /// The run waits for a person to approve a destructive node.
    AwaitingConfirmation {
        /// The node.
        node_id: String,
        /// What it would do, e.g. "rm -rf build/ (deletes files)".
        action: String,
    },
    /// A person approved or denied a destructive node.
    ConfirmationResolved {
        /// The node.
        node_id: String,
        /// Approved (runs) or denied (fails).
        approved: bool,
    },
    /// The run ended.
    Done {
        /// `succeeded`, `failed` or `cancelled`.
        status: RunStatus,
    },
}

impl ExecutionEventKind {
    /// The node an event is about, if any.
    pub fn node_id(&self) -> Option<&str> {
        match self {
            Self::NodeStarted { node_id, .. }
            | Self::NodeSucceeded { node_id, .. }
            | Self::NodeFailed { node_id, .. }
            | Self::NodeSkipped { node_id, .. }
            | Self::NodeLog { node_id, .. }
            | Self::ToolCall { node_id, .. }
            | Self::ToolResult { node_id, .. }
            | Self::NodeProgress { node_id, .. }
            | Self::NodeToken { node_id, .. }
            | Self::IterationCapped { node_id, .. }
            | Self::AwaitingConfirmation { node_id, .. }
            | Self::ConfirmationResolved { node_id, .. }
            | Self::Intercepted { node_id, .. }
            | Self::InterceptionResolved { node_id, .. } => Some(node_id),
            Self::Started { .. } | Self::Paused {} | Self::Resumed {} | Self::Done { .. } => None,
        }
    }
}

/// Which output stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    /// Standard output (and utility `log` lines).
    Stdout,
    /// Standard error.
    Stderr,
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    /// Someone pressed Run.
    Manual,
    /// The scheduler.
    Scheduled,
    /// `POST /api/run` or another API client.
    Api,
    /// A re-run of an earlier run.
    Rerun,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Dispatching nodes.
    Running,
    /// Holding new work.
    Paused,
    /// Waiting for a person to approve a destructive node.
    AwaitingConfirmation,
    /// A node failed unhandled and the flow's monitor is deciding (planning a fix, or waiting
    /// for a person to accept it, resume without it, or stop).
    Intercepted,
    /// Every failure was handled (or none happened).
    Succeeded,
    /// A node failed with no `fail` edge to handle it.
    Failed,
    /// Stopped by a person.
    Cancelled,
    /// The process ended while the run was going (seen after a restart).
    Interrupted,
}

impl RunStatus {
    /// Whether the run has ended.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Cancelled | Self::Interrupted
        )
    }
}
