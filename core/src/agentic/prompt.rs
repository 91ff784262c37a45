//! The words a generation is asked with: the node types it may use, the workspace it is
//! grounded in, and the request. Everything here reaches the model only after the privacy
//! sanitizer has run over the parts that come from the user's files and words.

use serde_json::Value;

use super::workspace::WorkspaceFacts;
use crate::llm::{ChatMessage, ChatRole};
use crate::nodes::CatalogEntry;

/// The system message: what to answer and which node types exist.
pub fn system(entries: &[&CatalogEntry]) -> String {
    let mut text = String::from(
        "You design Flow workflows. Answer with JSON only: {\"name\": <short name>, \"steps\": [<step>, ...]}.\n\
         Each step is one node type from the list below: {\"node\": <type>, \"label\": <short label>, <its fields>}.\n\
         Steps run in order; each runs when the one before it succeeded. Keep it to the few steps the request needs.\n\
         Use the workspace's real files and commands; paths are relative to the workspace.\n\nNode types:\n",
    );
    for entry in entries {
        text.push_str(&format!(
            "- {}: {}{}\n",
            entry.slug,
            entry.description.trim_end_matches('.'),
            fields_line(entry)
        ));
    }
    text
}

/// `. Fields: command (required), cwd` for one entry.
fn fields_line(entry: &CatalogEntry) -> String {
    let Some(properties) = entry.schema.get("properties").and_then(Value::as_object) else {
        return ".".into();
    };
    let required: Vec<&str> = entry
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<String> = properties
        .keys()
        .filter(|k| !super::schema::is_pinned(k))
        .map(|k| {
            if required.contains(&k.as_str()) {
                format!("{k} (required)")
            } else {
                k.clone()
            }
        })
        .collect();
    if fields.is_empty() {
        ".".into()
    } else {
        format!(". Fields: {}.", fields.join(", "))
    }
}

/// The user message: the (sanitized) workspace facts and request.
pub fn user(facts: &WorkspaceFacts, request: &str) -> String {
    let mut text = format!("Workspace: {}\n", facts.root);
    if facts.files.is_empty() {
        text.push_str("Files: none yet\n");
    } else {
        text.push_str("Files:\n");
        for file in &facts.files {
            text.push_str(&format!("- {file}\n"));
        }
        if facts.truncated {
            text.push_str("- ... (more not listed)\n");
        }
    }
    if !facts.commands.is_empty() {
        text.push_str("Commands the project defines:\n");
        for command in &facts.commands {
            text.push_str(&format!("- {command}\n"));
        }
    }
    if let Some(readme) = &facts.readme {
        text.push_str(&format!("README (start):\n{}\n", readme.trim()));
    }
    text.push_str(&format!("\nRequest: {}\n", request.trim()));
    text
}

/// Most characters of a failed node's output a fix request quotes (its end, where errors are).
pub const MAX_FAILURE_OUTPUT_CHARS: usize = 2_000;

/// The system message of a surgical fix: one step of `entry`'s type, corrected.
pub fn fix_system(entry: &CatalogEntry) -> String {
    format!(
        "You fix one failing step of a Flow workflow. Answer with JSON only: the corrected step, \
         {{\"node\": \"{slug}\", \"label\": <short label>, <its fields>}}.\n\
         Change only what makes it fail; keep what works. Paths are relative to the workspace.\n\
         The step's type: {slug}: {description}{fields}",
        slug = entry.slug,
        description = entry.description.trim_end_matches('.'),
        fields = fields_line(entry),
    )
}

/// The user message of a surgical fix: the (sanitized) workspace's files and commands, the
/// flow, the failed step alone, its error and the end of what it printed.
pub fn fix_user(
    facts: &WorkspaceFacts,
    flow_dsl: &str,
    step: &Value,
    error: &str,
    printed: &str,
) -> String {
    let mut text = String::new();
    if !facts.files.is_empty() {
        text.push_str("Files in the workspace:\n");
        for file in &facts.files {
            text.push_str(&format!("- {file}\n"));
        }
    }
    if !facts.commands.is_empty() {
        text.push_str("Commands the project defines:\n");
        for command in &facts.commands {
            text.push_str(&format!("- {command}\n"));
        }
    }
    text.push_str(&format!(
        "The flow:\n{}\n\nThe step that failed:\n{step}\n\nIts error: {}\n",
        flow_dsl.trim_end(),
        error.trim()
    ));
    if !printed.trim().is_empty() {
        text.push_str(&format!("What it printed (end):\n{}\n", printed.trim_end()));
    }
    text.push_str("\nAnswer with the corrected step.\n");
    text
}

/// The end of a failed node's `stdout` and `stderr` (or its whole output as JSON), at most
/// [`MAX_FAILURE_OUTPUT_CHARS`].
pub fn printed(output: Option<&Value>) -> String {
    let Some(output) = output else {
        return String::new();
    };
    let streams: Vec<String> = ["stdout", "stderr"]
        .iter()
        .filter_map(|k| output.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let text = if streams.is_empty() {
        output.to_string()
    } else {
        streams.join("\n")
    };
    let count = text.chars().count();
    if count <= MAX_FAILURE_OUTPUT_CHARS {
        return text;
    }
    text.chars()
        .skip(count - MAX_FAILURE_OUTPUT_CHARS)
        .collect()
}

/// The conversation for one generation.
pub fn messages(system: String, user: String) -> Vec<ChatMessage> {
    vec![
        ChatMessage {
            role: ChatRole::System,
            content: system,
        },
        ChatMessage {
            role: ChatRole::User,
            content: user,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_message_lists_each_type_with_its_writable_fields() {
        let installed = crate::nodes::builtin_entries().to_vec();
        let entries = super::super::schema::usable_entries(&installed, |_| true);
        let text = system(&entries);
        assert!(
            text.contains(
                "- shell-run-command: Run a command line in a shell. Fields: command (required)."
            ),
            "{text}"
        );
        assert!(!text.contains("agentic-generator"));
    }

    #[test]
    fn a_fix_request_quotes_the_step_its_error_and_the_end_of_its_output() {
        let long = format!("{}TAIL", "x".repeat(5_000));
        let output = serde_json::json!({"stdout": "", "stderr": long, "exitCode": 1});
        let tail = printed(Some(&output));
        assert_eq!(tail.chars().count(), MAX_FAILURE_OUTPUT_CHARS);
        assert!(tail.ends_with("TAIL"));
        let step = serde_json::json!({"node": "shell-run-command", "label": "Build", "command": "npm run buld"});
        let facts = WorkspaceFacts {
            files: vec!["package.json".into()],
            commands: vec!["npm run build".into()],
            ..WorkspaceFacts::default()
        };
        let text = fix_user(
            &facts,
            "flow \"x\"\n",
            &step,
            "exit code 1",
            "missing script: buld",
        );
        assert!(text.starts_with("Files in the workspace:\n- package.json\nCommands the project defines:\n- npm run build\n"), "{text}");
        assert!(text.contains("\"command\":\"npm run buld\""), "{text}");
        assert!(text.contains("Its error: exit code 1"));
        assert!(text.contains("missing script: buld"));
        let installed = crate::nodes::builtin_entries().to_vec();
        let shell = installed
            .iter()
            .find(|e| e.slug == "shell-run-command")
            .unwrap();
        assert!(fix_system(shell).contains(
            "shell-run-command: Run a command line in a shell. Fields: command (required)."
        ));
        assert_eq!(printed(None), "");
    }

    #[test]
    fn the_user_message_carries_the_workspace_and_the_request() {
        let facts = WorkspaceFacts {
            root: "/w".into(),
            files: vec!["package.json".into()],
            commands: vec!["npm test".into()],
            readme: Some("# App".into()),
            truncated: true,
        };
        let text = user(&facts, "  run the tests ");
        assert_eq!(
            text,
            "Workspace: /w\nFiles:\n- package.json\n- ... (more not listed)\nCommands the project defines:\n- npm test\nREADME (start):\n# App\n\nRequest: run the tests\n"
        );
    }
}
