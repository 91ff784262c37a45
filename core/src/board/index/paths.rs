//! Where a changed path sits in Claude Code's two trees, and so which index entry it touches.

use std::path::{Path, PathBuf};

use crate::board::task_lists::is_task_file;

/// The two directories the board mirrors.
#[derive(Debug, Clone)]
pub(crate) struct BoardPaths {
    /// `TASKS_DIR`: one directory per task list.
    pub tasks_dir: PathBuf,
    /// `PROJECTS_DIR`: one directory per project, holding session transcripts.
    pub projects_dir: PathBuf,
}

/// The index entry a path stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// `TASKS_DIR` itself, or `PROJECTS_DIR` itself: everything below may have changed.
    Root,
    /// `TASKS_DIR/<list>`.
    List(String),
    /// `TASKS_DIR/<list>/<file>.json`.
    TaskFile {
        /// The list (session) id.
        list: String,
        /// The file name.
        file: String,
    },
    /// A `*.json` file directly in `TASKS_DIR`: in no list, but clients were always told.
    StrayTaskFile(String),
    /// `PROJECTS_DIR/<project>`.
    Project(PathBuf),
    /// `PROJECTS_DIR/<project>/<session>.jsonl` (not `agent-*`).
    Transcript(PathBuf),
    /// `PROJECTS_DIR/<project>/sessions-index.json`.
    SessionIndex(PathBuf),
    /// Anything else (sidecars, subagent transcripts, temp files): no entry depends on it.
    Other,
}

impl BoardPaths {
    /// Classifies `path`.
    pub fn place(&self, path: &Path) -> Place {
        if let Ok(relative) = path.strip_prefix(&self.tasks_dir) {
            return tasks_place(relative);
        }
        if let Ok(relative) = path.strip_prefix(&self.projects_dir) {
            return projects_place(&self.projects_dir, relative);
        }
        Place::Other
    }
}

fn names(relative: &Path) -> Option<Vec<&str>> {
    relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect()
}

fn tasks_place(relative: &Path) -> Place {
    let Some(names) = names(relative) else {
        return Place::Other;
    };
    match names.as_slice() {
        [] => Place::Root,
        [file] if is_task_file(Path::new(file)) => Place::StrayTaskFile((*file).to_owned()),
        [list] => Place::List((*list).to_owned()),
        [list, file] if is_task_file(Path::new(file)) => Place::TaskFile {
            list: (*list).to_owned(),
            file: (*file).to_owned(),
        },
        _ => Place::Other,
    }
}

fn projects_place(projects_dir: &Path, relative: &Path) -> Place {
    let Some(names) = names(relative) else {
        return Place::Other;
    };
    match names.as_slice() {
        [] => Place::Root,
        [project] => Place::Project(projects_dir.join(project)),
        [_, "sessions-index.json"] => Place::SessionIndex(projects_dir.join(relative)),
        [_, file] if transcript_session(file).is_some() => {
            Place::Transcript(projects_dir.join(relative))
        }
        _ => Place::Other,
    }
}

/// The session id of a top-level transcript file name (`<id>.jsonl`, not `agent-*`).
pub(crate) fn transcript_session(file_name: &str) -> Option<&str> {
    let id = file_name.strip_suffix(".jsonl")?;
    (!id.is_empty() && !id.starts_with("agent-")).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_the_entries_they_touch() {
        let paths = BoardPaths {
            tasks_dir: "/c/tasks".into(),
            projects_dir: "/c/projects".into(),
        };
        let place = |p: &str| paths.place(Path::new(p));
        assert_eq!(place("/c/tasks"), Place::Root);
        assert_eq!(place("/c/tasks/s1"), Place::List("s1".into()));
        assert_eq!(
            place("/c/tasks/s1/2.json"),
            Place::TaskFile {
                list: "s1".into(),
                file: "2.json".into()
            }
        );
        assert_eq!(place("/c/tasks/s1/.lock"), Place::Other);
        assert_eq!(place("/c/tasks/s1/.tmp.json"), Place::Other);
        assert_eq!(place("/c/tasks/s1/x/2.json"), Place::Other);
        assert_eq!(
            place("/c/tasks/stray.json"),
            Place::StrayTaskFile("stray.json".into())
        );
        assert_eq!(place("/c/projects"), Place::Root);
        assert_eq!(
            place("/c/projects/p"),
            Place::Project("/c/projects/p".into())
        );
        assert_eq!(
            place("/c/projects/p/abc.jsonl"),
            Place::Transcript("/c/projects/p/abc.jsonl".into())
        );
        assert_eq!(place("/c/projects/p/agent-1.jsonl"), Place::Other);
        assert_eq!(place("/c/projects/p/abc/subagents/x.jsonl"), Place::Other);
        assert_eq!(
            place("/c/projects/p/sessions-index.json"),
            Place::SessionIndex("/c/projects/p/sessions-index.json".into())
        );
        assert_eq!(place("/elsewhere/x.json"), Place::Other);
    }
}
