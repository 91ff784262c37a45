//! Ids, sub-flow membership, the agentic-node limit and empty flows.

use std::collections::{HashMap, HashSet};

use super::ValidationIssue;
use crate::flows::graph::FlowGraph;

/// Whether `id` is letters, digits, `-` and `_` only (and not empty).
pub(super) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) fn check(graph: &FlowGraph) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    if graph.nodes.is_empty() {
        issues.push(ValidationIssue::warning(
            "empty-flow",
            "This flow has no nodes yet; add one from the palette",
        ));
    }
    ids(graph, &mut issues);
    subflows(graph, &mut issues);
    agentic(graph, &mut issues);
    issues
}

fn ids(graph: &FlowGraph, issues: &mut Vec<ValidationIssue>) {
    let mut seen: HashSet<&str> = HashSet::new();
    let nodes = graph.nodes.iter().map(|n| (n.id.as_str(), "Node"));
    let groups = graph.subflows.iter().map(|s| (s.id.as_str(), "Sub-flow"));
    for (id, what) in nodes.chain(groups) {
        if !is_valid_id(id) {
            issues.push(
                ValidationIssue::error(
                    "invalid-id",
                    format!("{what} id `{id}` may only use letters, digits, - and _"),
                )
                .node(id),
            );
        }
        if !seen.insert(id) {
            issues.push(
                ValidationIssue::error(
                    "duplicate-id",
                    format!("The id `{id}` is used more than once; ids must be unique"),
                )
                .node(id),
            );
        }
    }
}

fn subflows(graph: &FlowGraph, issues: &mut Vec<ValidationIssue>) {
    let nodes: HashSet<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for sub in &graph.subflows {
        for member in &sub.node_ids {
            if !nodes.contains(member.as_str()) {
                issues.push(
                    ValidationIssue::error(
                        "subflow-member",
                        format!(
                            "Sub-flow `{}` lists `{member}`, which is not a node in this flow",
                            sub.id
                        ),
                    )
                    .node(&sub.id),
                );
                continue;
            }
            match owner.get(member.as_str()) {
                Some(first) if *first != sub.id => issues.push(
                    ValidationIssue::error(
                        "subflow-overlap",
                        format!(
                            "Node `{member}` is in both sub-flows `{first}` and `{}`; a node can \
                             belong to one sub-flow only",
                            sub.id
                        ),
                    )
                    .node(member),
                ),
                Some(_) => {}
                None => {
                    owner.insert(member, &sub.id);
                }
            }
        }
    }
}

/// More than one `agentic` node outside every sub-flow: the generator owns the main flow.
fn agentic(graph: &FlowGraph, issues: &mut Vec<ValidationIssue>) {
    let grouped: HashSet<&str> = graph
        .subflows
        .iter()
        .flat_map(|s| s.node_ids.iter().map(String::as_str))
        .collect();
    let mut main = graph
        .nodes
        .iter()
        .filter(|n| n.node_type == "agentic" && !grouped.contains(n.id.as_str()));
    let Some(first) = main.next() else {
        return;
    };
    for extra in main {
        issues.push(
            ValidationIssue::error(
                "multiple-agentic",
                format!(
                    "Only one agentic node may be in the main flow; `{}` is a second one \
                     (the first is `{}`)",
                    extra.id, first.id
                ),
            )
            .node(&extra.id),
        );
    }
}
