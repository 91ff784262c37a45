//! The task lists under `TASKS_DIR`: one directory per list, named after the session
//! (`<uuid>` or `session-<uuid>`) or a team, holding `<id>.json` files plus `.lock` /
//! `.highwatermark` sidecars that are never tasks. Which files are tasks, reading a list from
//! disk (for writers), and a list's counts.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::task::TaskFile;

/// The `*.json` files of a list directory (sidecars and other files left out).
pub fn task_files(list_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(list_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        // Regular files only: a symbolic link could lead outside the tasks folder.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
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
    fn reads_a_lists_tasks_with_or_without_lifecycle_ones() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("team-alpha");
        std::fs::create_dir_all(&list).unwrap();
        for (name, body) in [
            (
                "10.json",
                r#"{"id":"10","subject":"a","status":"completed"}"#,
            ),
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
        assert_eq!(task_files(&list).len(), 3);
        let visible: Vec<_> = read_tasks(&list, false).iter().map(TaskFile::id).collect();
        assert_eq!(visible, ["10"]);
        assert_eq!(read_tasks(&list, true).len(), 2);
        assert!(read_tasks(&dir.path().join("missing"), true).is_empty());
    }
}
