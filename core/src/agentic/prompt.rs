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
