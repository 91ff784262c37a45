//! [`FlowGraph`] to canonical DSL text.
//!
//! The output is deterministic (graph order, data keys in map order) and always ends with a
//! newline. Text the grammar cannot hold is written so the document still parses wherever
//! possible: whitespace in a version becomes `_`, newlines in a condition become spaces, an empty
//! condition is left out. Ids are written as they are; one that is not `[A-Za-z0-9_-]+` (only
//! possible in hand-edited JSON) does not read back, and the validator reports it.

use serde_json::Value;

use super::escape::write_quoted;
use super::lexer::is_bare_ident;
use crate::flows::graph::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, SubFlow};

/// Writes the whole document.
pub(crate) fn serialize(graph: &FlowGraph) -> String {
    let mut out = String::with_capacity(64 + graph.nodes.len() * 96 + graph.edges.len() * 24);
    out.push_str("flow ");
    write_quoted(&mut out, &graph.name);
    out.push_str(" v");
    out.extend(
        graph
            .version
            .chars()
            .map(|c| if c.is_whitespace() { '_' } else { c }),
    );
    out.push('\n');
    if let Some(description) = &graph.description {
        out.push_str("description ");
        write_quoted(&mut out, description);
        out.push('\n');
    }
    for node in &graph.nodes {
        out.push('\n');
        write_node(&mut out, node);
    }
    for subflow in &graph.subflows {
        out.push('\n');
        write_subflow(&mut out, subflow);
    }
    if !graph.edges.is_empty() {
        out.push('\n');
    }
    for edge in &graph.edges {
        write_edge(&mut out, edge);
    }
    out
}

fn write_node(out: &mut String, node: &FlowNode) {
    out.push_str(&node.id);
    out.push('[');
    if is_bare_ident(&node.node_type) {
        out.push_str(&node.node_type);
    } else {
        write_quoted(out, &node.node_type);
    }
    out.push_str(": ");
    write_quoted(out, &node.label);
    out.push(']');
    if !node.data.is_empty() {
        out.push_str(" {\n");
        for (key, value) in &node.data {
            out.push_str("  ");
            // A bare `label` key is reserved (it would be mistaken for the node's label).
            if is_bare_ident(key) && key != "label" {
                out.push_str(key);
            } else {
                write_quoted(out, key);
            }
            out.push_str(": ");
            write_value(out, value);
            out.push('\n');
        }
        out.push('}');
    }
    out.push('\n');
}

/// Compact JSON, strings with the DSL's escapes.
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_quoted(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_quoted(out, key);
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_subflow(out: &mut String, subflow: &SubFlow) {
    out.push_str("subflow ");
    out.push_str(&subflow.id);
    out.push('[');
    write_quoted(out, &subflow.label);
    out.push(']');
    if let Some(retry) = subflow.retry {
        out.push_str(" retry ");
        out.push_str(&retry.to_string());
    }
    out.push_str(" {\n");
    for member in &subflow.node_ids {
        out.push_str("  ");
        out.push_str(member);
        out.push('\n');
    }
    out.push_str("}\n");
}

fn write_edge(out: &mut String, edge: &FlowEdge) {
    out.push_str(&edge.source);
    match edge.outcome {
        EdgeOutcome::Always => {}
        outcome => {
            out.push('.');
            out.push_str(outcome.as_str());
        }
    }
    out.push_str(" --> ");
    out.push_str(&edge.target);
    if let Some(label) = &edge.label {
        out.push_str(" label ");
        write_quoted(out, label);
    }
    if let Some(condition) = &edge.condition {
        let one_line: String = condition
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        let one_line = one_line.trim();
        if !one_line.is_empty() {
            out.push_str(" when ");
            out.push_str(one_line);
        }
    }
    out.push('\n');
}
