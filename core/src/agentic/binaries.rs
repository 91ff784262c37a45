//! Which command-line tools this machine has: a generated flow only offers the CLI and shell
//! presets whose program is on `PATH`, since a step for a missing tool could only fail (and
//! every type left out makes the grammar smaller and a generation faster).

use std::path::Path;

/// Whether an executable named `name` is in one of `PATH`'s directories.
pub fn on_path(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| is_executable(&dir.join(name)))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_shell_and_not_a_made_up_tool() {
        assert!(on_path("sh"));
        assert!(!on_path("flow-no-such-tool-0123"));
    }
}
