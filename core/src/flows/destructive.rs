//! Which nodes look destructive: shared by the validator's advisory warnings and the engine's
//! confirmation gate, so both always agree on what needs a second look.
//!
//! Deliberately conservative (a false alarm costs one click, a miss can cost a repository): file
//! deletes, any `rm`, any `git push` (it changes a shared remote), `git reset --hard`,
//! `git clean -f`, `kubectl delete`, `DROP TABLE/DATABASE`, `TRUNCATE`, `mkfs`, `dd if=`,
//! shutdown and reboot.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::flows::graph::FlowNode;

/// (what to call it, pattern) for commands worth a second look before running.
const DESTRUCTIVE: [(&str, &str); 12] = [
    ("rm", r"(^|[\s;&|(`])rm\s+\S"),
    ("git push", r"\bgit\s+push\b"),
    ("git reset --hard", r"\bgit\s+reset\s+(\S+\s+)*--hard\b"),
    ("git clean", r"\bgit\s+clean\s+(\S+\s+)*-\w*f"),
    ("kubectl delete", r"\bkubectl\s+delete\b"),
    ("DROP TABLE", r"\bdrop\s+table\b"),
    ("DROP DATABASE", r"\bdrop\s+(database|schema)\b"),
    ("TRUNCATE", r"\btruncate\s+(table\b|-s\b|--size\b)"),
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

/// Why a node looks destructive, and which `data` field says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructiveMatch {
    /// What kind of destruction, e.g. `rm -rf` or `delete file`.
    pub label: &'static str,
    /// The field that triggered it (`path`, `command` or `args`).
    pub field: &'static str,
    /// What the node would do, e.g. "rm -rf build/ (rm -rf)".
    pub action: String,
}

/// Why `node` looks destructive, in words (e.g. "rm -rf build (rm -rf)"), or `None`.
pub fn destructive_reason(node: &FlowNode) -> Option<String> {
    destructive_match(&node.node_type, &node.data).map(|m| m.action)
}

/// The destructive match for a node of `node_type` with these (possibly resolved) fields.
pub fn destructive_match(node_type: &str, data: &Map<String, Value>) -> Option<DestructiveMatch> {
    if node_type != "action" {
        return None;
    }
    let adapter = data.get("adapter").and_then(Value::as_str);
    let action = data.get("actionId").and_then(Value::as_str);
    if adapter == Some("fs") && action == Some("delete-file") {
        let path = data.get("path").and_then(Value::as_str).unwrap_or("?");
        return Some(DestructiveMatch {
            label: "delete file",
            field: "path",
            action: format!("delete file {path}"),
        });
    }
    // `shell-git` with args `push --force` runs `git push --force`: match the full command line.
    let tool = match (adapter, action) {
        (Some("shell"), Some(tool)) if SHELL_TOOLS.contains(&tool) => Some(tool),
        (Some("cli"), _) => data.get("bin").and_then(Value::as_str),
        _ => None,
    };
    for field in ["command", "args"] {
        let Some(value) = text(data, field) else {
            continue;
        };
        let line = match tool {
            Some(tool) => format!("{tool} {value}"),
            None => value,
        };
        if let Some((label, _)) = PATTERNS.iter().find(|(_, re)| re.is_match(&line)) {
            return Some(DestructiveMatch {
                label,
                field,
                action: format!("{line} ({label})"),
            });
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reason(data: serde_json::Value) -> Option<String> {
        destructive_match("action", data.as_object().unwrap()).map(|m| m.action)
    }

    #[test]
    fn flags_the_documented_families_and_says_what() {
        for command in [
            "git clean -fdx",
            "psql -c 'DROP DATABASE prod'",
            "mysql -e 'truncate table users'",
            "truncate -s 0 app.log",
        ] {
            assert!(
                reason(json!({"adapter": "shell", "command": command})).is_some(),
                "{command}"
            );
        }
        assert_eq!(
            reason(json!({"adapter": "shell", "command": "rm -rf build/"})).as_deref(),
            Some("rm -rf build/ (rm)")
        );
        assert_eq!(
            reason(json!({"adapter": "fs", "actionId": "delete-file", "path": "a.txt"})).as_deref(),
            Some("delete file a.txt")
        );
        assert_eq!(
            reason(json!({"adapter": "shell", "command": "git clean -n"})),
            None
        );
        // Any rm and any push are gated: the issue names them without qualifiers.
        for command in ["rm file.txt", "cd x && rm -f a", "git push origin main"] {
            assert!(
                reason(json!({"adapter": "shell", "command": command})).is_some(),
                "{command}"
            );
        }
        for command in ["npm run format", "git status", "echo confirm the term"] {
            assert_eq!(
                reason(json!({"adapter": "shell", "command": command})),
                None,
                "{command}"
            );
        }
        assert_eq!(
            destructive_match(
                "utility",
                json!({"command": "rm -rf /"}).as_object().unwrap()
            ),
            None
        );
    }
}
