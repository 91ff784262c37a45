//! What callers send to start and steer runs, and what they get back.

use serde::{Deserialize, Serialize};

use super::events::{RunStatus, RunTrigger};
use crate::JsonValue;
use crate::flows::FlowGraph;

/// What to run: a graph, a saved flow's slug, or DSL text (one of them); a graph may also carry
/// the slug of the saved flow it is an edit of, so the run is filed under that flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunSource {
    /// An unsaved graph (the editor's current state).
    #[serde(default)]
    pub graph: Option<FlowGraph>,
    /// A saved flow (with `graph`: the flow the graph belongs to).
    #[serde(default, alias = "template")]
    pub slug: Option<String>,
    /// Flow DSL text.
    #[serde(default)]
    pub dsl: Option<String>,
}

/// Per-run choices; anything absent comes from the settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunOptions {
    /// The run's `{{input}}`.
    #[serde(default)]
    #[specta(type = Option<JsonValue>)]
    pub input: Option<serde_json::Value>,
    /// Override of the `confirm_destructive` setting for this run.
    #[serde(default)]
    pub confirm_destructive: Option<bool>,
    /// Override of the `max_parallel_nodes` setting for this run.
    #[serde(default)]
    pub max_parallel_nodes: Option<u32>,
    /// Workspace directory (default: `<data dir>/workspaces/<flow slug or id>`).
    #[serde(default)]
    pub workspace: Option<String>,
    /// Run autonomously: the flow's monitor applies its fixes without asking and re-runs the
    /// failed node, within the agentic budgets (`max_agentic_*` settings).
    #[serde(default)]
    pub autonomous: Option<bool>,
}

/// A run that was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunStarted {
    /// Its id: subscribe to its events, steer it, look it up in history.
    pub execution_id: String,
    /// The flow's name.
    pub flow_name: String,
}

/// A live run as run control sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    /// The run.
    pub execution_id: String,
    /// The flow's name.
    pub flow_name: String,
    /// The saved flow, if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_slug: Option<String>,
    /// Where it stands.
    pub status: RunStatus,
    /// What started it.
    pub trigger: RunTrigger,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// The destructive node waiting for approval, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting: Option<PendingConfirmation>,
    /// The failed node the monitor is deciding about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercepted: Option<String>,
}

/// A destructive node waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PendingConfirmation {
    /// The node.
    pub node_id: String,
    /// What it would do.
    pub action: String,
}

/// A run as the engine receives it (from `run_start`, re-runs and the scheduler).
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The graph to run.
    pub graph: FlowGraph,
    /// The saved flow it came from, if any.
    pub flow_slug: Option<String>,
    /// What started it.
    pub trigger: RunTrigger,
    /// Per-run choices.
    pub options: RunOptions,
    /// Outputs of nodes that already ran (re-run from a node): these nodes are not run again,
    /// their outputs feed templates, and their outgoing edges route as `pass`.
    pub seed_outputs: std::collections::HashMap<String, serde_json::Value>,
}

/// What a run began with, as the engine reports it to the history (before its `started` event).
#[derive(Debug, Clone)]
pub struct RunBegin {
    /// The run.
    pub execution_id: String,
    /// The graph as it runs.
    pub graph: FlowGraph,
    /// The saved flow, if any.
    pub flow_slug: Option<String>,
    /// What started it.
    pub trigger: RunTrigger,
    /// When (RFC 3339).
    pub started_at: String,
}
