//! The engine: runs flows node by node through adapters, reports every step as execution
//! events, and lets people pause, resume, cancel and approve.
//!
//! Semantics the executor settles where the reference is silent:
//! - Readiness: a node is ready when every forward predecessor is terminal; it runs when at
//!   least one incoming edge was taken (pass on success, fail on failure, always either way, and
//!   its `when` condition holds) or it has no incoming edges; otherwise it is skipped with a
//!   reason, and skips propagate.
//! - An unhandled failure (a failed node with no outgoing `fail` edge) makes the run `failed`;
//!   the rest of the graph still runs or skips as routing dictates.
//! - A `when` condition that cannot be evaluated (unparsable, unresolved template, non-numeric
//!   comparison) turns its source's success into a failure, so its `fail` edges route.
//! - `agentic` nodes in monitor mode are left out, their predecessors bridged to their successors
//!   ([`crate::flows::monitor`]); one still in generator mode fails: it generates before it runs.
//! - `service` nodes run on the `service` adapter, which owns their `timeoutMs` (per attempt)
//!   and `retries` (429/5xx/connection errors only); the generic ones do not apply to them.
//! - `set-variable` returns `{key, value}`; the executor stores it in the run memory.
//! - `merge` receives its predecessors' outputs in `data["$inputs"]` (keyed by node id).
//! - Loops: a taken back-edge re-runs its loop body (the cycle's nodes reachable from its head)
//!   once nothing in the body is running; a body node that already ran `maxIterations` times
//!   stops it with `iteration_capped`. Edges leaving a loop or a sub-flow resolve only once the
//!   unit has finished, with each source's last outcome.
//! - Per-node `timeoutMs`, `retries`, `retryDelayMs` apply to every other adapter; retries do not
//!   emit extra `node_started` events, and `duration_ms` covers all attempts.
//! - The destructive gate holds new dispatches while a node waits for approval; nodes already
//!   running go on.

pub mod adapter;
pub mod adapters;
pub mod control;
pub mod events;
pub(crate) mod executor;
pub mod gate;
pub mod intercept;
pub(crate) mod plan;
pub mod reporter;
pub mod request;
pub mod runner;
pub mod template;

pub use adapter::{Adapter, AdapterCtx, AdapterError, NodeInvocation, NodeReporter};
pub use control::RunControl;
pub use events::{ExecutionEvent, ExecutionEventKind, LogStream, RunStatus, RunTrigger};
pub use executor::MERGE_INPUTS_KEY;
pub use gate::destructive_reason;
pub use intercept::{Monitor, MonitoredRun, UnhandledFailure, Verdict};
pub use request::{
    PendingConfirmation, RunBegin, RunOptions, RunRequest, RunSource, RunStarted, RunState,
};
pub use runner::{Engine, start_run, validation_context};
