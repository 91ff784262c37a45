//! Pre-run validation of a flow against the installed node catalog.
//!
//! Each check lives in its own submodule and returns plain issues; [`validate`] orders them
//! errors first, then in document order (the graph's nodes, then edges, then sub-flows).

mod advisories;
mod cycles;
pub mod egress;
pub(crate) mod matching;
mod references;
mod schema;
mod structure;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::graph::FlowGraph;
use crate::credentials::Connection;
use crate::nodes::CatalogEntry;
use crate::settings::Settings;

/// What validation knows about the instance beyond the catalog: the egress switches and the
/// saved connections. Plain data, so the validator stays pure; commands and the engine build
/// it from the app (`crate::engine::validation_context`). The default has every egress switch
/// off and no connections.
#[derive(Debug, Clone, Default)]
pub struct ValidationContext {
    /// The settings (`allow_services`, `allow_cloud_ai`, `providers_enabled`).
    pub settings: Settings,
    /// The saved connections (metadata only).
    pub connections: Vec<Connection>,
}

/// Everything wrong (errors) or doubtful (warnings) about a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// No errors (warnings allowed): the flow may run.
    pub ok: bool,
    /// Every finding, errors first, then in document order.
    pub issues: Vec<ValidationIssue>,
}

/// One finding of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ValidationIssue {
    /// Errors block a run; warnings do not.
    pub severity: Severity,
    /// Stable machine code, e.g. `required`, `dangling-edge`, `unbounded-cycle`.
    pub code: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
    /// The node it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The `data` field it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Index into `edges` of the edge it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_index: Option<u32>,
}

/// How bad a [`ValidationIssue`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks a run.
    Error,
    /// Worth a look; does not block.
    Warning,
}

impl ValidationIssue {
    /// An error with this code and message.
    fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning with this code and message.
    fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code: code.to_owned(),
            message: message.into(),
            node_id: None,
            field: None,
            edge_index: None,
        }
    }

    fn node(mut self, id: &str) -> Self {
        self.node_id = Some(id.to_owned());
        self
    }

    fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    fn edge(mut self, index: usize) -> Self {
        self.edge_index = Some(u32::try_from(index).unwrap_or(u32::MAX));
        self
    }
}

/// Checks `graph` against the `installed` catalog entries, the egress switches and the saved
/// connections in `ctx`.
pub fn validate(
    graph: &FlowGraph,
    installed: &[CatalogEntry],
    ctx: &ValidationContext,
) -> ValidationReport {
    let mut issues = Vec::new();
    issues.extend(structure::check(graph));
    issues.extend(schema::check(graph, installed));
    issues.extend(egress::check(graph, ctx));
    issues.extend(cycles::check(graph));
    issues.extend(references::check(graph));
    issues.extend(advisories::check(graph));
    // Stable sort: within one place in the document, checks keep the order they ran in.
    issues.sort_by_key(|issue| (issue.severity, document_position(graph, issue)));
    ValidationReport {
        ok: issues.iter().all(|i| i.severity != Severity::Error),
        issues,
    }
}

/// Where an issue sits in the document: flow-wide, then nodes, edges, sub-flows.
fn document_position(graph: &FlowGraph, issue: &ValidationIssue) -> (u8, usize) {
    if let Some(edge) = issue.edge_index {
        return (2, edge as usize);
    }
    if let Some(id) = &issue.node_id {
        if let Some(i) = graph.nodes.iter().position(|n| &n.id == id) {
            return (1, i);
        }
        if let Some(i) = graph.subflows.iter().position(|s| &s.id == id) {
            return (3, i);
        }
        return (4, 0);
    }
    (0, 0)
}
