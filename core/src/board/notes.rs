//! Notes: appended to a task's description in the block Claude reads on its next `TaskGet`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::task::TaskFile;
use super::{Board, ids};
use crate::{AppError, atomic_file};

/// The separator between a description and a note, exactly as the original writes it.
pub const NOTE_BLOCK: &str = "\n\n---\n\n#### [Note added by user]\n\n";

/// The file of a task, after validating both ids. A list folder or task file that is a
/// symbolic link is refused: it could lead a write (or the note echoed back) outside the tasks
/// folder, and Claude Code never makes one.
pub fn task_path(tasks_dir: &Path, session_id: &str, task_id: &str) -> Result<PathBuf, AppError> {
    let session_id = ids::session_id(session_id)?;
    let task_id = ids::task_id(task_id)?;
    let list_dir = ids::not_a_link(tasks_dir.join(session_id))?;
    ids::not_a_link(list_dir.join(format!("{task_id}.json")))
}

/// Appends `note` (trimmed) to the task's description and rewrites the file atomically, with
/// every other field and the key order kept. Writers to one file take turns.
pub async fn add_note(
    board: &Board,
    tasks_dir: &Path,
    session_id: &str,
    task_id: &str,
    note: &str,
) -> Result<Map<String, Value>, AppError> {
    let path = task_path(tasks_dir, session_id, task_id)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::InvalidInput("Note cannot be empty".into()));
    }
    let note = note.to_owned();
    let lock = board.file_lock(&path);
    let _turn = lock.lock().await;
    let index = board.index().clone();
    tokio::task::spawn_blocking(move || {
        let task = append(&path, &note)?;
        index.refresh_file(&path);
        Ok(task)
    })
    .await
    .map_err(|e| AppError::Internal(format!("note writer failed: {e}")))?
}

fn append(path: &Path, note: &str) -> Result<Map<String, Value>, AppError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::NotFound("Task not found".into()));
        }
        Err(err) => return Err(AppError::io(format!("reading {}", path.display()), err)),
    };
    let mut task = TaskFile::parse(path, &bytes).ok_or_else(|| {
        AppError::InvalidInput(format!("{} is not a JSON task object", path.display()))
    })?;
    let old = match task.doc.get("description") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let description = Value::String(format!("{old}{NOTE_BLOCK}{note}"));
    // Replacing an existing key keeps its position; a missing one is appended.
    task.doc.insert("description".into(), description);
    atomic_file::write(path, &task.to_pretty()?)?;
    Ok(task.doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const DOC: &str = r#"{
  "custom": {"b": 1, "a": 2},
  "id": "1",
  "subject": "Add JWT middleware",
  "description": "Validate tokens",
  "activeForm": "Adding JWT middleware",
  "status": "in_progress",
  "blocks": [],
  "blockedBy": [],
  "zzz": null
}"#;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s1").join("1.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, DOC).unwrap();
        (dir, path)
    }

    #[tokio::test]
    async fn appends_the_exact_block_and_keeps_fields_and_order() {
        let (dir, path) = setup();
        let board = Board::unwatched();
        let task = add_note(&board, dir.path(), "s1", "1", "  check skew  ")
            .await
            .unwrap();
        assert_eq!(
            task["description"],
            "Validate tokens\n\n---\n\n#### [Note added by user]\n\ncheck skew"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let keys: Vec<_> = serde_json::from_str::<Map<String, Value>>(&text)
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            [
                "custom",
                "id",
                "subject",
                "description",
                "activeForm",
                "status",
                "blocks",
                "blockedBy",
                "zzz"
            ]
        );
        assert!(
            text.contains("\"custom\": {\n    \"b\": 1,\n    \"a\": 2\n  }"),
            "{text}"
        );
        assert!(!text.ends_with('\n'));
    }

    #[tokio::test]
    async fn null_or_missing_description_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s").join("2.json");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, r#"{"id":2,"subject":"x","description":null}"#).unwrap();
        let task = add_note(&Board::unwatched(), dir.path(), "s", "2", "n")
            .await
            .unwrap();
        assert_eq!(task["description"], format!("{NOTE_BLOCK}n"));
        assert_eq!(task["id"], 2);
    }

    #[tokio::test]
    async fn errors_empty_note_missing_task_and_bad_ids() {
        let (dir, _path) = setup();
        let board = Board::unwatched();
        assert_eq!(
            add_note(&board, dir.path(), "s1", "1", "  \n ").await,
            Err(AppError::InvalidInput("Note cannot be empty".into()))
        );
        assert_eq!(
            add_note(&board, dir.path(), "s1", "9", "x").await,
            Err(AppError::NotFound("Task not found".into()))
        );
        assert_eq!(
            add_note(&board, dir.path(), "nope", "1", "x").await,
            Err(AppError::NotFound("Task not found".into()))
        );
        assert!(matches!(
            add_note(&board, dir.path(), "..", "1", "x").await,
            Err(AppError::InvalidInput(_))
        ));
        assert!(matches!(
            add_note(&board, dir.path(), "s1", "../1", "x").await,
            Err(AppError::InvalidInput(_))
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_hundred_concurrent_notes_all_land() {
        let (dir, path) = setup();
        let board = Arc::new(Board::unwatched());
        let root = Arc::new(dir.path().to_path_buf());
        let writers: Vec<_> = (0..100)
            .map(|i| {
                let board = board.clone();
                let root = root.clone();
                tokio::spawn(async move {
                    add_note(&board, &root, "s1", "1", &format!("note number {i:03}")).await
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        let doc: Map<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let description = doc["description"].as_str().unwrap();
        for i in 0..100 {
            assert!(
                description.contains(&format!("note number {i:03}")),
                "note {i} lost"
            );
        }
        assert_eq!(description.matches(NOTE_BLOCK).count(), 100);
        assert_eq!(doc.keys().next().map(String::as_str), Some("custom"));
        assert_eq!(doc["zzz"], Value::Null);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
