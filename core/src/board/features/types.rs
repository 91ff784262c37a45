//! The features store's wire types (camelCase, as the original board's `/api/features`).

use serde::{Deserialize, Serialize};

/// One feature: a unit of work with steps, a priority and the features it depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Feature {
    /// Database id, assigned on creation.
    pub id: u32,
    /// Lower runs first.
    pub priority: i32,
    /// Free-form grouping.
    pub category: String,
    /// Short name.
    pub name: String,
    /// Longer description.
    pub description: String,
    /// Steps to verify the feature.
    pub steps: Vec<String>,
    /// Whether the feature passes.
    pub passes: bool,
    /// Whether an agent has claimed it.
    pub in_progress: bool,
    /// Ids of the features this one depends on.
    pub dependencies: Vec<u32>,
    /// Creation time (RFC 3339).
    pub created_at: Option<String>,
    /// Last change (RFC 3339).
    pub updated_at: Option<String>,
}

/// Counts over every feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FeatureStats {
    /// Number of features.
    pub total: u32,
    /// Features that pass.
    pub passing: u32,
    /// Features neither passing nor in progress (`total - passing - inProgress`).
    pub failing: u32,
    /// Features claimed by an agent.
    pub in_progress: u32,
    /// Features with at least one dependency that does not pass.
    pub blocked: u32,
}

/// One node of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FeatureGraphNode {
    /// Feature id.
    pub id: u32,
    /// Feature name.
    pub name: String,
    /// Feature category.
    pub category: String,
    /// Feature priority.
    pub priority: i32,
    /// Whether it passes.
    pub passes: bool,
    /// Whether it is claimed.
    pub in_progress: bool,
    /// Whether a dependency does not pass.
    pub blocked: bool,
    /// Ids it depends on.
    pub dependencies: Vec<u32>,
    /// Ids that depend on it.
    pub dependents: Vec<u32>,
}

/// A dependency in a create request: an existing feature's id (`5`), or the position of
/// another feature in the same bulk request (`{"index": 0}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(untagged)]
pub enum DependencyRef {
    /// An existing feature's id.
    Id(u32),
    /// A position in the same bulk request.
    Index {
        /// Zero-based position in the batch.
        index: u32,
    },
}

/// What a new feature is made of; everything but the name is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreateFeatureInput {
    /// Short name (required, not blank).
    pub name: String,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Priority; missing means after every existing feature (`MAX(priority) + 1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Grouping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Verification steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<String>>,
    /// Features this one depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<DependencyRef>>,
}

/// A partial change to a feature; missing fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeaturePatch {
    /// New name (not blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// New steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<String>>,
    /// New dependency ids (replacing the old list; cycles are refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<u32>>,
}

/// One entry of a feature's change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FeatureChangeEvent {
    /// Log entry id.
    pub id: u32,
    /// The feature it is about.
    pub feature_id: u32,
    /// What happened: `created`, `updated`, `claimed`, `passed`, `failed`, `skipped`,
    /// `dependency_added`, `dependency_removed`.
    pub event_type: String,
    /// The field that changed, if one did.
    pub field: Option<String>,
    /// Its old value (JSON text).
    pub old_value: Option<String>,
    /// Its new value (JSON text).
    pub new_value: Option<String>,
    /// The agent that made the change, when known.
    pub agent: Option<String>,
    /// Where the change came from (`flow`).
    pub source: String,
    /// When (RFC 3339).
    pub created_at: String,
}
