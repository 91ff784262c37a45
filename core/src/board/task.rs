//! One task document (`<list>/<id>.json`): read leniently, viewed through typed fields, and
//! rewritten with every field (known or not) in its original order.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::JsonValue;
use crate::AppError;

/// A task file as it is on disk: the whole JSON object, unknown fields and key order kept
/// (serde_json's `preserve_order`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFile {
    /// The file name's stem, used when the document has no `id`.
    stem: String,
    /// The document.
    pub doc: Map<String, Value>,
}

impl TaskFile {
    /// Parses a task document; `None` (with a warning) when it is not a JSON object.
    pub fn parse(path: &Path, bytes: &[u8]) -> Option<Self> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(doc)) => Some(Self {
                stem: stem(path),
                doc,
            }),
            Ok(_) => {
                tracing::warn!(file = %path.display(), "task file is not a JSON object; skipped");
                None
            }
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "task file is not valid JSON; skipped");
                None
            }
        }
    }

    /// Parses a document already known to be a task object (kept as bytes by the index);
    /// `None`, without a warning, when it is not one.
    pub fn from_known(stem: &str, bytes: &[u8]) -> Option<Self> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(doc)) => Some(Self {
                stem: stem.to_owned(),
                doc,
            }),
            _ => None,
        }
    }

    /// Reads and parses a task file; `Ok(None)` when it cannot be read or parsed.
    pub fn read(path: &Path) -> Option<Self> {
        match std::fs::read(path) {
            Ok(bytes) => Self::parse(path, &bytes),
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "task file unreadable; skipped");
                None
            }
        }
    }

    /// The task's id: a string id, a numeric id written as a string, else the file stem.
    pub fn id(&self) -> String {
        match self.doc.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => self.stem.clone(),
        }
    }

    /// The status, `"pending"` when missing.
    pub fn status(&self) -> &str {
        self.doc
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("pending")
    }

    /// The ids this task waits for.
    pub fn blocked_by(&self) -> Vec<String> {
        id_list(self.doc.get("blockedBy"))
    }

    /// A teammate-lifecycle task (`metadata._internal: true`), hidden by default.
    pub fn is_internal(&self) -> bool {
        self.doc
            .get("metadata")
            .and_then(|m| m.get("_internal"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The typed view sent to clients.
    pub fn view(&self) -> Task {
        let text = |key: &str| match self.doc.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        const KNOWN: [&str; 8] = [
            "id",
            "subject",
            "description",
            "activeForm",
            "status",
            "owner",
            "blocks",
            "blockedBy",
        ];
        Task {
            id: self.id(),
            subject: text("subject"),
            description: text("description"),
            active_form: text("activeForm"),
            status: self.status().to_owned(),
            owner: text("owner"),
            blocks: id_list(self.doc.get("blocks")),
            blocked_by: self.blocked_by(),
            extra: self
                .doc
                .iter()
                .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The document as pretty JSON (2-space indent, no trailing newline), as the original wrote it.
    pub fn to_pretty(&self) -> Result<Vec<u8>, AppError> {
        serde_json::to_vec_pretty(&self.doc)
            .map_err(|e| AppError::Internal(format!("serialising task: {e}")))
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An array of ids, numbers turned into strings, anything else dropped.
fn id_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A task as the board shows it: the original's typed fields (`""`/`[]` when missing, ids as
/// strings), then every other field of the document (`metadata`, custom fields) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The id (`"1"`, `"2"`, …); a numeric id on disk is sent as a string.
    pub id: String,
    /// Imperative title.
    pub subject: String,
    /// Markdown description (`""` when missing or null).
    pub description: String,
    /// Present-continuous form shown while in progress (`""` when missing).
    pub active_form: String,
    /// `pending`, `in_progress` or `completed` (others passed through).
    pub status: String,
    /// The owning agent in teams (`""` when missing).
    pub owner: String,
    /// Ids of tasks this one blocks.
    pub blocks: Vec<String>,
    /// Ids of tasks this one waits for.
    pub blocked_by: Vec<String>,
    /// Every other field of the document, in file order.
    #[serde(flatten)]
    #[specta(type = std::collections::HashMap<String, JsonValue>)]
    pub extra: Map<String, Value>,
}

/// A task of `GET /api/tasks/all`: the task's fields, then the session it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskWithSession {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// The task list (session) id.
    pub session_id: String,
    /// The session's display name (`customTitle` ?? `slug`), or null.
    pub session_name: Option<String>,
    /// The session's working directory, or null.
    pub project: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> TaskFile {
        TaskFile::parse(Path::new("/t/7.json"), text.as_bytes()).unwrap()
    }

    #[test]
    fn view_tolerates_numeric_ids_null_description_and_missing_fields() {
        let file = parse(
            r#"{"id": 3, "subject": "S", "description": null, "status": "pending", "blockedBy": [1, "2", null]}"#,
        );
        let view = serde_json::to_value(file.view()).unwrap();
        assert_eq!(
            view,
            json!({"id": "3", "subject": "S", "description": "", "activeForm": "", "status": "pending",
                   "owner": "", "blocks": [], "blockedBy": ["1", "2"]})
        );
        let no_id = parse(r#"{"subject": "S"}"#);
        assert_eq!(no_id.id(), "7");
        assert_eq!(no_id.status(), "pending");
    }

    #[test]
    fn unknown_fields_follow_the_typed_ones_in_file_order() {
        let file = parse(
            r#"{"zeta": 1, "id": "1", "subject": "S", "metadata": {"_internal": true}, "alpha": [true]}"#,
        );
        assert!(file.is_internal());
        let text = serde_json::to_string(&file.view()).unwrap();
        let tail = &text[text.find("\"blockedBy\"").unwrap()..];
        assert!(
            tail.contains(r#""zeta":1,"metadata":{"_internal":true},"alpha":[true]"#),
            "{text}"
        );
        // The document itself keeps its own order when written back.
        let pretty = String::from_utf8(file.to_pretty().unwrap()).unwrap();
        assert!(
            pretty.starts_with("{\n  \"zeta\": 1,\n  \"id\": \"1\""),
            "{pretty}"
        );
        assert!(!pretty.ends_with('\n'));
    }

    #[test]
    fn non_objects_and_broken_json_are_skipped() {
        assert!(TaskFile::parse(Path::new("a.json"), b"[1,2]").is_none());
        assert!(TaskFile::parse(Path::new("a.json"), b"{\"id\": \"1\", ").is_none());
        assert!(TaskFile::parse(Path::new("a.json"), b"\xff\xfe").is_none());
    }
}
