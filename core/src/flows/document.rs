//! The wire shapes of saved flows: summaries, documents with their revision, collections,
//! revision history and import/export.

use serde::{Deserialize, Serialize};

use super::graph::FlowGraph;

/// The system collection every flow without a membership row belongs to.
pub const DEFAULT_COLLECTION_SLUG: &str = "default";
/// Display name of the system collection.
pub const DEFAULT_COLLECTION_NAME: &str = "Default";
/// How many revisions of each flow are kept.
pub const KEPT_REVISIONS: u32 = 20;

/// One saved flow as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowSummary {
    /// File name stem under `templates/`; the flow's stable identity.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Version text.
    pub version: String,
    /// Description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Slug of the collection it belongs to.
    pub collection: String,
    /// Current revision (1 for a first save).
    pub revision: u32,
    /// When the current revision was saved (RFC 3339).
    pub updated_at: String,
    /// Number of nodes.
    pub node_count: u32,
    /// Number of edges.
    pub edge_count: u32,
}

/// A saved flow: the graph plus where and at which revision it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowDocument {
    /// File name stem under `templates/`.
    pub slug: String,
    /// Current revision; pass it back as `baseRevision` when saving.
    pub revision: u32,
    /// When the current revision was saved (RFC 3339).
    pub updated_at: String,
    /// Slug of the collection it belongs to.
    pub collection: String,
    /// The flow itself.
    pub graph: FlowGraph,
}

/// What `flow_save` stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveFlowInput {
    /// The flow to update; absent creates a new flow (slug from the name, made unique).
    #[serde(default)]
    pub slug: Option<String>,
    /// The revision the caller edited; required to update, and must still be current.
    #[serde(default)]
    pub base_revision: Option<u32>,
    /// The collection for a new flow (default: the system Default collection).
    #[serde(default)]
    pub collection: Option<String>,
    /// The graph to store.
    pub graph: FlowGraph,
}

/// Filters for `flows_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlowListQuery {
    /// Only flows in this collection.
    #[serde(default)]
    pub collection: Option<String>,
    /// Case-insensitive match on name, slug and description.
    #[serde(default)]
    pub search: Option<String>,
}

/// Result of deleting a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowDeleted {
    /// The deleted flow.
    pub slug: String,
}

/// A collection of flows (metadata only: files stay flat under `templates/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// Identity.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The Default collection: cannot be renamed or deleted.
    pub is_system: bool,
    /// How many flows it holds.
    pub flow_count: u32,
}

/// Result of deleting a collection: its flows moved to Default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CollectionDeleted {
    /// The deleted collection.
    pub slug: String,
    /// How many flows went back to Default.
    pub moved_flows: u32,
}

/// One kept revision of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RevisionInfo {
    /// Revision number.
    pub revision: u32,
    /// When it was saved (RFC 3339).
    pub saved_at: String,
    /// The flow's name at that revision.
    pub name: String,
    /// Number of nodes at that revision.
    pub node_count: u32,
    /// Number of edges at that revision.
    pub edge_count: u32,
}

/// A line-level diff between two revisions' DSL text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RevisionDiff {
    /// The older side.
    pub from: u32,
    /// The newer side.
    pub to: u32,
    /// DSL of `from`.
    pub from_dsl: String,
    /// DSL of `to`.
    pub to_dsl: String,
    /// The diff, line by line.
    pub lines: Vec<DiffLine>,
}

/// One line of a [`RevisionDiff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    /// Unchanged, added or removed.
    pub op: DiffOp,
    /// The line's text, without its newline.
    pub text: String,
}

/// What happened to a diff line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    /// In both.
    Equal,
    /// Only in the newer revision.
    Insert,
    /// Only in the older revision.
    Delete,
}

/// File formats for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum FlowFileFormat {
    /// `.flow`: DSL text.
    Dsl,
    /// `.flow.json`: the canonical JSON graph.
    Json,
}

/// An exported flow, ready to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFlow {
    /// Suggested file name (`<slug>.flow` or `<slug>.flow.json`).
    pub file_name: String,
    /// MIME type for the download.
    pub mime_type: String,
    /// The file's text.
    pub content: String,
}
