//! Advisory warnings: commands that look destructive and paths that leave the working directory.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::ValidationIssue;
use crate::flows::graph::{FlowGraph, FlowNode};
use crate::nodes::schema::is_templated;

/// (what to call it, pattern) for commands worth a second look before running.
const DESTRUCTIVE: [(&str, &str); 9] = [
    (
        "rm -rf",
        r"\brm\s+(-\w*r\w*f|-\w*f\w*r|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)",
    ),
    (
        "git push --force",
        r"\bgit\s+push\b[^;&|]*(\s--force\b|\s-f\b)",
    ),
    ("git reset --hard", r"\bgit\s+reset\s+(\S+\s+)*--hard\b"),
    ("kubectl delete", r"\bkubectl\s+delete\b"),
    ("DROP TABLE", r"\bdrop\s+table\b"),
    ("mkfs", r"\bmkfs(\.\w+)?\b"),
    ("dd if=", r"\bdd\s+if="),
    ("shutdown", r"\bshutdown\b"),
    ("reboot", r"\breboot\b"),
];

static PATTERNS: LazyLock<Vec<(&'static str, regex::Regex)>> = LazyLock::new(|| {
    DESTRUCTIVE
        .iter()
        .filter_map(|(label, pattern)| {
            regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .inspect_err(|err| tracing::error!(%err, pattern, "bad destructive pattern"))
                .ok()
                .map(|re| (*label, re))
        })
        .collect()
});

/// Shell tools whose entries take only `args`: the tool name is prepended before matching.
const SHELL_TOOLS: [&str; 5] = ["git", "npm", "cargo", "kubectl", "curl"];

pub(super) fn check(graph: &FlowGraph) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    for node in graph.nodes.iter().filter(|n| n.node_type == "action") {
        destructive(node, &mut issues);
        paths(node, &mut issues);
    }
    issues
}

fn text(data: &Map<String, Value>, key: &str) -> Option<String> {
    match data.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

fn destructive(node: &FlowNode, issues: &mut Vec<ValidationIssue>) {
    let adapter = node.data.get("adapter").and_then(Value::as_str);
    let action = node.data.get("actionId").and_then(Value::as_str);
    if adapter == Some("fs") && action == Some("delete-file") {
        issues.push(
            ValidationIssue::warning(
                "destructive",
                "This node deletes a file; check its path before running",
            )
            .node(&node.id)
            .field("path"),
        );
        return;
    }
    // `shell-git` with args `push --force` runs `git push --force`: match the full command line.
    let tool = match (adapter, action) {
        (Some("shell"), Some(tool)) if SHELL_TOOLS.contains(&tool) => Some(tool),
        (Some("cli"), _) => node.data.get("bin").and_then(Value::as_str),
        _ => None,
    };
    for field in ["command", "args"] {
        let Some(value) = text(&node.data, field) else {
            continue;
        };
        let line = match tool {
            Some(tool) => format!("{tool} {value}"),
            None => value,
        };
        if let Some((label, _)) = PATTERNS.iter().find(|(_, re)| re.is_match(&line)) {
            issues.push(
                ValidationIssue::warning(
                    "destructive",
                    format!("This command looks destructive ({label}); check it before running"),
                )
                .node(&node.id)
                .field(field),
            );
            return;
        }
    }
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
