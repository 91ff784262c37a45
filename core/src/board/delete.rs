//! Deleting a task, refused while another task of the list is `blockedBy` it; and deleting a
//! whole list's tasks in dependency order.

use std::collections::BTreeSet;
use std::path::Path;

use super::notes::task_path;
use super::task::TaskFile;
use super::{Board, ids, task_lists};
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
    let index = board.index().clone();
    tokio::task::spawn_blocking(move || {
        remove(&path, &task_id)?;
        index.refresh_file(&path);
        Ok(())
    })
    .await
    .map_err(|e| AppError::Internal(format!("task remover failed: {e}")))?
}

/// Deletes every task of a list, tasks that others wait for last, so that no task left at any
/// moment waits for a deleted one (tasks in a cycle go lowest id first). Files that are not
/// task documents are left alone. Returns the deleted ids in the order they went.
pub async fn delete_list_tasks(
    board: &Board,
    tasks_dir: &Path,
    session_id: &str,
) -> Result<Vec<String>, AppError> {
    let list_dir = ids::not_a_link(tasks_dir.join(ids::session_id(session_id)?))?;
    if !list_dir.is_dir() {
        return Err(AppError::NotFound("Session not found".into()));
    }
    let tasks = {
        let dir = list_dir.clone();
        tokio::task::spawn_blocking(move || task_lists::read_tasks(&dir, true))
            .await
            .map_err(|e| AppError::Internal(format!("task reader failed: {e}")))?
    };
    let mut deleted = Vec::new();
    for task_id in dependency_order(&tasks) {
        let path = task_path(tasks_dir, session_id, &task_id)?;
        let lock = board.file_lock(&path);
        let _turn = lock.lock().await;
        let index = board.index().clone();
        let gone = tokio::task::spawn_blocking(move || {
            let gone = match std::fs::remove_file(&path) {
                Ok(()) => Ok(true),
                // Removed meanwhile (by Claude Code or another client): already what we want.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(err) => Err(AppError::io(format!("deleting {}", path.display()), err)),
            };
            index.refresh_file(&path);
            gone
        })
        .await
        .map_err(|e| AppError::Internal(format!("task remover failed: {e}")))??;
        if gone {
            deleted.push(task_id);
        }
    }
    Ok(deleted)
}

/// Task ids so that each comes after every task that waits for it.
fn dependency_order(tasks: &[TaskFile]) -> Vec<String> {
    let key = |id: &str| (id.parse::<u64>().unwrap_or(0), id.to_owned());
    let mut left: BTreeSet<(u64, String)> = tasks.iter().map(|t| key(&t.id())).collect();
    let waits_for: Vec<(String, Vec<String>)> =
        tasks.iter().map(|t| (t.id(), t.blocked_by())).collect();
    let mut order = Vec::with_capacity(left.len());
    while let Some(first) = left.first().cloned() {
        let waited_on = |id: &str| {
            waits_for.iter().any(|(w, blockers)| {
                w != id && left.contains(&key(w)) && blockers.iter().any(|b| b == id)
            })
        };
        let next = left
            .iter()
            .find(|(_, id)| !waited_on(id))
            .cloned()
            .unwrap_or(first);
        left.remove(&next);
        order.push(next.1);
    }
    order
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
        let board = Board::unwatched();
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

    #[test]
    fn dependents_go_before_what_they_wait_for_and_cycles_still_end() {
        let task = |id: &str, blocked_by: &[&str]| {
            let doc = serde_json::json!({"id": id, "blockedBy": blocked_by});
            TaskFile::parse(Path::new("x.json"), doc.to_string().as_bytes()).unwrap()
        };
        // 3 waits for 2, 2 waits for 1: 3, then 2, then 1.
        let chain = [
            task("1", &[]),
            task("2", &["1"]),
            task("3", &["2"]),
            task("10", &[]),
        ];
        assert_eq!(dependency_order(&chain), ["3", "2", "1", "10"]);
        let cycle = [task("1", &["2"]), task("2", &["1"]), task("3", &["1"])];
        assert_eq!(dependency_order(&cycle), ["3", "1", "2"]);
        assert!(dependency_order(&[]).is_empty());
    }

    #[tokio::test]
    async fn a_whole_list_is_deleted_in_dependency_order() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("s");
        std::fs::create_dir_all(&list).unwrap();
        for (name, body) in [
            ("1.json", r#"{"id":"1","blocks":["2"]}"#),
            ("2.json", r#"{"id":"2","blockedBy":["1"]}"#),
            ("3.json", r#"{"id":"3","metadata":{"_internal":true}}"#),
            ("broken.json", r#"{"id":"#),
            (".lock", ""),
        ] {
            std::fs::write(list.join(name), body).unwrap();
        }
        let board = Board::unwatched();
        let deleted = delete_list_tasks(&board, dir.path(), "s").await.unwrap();
        assert_eq!(deleted, ["2", "1", "3"]);
        let mut left: Vec<_> = std::fs::read_dir(&list)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".lock", "broken.json"], "only task documents go");
        assert_eq!(
            delete_list_tasks(&board, dir.path(), "missing").await,
            Err(AppError::NotFound("Session not found".into()))
        );
        assert!(matches!(
            delete_list_tasks(&board, dir.path(), "../s").await,
            Err(AppError::InvalidInput(_))
        ));
    }
}
