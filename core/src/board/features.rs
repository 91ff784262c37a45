//! The agent board's features store: features with steps, priorities and dependencies,
//! plus a per-feature change log, kept in SQLite at `<data dir>/db/flow.sqlite`.
//!
//! The schema follows the original board's `flow-db` (tables `features` and `change_events`,
//! dependencies as a JSON id list, `PRAGMA user_version` migrations); times are RFC 3339.

mod store;
mod types;

pub use crate::db::{SCHEMA_VERSION, db_path};
pub use store::FeatureStore;
pub use types::{
    CreateFeatureInput, DependencyRef, Feature, FeatureChangeEvent, FeatureGraphNode, FeaturePatch,
    FeatureStats,
};
