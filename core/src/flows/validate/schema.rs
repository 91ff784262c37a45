//! Node types, catalog matching and per-field schema checks.

use super::ValidationIssue;
use super::matching::entry_for;
use crate::flows::graph::{FlowGraph, FlowNode, KNOWN_NODE_TYPES};
use crate::nodes::schema::{FieldError, validate_fields};
use crate::nodes::{CatalogEntry, builtin_entries};

/// `data` keys that usually identify a node, shown when nothing matches it.
const IDENTITY_HINT_KEYS: [&str; 5] = ["adapter", "actionId", "bin", "provider", "service"];

pub(super) fn check(graph: &FlowGraph, installed: &[CatalogEntry]) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    for node in &graph.nodes {
        if !KNOWN_NODE_TYPES.contains(&node.node_type.as_str()) {
            issues.push(
                ValidationIssue::error(
                    "unknown-node-type",
                    format!(
                        "Node `{}` has the unknown type `{}` (expected one of {})",
                        node.id,
                        node.node_type,
                        KNOWN_NODE_TYPES.join(", ")
                    ),
                )
                .node(&node.id),
            );
            continue;
        }
        let Some(entry) = entry_for(node, installed) else {
            issues
                .push(ValidationIssue::error("unsupported-node", unsupported(node)).node(&node.id));
            continue;
        };
        let mut errors = validate_fields(&entry.schema, &node.data);
        errors.extend(operation_errors(entry, node, &errors));
        for err in errors {
            issues.push(
                ValidationIssue::error(err.code, err.message)
                    .node(&node.id)
                    .field(&err.field),
            );
        }
    }
    issues
}

/// A service node's chosen operation checked against that operation's own `input` schema (the
/// entry's schema is the union of every operation's inputs, so it cannot say which are
/// required); fields the entry's schema already faulted are not reported twice.
fn operation_errors(
    entry: &CatalogEntry,
    node: &FlowNode,
    known: &[FieldError],
) -> Vec<FieldError> {
    let Ok(Some(integration)) = crate::services::check_entry(entry) else {
        return Vec::new();
    };
    let operation = match node.data.get("operation").and_then(|v| v.as_str()) {
        Some(id) => integration.operation(id),
        // One operation needs no choosing.
        None if integration.operations.len() == 1 => integration.operations.first(),
        None => None,
    };
    let Some(operation) = operation else {
        return Vec::new();
    };
    validate_fields(&operation.input, &node.data)
        .into_iter()
        .filter(|e| !known.iter().any(|k| k.field == e.field))
        .collect()
}

fn unsupported(node: &FlowNode) -> String {
    let identity: Vec<String> = IDENTITY_HINT_KEYS
        .iter()
        .filter_map(|k| node.data.get(*k).map(|v| format!("{k} {v}")))
        .collect();
    let what = if identity.is_empty() {
        format!("this {} node", node.node_type)
    } else {
        format!("this {} node ({})", node.node_type, identity.join(", "))
    };
    match entry_for(node, builtin_entries()) {
        Some(builtin) => format!(
            "No installed node supports {what}; install \"{}\" (`{}`) from the Node Hub",
            builtin.name, builtin.slug
        ),
        None => {
            format!("No installed node supports {what}; install a matching node from the Node Hub")
        }
    }
}
