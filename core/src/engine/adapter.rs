//! The adapter contract: how the executor hands one node to the code that performs it.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use super::events::{ExecutionEventKind, LogStream};

/// One node, ready to run: its `{{…}}` templates already resolved.
#[derive(Debug, Clone)]
pub struct NodeInvocation {
    /// The node's id.
    pub node_id: String,
    /// The node's type (`action`, `utility`, …).
    pub node_type: String,
    /// `data.actionId` (empty when absent).
    pub action_id: String,
    /// The node's data after template resolution.
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Visit number (0 on the acyclic path).
    pub iteration: u32,
}

/// Where an adapter sends what it reports while it runs.
pub trait NodeReporter: Send + Sync {
    /// Emits an event about this node (a log line, a tool call, progress).
    fn emit(&self, kind: ExecutionEventKind);
}

/// What an adapter gets besides the node: the run's context.
#[derive(Clone)]
pub struct AdapterCtx {
    /// The run.
    pub execution_id: String,
    /// The flow workspace: default cwd for shell and cli, the jail root for fs.
    pub workspace_root: PathBuf,
    /// The data directory (for `logs/audit/`).
    pub data_dir: PathBuf,
    /// Cancelled when the run is cancelled: adapters stop and kill their children.
    pub cancel: CancellationToken,
    /// Sink for this node's events.
    pub reporter: Arc<dyn NodeReporter>,
    /// The app the run belongs to, for adapters that use its services (the `ai` node's model
    /// runtime); `None` where an adapter is driven on its own.
    pub app: Option<crate::app::WeakApp>,
}

impl AdapterCtx {
    /// Emits one `node_log` line for `node_id`.
    pub fn log(&self, node_id: &str, stream: LogStream, line: impl Into<String>) {
        self.reporter.emit(ExecutionEventKind::NodeLog {
            node_id: node_id.to_owned(),
            stream,
            line: line.into(),
        });
    }
}

impl std::fmt::Debug for AdapterCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterCtx")
            .field("execution_id", &self.execution_id)
            .field("workspace_root", &self.workspace_root)
            .finish_non_exhaustive()
    }
}

/// Why a node did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdapterError {
    /// No adapter of that name is registered.
    #[error("adapter '{0}' not found")]
    NotFound(String),
    /// The node's fields are wrong or forbidden (e.g. a path outside the workspace).
    #[error("{0}")]
    Rejected(String),
    /// It ran and failed; `output` keeps what it produced (e.g. stdout, stderr, exitCode).
    #[error("{reason}")]
    Failed {
        /// Why, in words.
        reason: String,
        /// What it produced before failing.
        output: Option<serde_json::Value>,
    },
    /// A person denied its destructive action.
    #[error("{0}")]
    Denied(String),
    /// It ran longer than its `timeoutMs` and was stopped.
    #[error("timed out after {0} ms")]
    TimedOut(u64),
    /// The run was cancelled while it ran.
    #[error("cancelled")]
    Cancelled,
}

/// Performs nodes of one adapter name (`shell`, `fs`, `cli`, `utility`, `mock`).
pub trait Adapter: Send + Sync {
    /// The name nodes select it by (`data.adapter`; `utility` for utility nodes).
    fn name(&self) -> &'static str;

    /// Runs one node; returns its output payload.
    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>>;
}
