//! The workspace jail: every path an adapter touches must resolve inside one root directory.
//!
//! `..` is normalized lexically, the longest existing ancestor is canonicalized (so symlinks are
//! followed to where they really point) and the not-yet-existing tail is re-appended: new files
//! are allowed, but a symlink inside the workspace that points out is not a way out.

use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a candidate path was refused.
#[derive(Debug, thiserror::Error)]
pub enum PathEscape {
    /// The path resolves outside the root (lexically or through a symlink).
    #[error("path escapes the workspace: {0}")]
    Escapes(String),
    /// The path contains a NUL byte, which no file name may hold.
    #[error("path contains a NUL byte: {0:?}")]
    NulByte(String),
    /// The path names a symlink whose target does not exist; it could point anywhere later.
    #[error("path escapes the workspace: {0} is a dangling symlink")]
    DanglingSymlink(String),
    /// The root itself could not be resolved.
    #[error("workspace root {root} is not usable: {source}")]
    Root {
        /// The root as given.
        root: String,
        /// What canonicalizing it said.
        source: io::Error,
    },
    /// A component on the way could not be inspected.
    #[error("cannot resolve {path}: {source}")]
    Io {
        /// The candidate path.
        path: String,
        /// What the filesystem said.
        source: io::Error,
    },
}

/// Resolves `candidate` (relative to `root`, or absolute) to a path that lies inside `root`.
///
/// The returned path is absolute, contains no `.`/`..` and no symlink in its existing part.
pub fn confine_path(root: &Path, candidate: &str) -> Result<PathBuf, PathEscape> {
    if candidate.contains('\0') {
        return Err(PathEscape::NulByte(candidate.to_owned()));
    }
    let spelled_root = normalize(root);
    let root = root.canonicalize().map_err(|source| PathEscape::Root {
        root: root.display().to_string(),
        source,
    })?;
    let escapes = || PathEscape::Escapes(candidate.to_owned());
    let given = Path::new(candidate);
    let joined = if given.is_absolute() {
        let given = normalize(given);
        // An absolute path spelled through the root as given (e.g. `/tmp/ws` where `/tmp` is a
        // symlink) is rebased onto the canonical root rather than refused for its spelling.
        match given.strip_prefix(&spelled_root) {
            Ok(rest) if spelled_root.is_absolute() => root.join(rest),
            _ => given,
        }
    } else {
        root.join(given)
    };
    let normalized = normalize(&joined);
    // Refuse the plainly-outside early; the canonical check below catches the symlinked rest.
    if !normalized.starts_with(&root) {
        return Err(escapes());
    }

    let mut existing = normalized;
    let mut tail: Vec<OsString> = Vec::new();
    loop {
        match std::fs::symlink_metadata(&existing) {
            Ok(_) => break,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let Some(name) = existing.file_name() else {
                    return Err(escapes());
                };
                tail.push(name.to_owned());
                if !existing.pop() {
                    return Err(escapes());
                }
            }
            Err(source) => {
                return Err(PathEscape::Io {
                    path: candidate.to_owned(),
                    source,
                });
            }
        }
    }
    let mut resolved = match existing.canonicalize() {
        Ok(path) => path,
        // It exists as a link but its target does not: writing through it would create the
        // target wherever it points, so it is refused rather than guessed at.
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(PathEscape::DanglingSymlink(candidate.to_owned()));
        }
        Err(source) => {
            return Err(PathEscape::Io {
                path: candidate.to_owned(),
                source,
            });
        }
    };
    for name in tail.iter().rev() {
        resolved.push(name);
    }
    if resolved.starts_with(&root) {
        Ok(resolved)
    } else {
        Err(escapes())
    }
}

/// Removes `.` and folds `..` without touching the filesystem (`..` at `/` stays at `/`).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => out.push(prefix.as_os_str()),
            Component::RootDir => out.push(Component::RootDir.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => out.push(name),
        }
    }
    out
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    struct Jail {
        _dir: tempfile::TempDir,
        _outside: tempfile::TempDir,
        root: PathBuf,
        outside: PathBuf,
    }

    fn jail() -> Jail {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src/nested")).unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::write(outside.path().join("secret"), "s3cret").unwrap();
        Jail {
            outside: outside.path().canonicalize().unwrap(),
            _dir: dir,
            _outside: outside,
            root,
        }
    }

    fn refused(root: &Path, candidate: &str) {
        match confine_path(root, candidate) {
            Err(PathEscape::Escapes(_) | PathEscape::DanglingSymlink(_)) => {}
            other => panic!("{candidate:?} should escape, got {other:?}"),
        }
    }

    #[test]
    fn relative_and_absolute_paths_inside_are_allowed() {
        let j = jail();
        assert_eq!(
            confine_path(&j.root, "src/main.rs").unwrap(),
            j.root.join("src/main.rs")
        );
        assert_eq!(
            confine_path(&j.root, "./src/../src/./main.rs").unwrap(),
            j.root.join("src/main.rs")
        );
        let abs = j.root.join("src/main.rs").display().to_string();
        assert_eq!(
            confine_path(&j.root, &abs).unwrap(),
            j.root.join("src/main.rs")
        );
        assert_eq!(confine_path(&j.root, "").unwrap(), j.root);
        assert_eq!(confine_path(&j.root, ".").unwrap(), j.root);
        assert_eq!(confine_path(&j.root, "src/..").unwrap(), j.root);
    }

    #[test]
    fn new_files_and_directories_are_allowed() {
        let j = jail();
        assert_eq!(
            confine_path(&j.root, "new/dir/file.txt").unwrap(),
            j.root.join("new/dir/file.txt")
        );
        assert_eq!(
            confine_path(&j.root, "src/nested/later.rs").unwrap(),
            j.root.join("src/nested/later.rs")
        );
    }

    #[test]
    fn parent_traversal_and_outside_absolutes_are_refused() {
        let j = jail();
        refused(&j.root, "../x");
        refused(&j.root, "a/../../x");
        refused(&j.root, "src/../../../etc/passwd");
        refused(&j.root, "/etc/passwd");
        refused(&j.root, "/");
        refused(&j.root, &j.outside.join("secret").display().to_string());
        // A sibling that merely shares the root's name as a prefix is outside.
        refused(&j.root, &format!("{}-evil/x", j.root.display()));
    }

    #[test]
    fn symlinks_pointing_out_are_refused() {
        let j = jail();
        symlink(&j.outside, j.root.join("linkdir")).unwrap();
        symlink(j.outside.join("secret"), j.root.join("linkfile")).unwrap();
        refused(&j.root, "linkdir");
        refused(&j.root, "linkdir/secret");
        refused(&j.root, "linkfile");
        // A new file under a symlinked parent would be created outside.
        refused(&j.root, "linkdir/new.txt");
        refused(&j.root, "linkdir/deeper/new.txt");
    }

    #[test]
    fn dangling_symlinks_are_refused() {
        let j = jail();
        symlink(j.outside.join("not-yet"), j.root.join("dangling")).unwrap();
        refused(&j.root, "dangling");
    }

    #[test]
    fn symlinks_pointing_inside_resolve_to_their_target() {
        let j = jail();
        symlink(j.root.join("src"), j.root.join("srclink")).unwrap();
        assert_eq!(
            confine_path(&j.root, "srclink/main.rs").unwrap(),
            j.root.join("src/main.rs")
        );
        assert_eq!(
            confine_path(&j.root, "srclink/fresh.rs").unwrap(),
            j.root.join("src/fresh.rs")
        );
    }

    #[test]
    fn a_symlinked_root_is_canonicalized() {
        let j = jail();
        let holder = tempfile::tempdir().unwrap();
        let alias = holder.path().join("alias");
        symlink(&j.root, &alias).unwrap();
        assert_eq!(
            confine_path(&alias, "src/main.rs").unwrap(),
            j.root.join("src/main.rs")
        );
        let via_alias = alias.join("src/main.rs").display().to_string();
        assert_eq!(
            confine_path(&alias, &via_alias).unwrap(),
            j.root.join("src/main.rs")
        );
        refused(&alias, &alias.join("../x").display().to_string());
    }

    #[test]
    fn nul_bytes_and_missing_roots_are_errors() {
        let j = jail();
        assert!(matches!(
            confine_path(&j.root, "a\0b"),
            Err(PathEscape::NulByte(_))
        ));
        assert!(matches!(
            confine_path(&j.root.join("missing-root"), "x"),
            Err(PathEscape::Root { .. })
        ));
    }
}
