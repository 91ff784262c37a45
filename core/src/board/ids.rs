//! Ids that come from clients become path components: refuse anything that could escape.

use crate::AppError;

/// Checks a session (task list) id: non-empty, no `..`, no path separator, no NUL.
pub fn session_id(id: &str) -> Result<&str, AppError> {
    check(id).ok_or_else(|| AppError::InvalidInput("Invalid session ID".into()))
}

/// Checks a task id the same way.
pub fn task_id(id: &str) -> Result<&str, AppError> {
    check(id).ok_or_else(|| AppError::InvalidInput("Invalid task ID".into()))
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
