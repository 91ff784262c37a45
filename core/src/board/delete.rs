//! Deleting a task, refused while another task of the list is `blockedBy` it.

use std::path::Path;

use super::notes::task_path;
use super::{Board, task_lists};
use crate::AppError;

/// Removes `<list>/<task>.json` unless another task waits for it.
pub async fn delete_task(
    board: &Board,
    tasks_dir: &Path,
    session_id: &str,
    task_id: &str,
) -> Result<(), AppError> {
    let path = task_path(tasks_dir, session_id, task_id)?;
    let lock = board.file_lock(&path);
    let _turn = lock.lock().await;
    let task_id = task_id.to_owned();
    tokio::task::spawn_blocking(move || remove(&path, &task_id))
        .await
        .map_err(|e| AppError::Internal(format!("task remover failed: {e}")))?
}

fn remove(path: &Path, task_id: &str) -> Result<(), AppError> {
    if !path.is_file() {
        return Err(AppError::NotFound("Task not found".into()));
    }
    let Some(list_dir) = path.parent() else {
        return Err(AppError::NotFound("Task not found".into()));
    };
    let mut blocked: Vec<String> = task_lists::read_tasks(list_dir, true)
        .iter()
        .filter(|t| t.id() != task_id && t.blocked_by().iter().any(|b| b == task_id))
        .map(|t| t.id())
        .collect();
    if !blocked.is_empty() {
        blocked.sort_by_cached_key(|id| (id.parse::<u64>().unwrap_or(0), id.clone()));
        return Err(AppError::InvalidInput(format!(
            "Cannot delete task that blocks other tasks (blocked: {})",
            blocked.join(", ")
        )));
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            Err(AppError::NotFound("Task not found".into()))
        }
        Err(err) => Err(AppError::io(format!("deleting {}", path.display()), err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn guard_refuses_blockers_then_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("s");
        std::fs::create_dir_all(&list).unwrap();
        std::fs::write(
            list.join("1.json"),
            r#"{"id":"1","subject":"a","blocks":["2"],"blockedBy":[]}"#,
        )
        .unwrap();
        std::fs::write(
            list.join("2.json"),
            r#"{"id":"2","subject":"b","blockedBy":["1"]}"#,
        )
        .unwrap();
        std::fs::write(
            list.join("3.json"),
            r#"{"id":3,"subject":"c","blockedBy":[1]}"#,
        )
        .unwrap();
        let board = Board::default();
        assert_eq!(
            delete_task(&board, dir.path(), "s", "1").await,
            Err(AppError::InvalidInput(
                "Cannot delete task that blocks other tasks (blocked: 2, 3)".into()
            ))
        );
        assert!(list.join("1.json").exists());
        delete_task(&board, dir.path(), "s", "2").await.unwrap();
        assert!(!list.join("2.json").exists());
        assert_eq!(
            delete_task(&board, dir.path(), "s", "2").await,
            Err(AppError::NotFound("Task not found".into()))
        );
        assert!(matches!(
            delete_task(&board, dir.path(), "s", "..").await,
            Err(AppError::InvalidInput(_))
        ));
        delete_task(&board, dir.path(), "s", "3").await.unwrap();
        delete_task(&board, dir.path(), "s", "1").await.unwrap();
        assert!(std::fs::read_dir(&list).unwrap().next().is_none());
    }
}
