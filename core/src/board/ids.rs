//! Ids that come from clients become path components: refuse anything that could escape.

use std::path::PathBuf;

use crate::AppError;

/// Checks a session (task list) id: non-empty, no `..`, no path separator, no NUL.
pub fn session_id(id: &str) -> Result<&str, AppError> {
    check(id).ok_or_else(|| AppError::InvalidInput("Invalid session ID".into()))
}

/// Checks a task id the same way.
pub fn task_id(id: &str) -> Result<&str, AppError> {
    check(id).ok_or_else(|| AppError::InvalidInput("Invalid task ID".into()))
}

/// `path` itself, unless it is a symbolic link (a missing path is fine: the caller reports it).
pub fn not_a_link(path: PathBuf) -> Result<PathBuf, AppError> {
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(AppError::InvalidInput(format!(
            "{} is a symbolic link; the board changes only files inside the tasks folder",
            path.display()
        ))),
        _ => Ok(path),
    }
}

fn check(id: &str) -> Option<&str> {
    let bad = id.is_empty()
        || id == "."
        || id.contains("..")
        || id.contains(['/', '\\', '\0'])
        || id.chars().any(char::is_control);
    (!bad).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_a_missing_path_passes() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        assert!(not_a_link(real.clone()).is_ok());
        assert!(not_a_link(dir.path().join("missing")).is_ok());
        let err = not_a_link(dir.path().join("link")).unwrap_err();
        assert_eq!(err.kind(), "InvalidInput");
        assert!(err.message().contains("symbolic link"), "{err}");
    }

    #[test]
    fn refuses_traversal_separators_nul_and_empty() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            "a\0b",
            "x..y",
            "line\nbreak",
        ] {
            assert!(
                matches!(session_id(bad), Err(AppError::InvalidInput(_))),
                "{bad:?}"
            );
            assert!(
                matches!(task_id(bad), Err(AppError::InvalidInput(_))),
                "{bad:?}"
            );
        }
        for good in [
            "3f2b9c1e-7a4d-4e6b-9c21-0d8e5a7b1f42",
            "session-3f2b9c1e-7a4d-4e6b-9c21-0d8e5a7b1f42",
            "team-alpha",
            "12",
            ".hidden",
        ] {
            assert_eq!(session_id(good).unwrap(), good);
            assert_eq!(task_id(good).unwrap(), good);
        }
    }
}
