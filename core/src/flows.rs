//! Flow documents: the graph model, the Flow DSL, saved flows with collections and revisions,
//! the Template Hub of starter flows, and pre-run validation.

pub mod destructive;
pub mod document;
pub mod dsl;
pub mod graph;
pub mod hub;
pub mod monitor;
pub mod store;
pub mod validate;

// Slugs live at the crate root (the node catalog and credentials use them too); this path stays.
pub use crate::slug;

pub use document::{
    Collection, CollectionDeleted, DiffLine, DiffOp, ExportedFlow, FlowDeleted, FlowDocument,
    FlowFileFormat, FlowListQuery, FlowSummary, RevisionDiff, RevisionInfo, SaveFlowInput,
};
pub use graph::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position, SubFlow};
pub use validate::{Severity, ValidationContext, ValidationIssue, ValidationReport};
