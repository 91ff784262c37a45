//! The task lists under `TASKS_DIR`: one directory per list, named after the session
//! (`<uuid>` or `session-<uuid>`) or a team, holding `<id>.json` files plus `.lock` /
//! `.highwatermark` sidecars that are never tasks.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::task::TaskFile;

/// One list directory.
#[derive(Debug, Clone)]
pub struct TaskList {
    /// The directory name: the session (list) id clients use.
    pub id: String,
    /// The directory.
    pub path: PathBuf,
}

impl TaskList {
    /// The session UUID whose transcript belongs to this list (`session-<uuid>` → `<uuid>`).
    pub fn session_uuid(&self) -> &str {
        self.id.strip_prefix("session-").unwrap_or(&self.id)
    }
}

/// Every list directory in `tasks_dir` (empty when it does not exist), sorted by name so every
/// answer is deterministic.
pub fn lists(tasks_dir: &Path) -> Vec<TaskList> {
    let entries = match std::fs::read_dir(tasks_dir) {
        Ok(entries) => entries,
        Err(err) => {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(dir = %tasks_dir.display(), %err, "tasks dir unreadable");
            }
            return Vec::new();
        }
    };
    let mut lists: Vec<TaskList> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let id = e.file_name().into_string().ok()?;
            Some(TaskList { id, path: e.path() })
        })
        .collect();
    lists.sort_by(|a, b| a.id.cmp(&b.id));
    lists
}

/// The `*.json` files of a list directory (sidecars and other files left out).
pub fn task_files(list_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(list_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_task_file(p))
        .collect()
}

/// `<something>.json`, not hidden (so `.lock`, `.highwatermark` and temp files never count).
pub fn is_task_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.starts_with('.') && name.ends_with(".json") && name.len() > ".json".len()
}

/// The parseable tasks of a list; lifecycle tasks only when `include_internal`.
pub fn read_tasks(list_dir: &Path, include_internal: bool) -> Vec<TaskFile> {
    task_files(list_dir)
        .iter()
        .filter_map(|p| TaskFile::read(p))
        .filter(|t| include_internal || !t.is_internal())
        .collect()
}

/// Sorts tasks by numeric id (non-numbers as 0, as the original), then by id text.
pub fn sort_by_id(tasks: &mut [TaskFile]) {
    tasks.sort_by_cached_key(|t| {
        let id = t.id();
        (id.parse::<u64>().unwrap_or(0), id)
    });
}

/// Counts of one list for the session list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCounts {
    /// Every `*.json` file, parseable or not.
    pub task_count: u32,
    /// Tasks with status `completed`.
    pub completed: u32,
    /// Tasks with status `in_progress`.
    pub in_progress: u32,
    /// Every other parseable task.
    pub pending: u32,
    /// The newest mtime among the task files, else the directory's.
    pub modified: Option<SystemTime>,
}

/// Counts the tasks of a list as the board shows them: lifecycle (`metadata._internal`) tasks
/// are hidden, so they are not counted either; unreadable files still count as tasks.
pub fn counts(list_dir: &Path) -> ListCounts {
    let mut counts = ListCounts::default();
    for path in task_files(list_dir) {
        if let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) {
            counts.modified = counts.modified.max(Some(modified));
        }
        let task = TaskFile::read(&path);
        if task.as_ref().is_some_and(TaskFile::is_internal) {
            continue;
        }
        counts.task_count += 1;
        let Some(task) = task else {
            continue;
        };
        match task.status() {
            "completed" => counts.completed += 1,
            "in_progress" => counts.in_progress += 1,
            _ => counts.pending += 1,
        }
    }
    if counts.modified.is_none() {
        counts.modified = std::fs::metadata(list_dir).and_then(|m| m.modified()).ok();
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecars_hidden_files_and_non_json_are_not_tasks() {
        for (name, is_task) in [
            ("1.json", true),
            ("12.json", true),
            (".lock", false),
            (".highwatermark", false),
            (".tmp-abc.json", false),
            ("notes.txt", false),
            (".json", false),
            ("1.json.bak", false),
        ] {
            assert_eq!(is_task_file(Path::new(name)), is_task, "{name}");
        }
    }

    #[test]
    fn reads_counts_and_sorts_a_list() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("team-alpha");
        std::fs::create_dir_all(&list).unwrap();
        std::fs::create_dir_all(dir.path().join("session-abc")).unwrap();
        std::fs::write(dir.path().join("stray.json"), "{}").unwrap();
        for (name, body) in [
            (
                "10.json",
                r#"{"id":"10","subject":"a","status":"completed"}"#,
            ),
            ("2.json", r#"{"id":2,"subject":"b","status":"in_progress"}"#),
            (
                "3.json",
                r#"{"id":"3","subject":"c","metadata":{"_internal":true}}"#,
            ),
            ("4.json", r#"{"id":"4","#),
            (".lock", ""),
            (".highwatermark", "10"),
        ] {
            std::fs::write(list.join(name), body).unwrap();
        }
        let ids: Vec<_> = lists(dir.path()).into_iter().map(|l| l.id).collect();
        assert_eq!(ids, ["session-abc", "team-alpha"]);
        let mut visible = read_tasks(&list, false);
        sort_by_id(&mut visible);
        assert_eq!(
            visible.iter().map(TaskFile::id).collect::<Vec<_>>(),
            ["2", "10"]
        );
        assert_eq!(read_tasks(&list, true).len(), 3);
        let c = counts(&list);
        assert_eq!(
            (c.task_count, c.completed, c.in_progress, c.pending),
            (3, 1, 1, 0),
            "the lifecycle task is hidden and not counted; the broken file still counts"
        );
        assert!(c.modified.is_some());
        assert!(lists(&dir.path().join("missing")).is_empty());
        let l = TaskList {
            id: "session-abc".into(),
            path: PathBuf::new(),
        };
        assert_eq!(l.session_uuid(), "abc");
    }
}
