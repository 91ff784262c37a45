//! Run history: runs, steps, events (logs included) and interceptions in SQLite, written while
//! runs go.

pub mod follow;
pub mod queries;
pub(crate) mod rerun;
pub mod store;
pub mod types;
mod writer;

pub use crate::engine::RunBegin;
pub use follow::{FOLLOW_PAGE, RunFollow};
pub use rerun::rerun_seeds;
pub use store::HistoryStore;
pub use types::{
    Interception, RunDetail, RunEventsPage, RunFilter, RunStep, RunSummary, StepStatus,
};
