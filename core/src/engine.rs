//! The engine: runs flows node by node through adapters, reports every step as execution
//! events, and lets people pause, resume, cancel and approve.

pub mod adapter;
pub mod adapters;
pub mod events;
pub mod request;
pub mod runner;

pub use adapter::{Adapter, AdapterCtx, AdapterError, NodeInvocation, NodeReporter};
pub use events::{ExecutionEvent, ExecutionEventKind, LogStream, RunStatus, RunTrigger};
pub use request::{PendingConfirmation, RunOptions, RunRequest, RunSource, RunStarted, RunState};
pub use runner::Engine;
