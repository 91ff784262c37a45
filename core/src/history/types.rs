//! The wire shapes of run history.

use serde::{Deserialize, Serialize};

use crate::JsonValue;
use crate::engine::{ExecutionEvent, RunStatus, RunTrigger};
use crate::flows::FlowGraph;

/// One run in the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// The run.
    pub execution_id: String,
    /// The flow's name.
    pub flow_name: String,
    /// The saved flow, if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_slug: Option<String>,
    /// Where it stands (live runs too).
    pub status: RunStatus,
    /// What started it.
    pub trigger: RunTrigger,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// How long it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Nodes that succeeded.
    pub succeeded: u32,
    /// Nodes that failed.
    pub failed: u32,
    /// Nodes that were skipped.
    pub skipped: u32,
    /// The first unhandled failure, if the run failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Filters for the history list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunFilter {
    /// Only runs of this saved flow.
    #[serde(default)]
    pub flow: Option<String>,
    /// Only runs in this state.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// Only runs started this way.
    #[serde(default)]
    pub trigger: Option<RunTrigger>,
    /// Case-insensitive text in the flow name, an error, or a log line.
    #[serde(default)]
    pub search: Option<String>,
    /// At most this many (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only runs that started before this time (RFC 3339): the next page.
    #[serde(default)]
    pub before: Option<String>,
}

/// How one node visit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunStep {
    /// The node.
    pub node_id: String,
    /// Visit number.
    pub iteration: u32,
    /// `running`, `succeeded`, `failed` or `skipped`.
    pub status: StepStatus,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// How long it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Its output (success) or what it produced before failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<JsonValue>)]
    pub output: Option<serde_json::Value>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many log lines it printed.
    pub log_lines: u32,
}

/// A step's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Dispatched, not finished.
    Running,
    /// Finished well.
    Succeeded,
    /// Finished badly.
    Failed,
    /// Not run.
    Skipped,
}

/// A destructive-action prompt and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Interception {
    /// The node.
    pub node_id: String,
    /// What it would have done.
    pub action: String,
    /// When the run paused for it.
    pub requested_at: String,
    /// When a person answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// The answer (absent while waiting, or when the run ended first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<bool>,
}

/// One run with its graph, steps and interceptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    /// The summary.
    pub run: RunSummary,
    /// The graph as it ran.
    pub graph: FlowGraph,
    /// Every node visit, in start order (skips included).
    pub steps: Vec<RunStep>,
    /// Destructive-action prompts.
    pub interceptions: Vec<Interception>,
}

/// A page of a run's recorded events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunEventsPage {
    /// Events in `seq` order.
    pub events: Vec<ExecutionEvent>,
    /// Pass as `afterSeq` for the next page; absent when there is nothing more yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after_seq: Option<u32>,
    /// The run has ended and every event was returned.
    pub complete: bool,
}
