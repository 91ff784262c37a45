//! Run history: runs, steps, events (logs included) and interceptions in SQLite, written while
//! runs go.

pub mod store;
pub mod types;

pub use store::{HistoryStore, RunBegin};
pub use types::{
    Interception, RunDetail, RunEventsPage, RunFilter, RunStep, RunSummary, StepStatus,
};
