//! `{{nodeId.field}}` templates that name a node the flow does not have.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::Value;

use super::ValidationIssue;
use crate::flows::graph::FlowGraph;

/// Template heads that are not node ids: the run input and the run memory.
const BUILTIN_HEADS: [&str; 2] = ["input", "memory"];

static TEMPLATE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"\{\{\s*([A-Za-z0-9_-]+)[^{}]*\}\}").ok());

pub(super) fn check(graph: &FlowGraph) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    let ids: HashSet<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    for node in &graph.nodes {
        for (field, value) in &node.data {
            let mut texts = Vec::new();
            strings(value, &mut texts);
            for text in texts {
                for (template, head) in unknown_heads(text, &ids) {
                    issues.push(
                        ValidationIssue::warning("unknown-reference", message(&template, &head))
                            .node(&node.id)
                            .field(field),
                    );
                }
            }
        }
    }
    for (e, edge) in graph.edges.iter().enumerate() {
        if let Some(condition) = &edge.condition {
            for (template, head) in unknown_heads(condition, &ids) {
                issues.push(
                    ValidationIssue::warning("unknown-reference", message(&template, &head))
                        .edge(e)
                        .field("condition"),
                );
            }
        }
    }
    issues
}

fn message(template: &str, head: &str) -> String {
    format!("{template} refers to `{head}`, which is not a node in this flow")
}

/// Every string inside `value`, however deeply nested.
fn strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// `(template text, head)` for each template whose head is neither built in nor a node id.
fn unknown_heads(text: &str, ids: &HashSet<&str>) -> Vec<(String, String)> {
    let Some(re) = TEMPLATE.as_ref() else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?.as_str();
            let head = c.get(1)?.as_str();
            let known = BUILTIN_HEADS.contains(&head) || ids.contains(head);
            (!known).then(|| (whole.to_owned(), head.to_owned()))
        })
        .collect()
}
