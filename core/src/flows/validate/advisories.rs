//! Advisory warnings: commands that look destructive and paths that leave the working directory.

use serde_json::Value;

use super::ValidationIssue;
use crate::flows::destructive::destructive_match;
use crate::flows::graph::{FlowGraph, FlowNode};
use crate::nodes::schema::is_templated;

pub(super) fn check(graph: &FlowGraph) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    for node in graph.nodes.iter().filter(|n| n.node_type == "action") {
        destructive(node, &mut issues);
        paths(node, &mut issues);
    }
    issues
}

fn destructive(node: &FlowNode, issues: &mut Vec<ValidationIssue>) {
    let Some(found) = destructive_match(&node.node_type, &node.data) else {
        return;
    };
    let message = if found.field == "path" {
        "This node deletes a file; check its path before running".to_owned()
    } else {
        format!(
            "This command looks destructive ({}); check it before running",
            found.label
        )
    };
    issues.push(
        ValidationIssue::warning("destructive", message)
            .node(&node.id)
            .field(found.field),
    );
}

fn paths(node: &FlowNode, issues: &mut Vec<ValidationIssue>) {
    let cwd = node.data.get("cwd").and_then(Value::as_str);
    if let Some(cwd) = cwd.filter(|c| !is_templated(c))
        && has_parent_component(cwd)
    {
        issues.push(
            ValidationIssue::warning(
                "path-escape",
                format!("Working directory `{cwd}` uses `..` to leave the flow's directory"),
            )
            .node(&node.id)
            .field("cwd"),
        );
    }
    if node.data.get("adapter").and_then(Value::as_str) != Some("fs") {
        return;
    }
    let Some(path) = node.data.get("path").and_then(Value::as_str) else {
        return;
    };
    if path.is_empty() || is_templated(path) {
        return;
    }
    let message = if has_parent_component(path) {
        format!("Path `{path}` uses `..` to leave the working directory")
    } else if is_absolute(path) && !cwd.is_some_and(|c| is_absolute(c) && is_under(path, c)) {
        format!("Path `{path}` is absolute and outside the working directory")
    } else {
        return;
    };
    issues.push(
        ValidationIssue::warning("path-escape", message)
            .node(&node.id)
            .field("path"),
    );
}

fn has_parent_component(path: &str) -> bool {
    path.split(['/', '\\']).any(|part| part == "..")
}

/// Unix, UNC, drive-letter and home-relative paths all point outside a relative root.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || path.starts_with('~')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes[2] == b'/' || bytes[2] == b'\\'))
}

fn is_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches(['/', '\\']);
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('\\'))
}
