//! What the generator knows about the folder a flow works in: a bounded, ignore-aware scan for
//! real file paths, the commands its build files define, and the start of its README.
//!
//! Bounded on every axis (files listed, depth, bytes read) so a huge repository costs the same
//! few milliseconds as a small one; `.gitignore`, `.ignore` and hidden files are honoured so
//! `node_modules/` and `target/` never crowd out the project's own files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::AppError;

/// Most file paths listed in the prompt.
const MAX_FILES: usize = 120;
/// Deepest directory level walked below the root.
const MAX_DEPTH: usize = 4;
/// Most entries looked at (listed or not) before the walk stops.
const MAX_VISITED: usize = 5_000;
/// Most bytes read from one build file or README.
const MAX_READ: u64 = 64 * 1024;
/// Most characters of the README kept.
const README_CHARS: usize = 1_200;
/// Most commands kept.
const MAX_COMMANDS: usize = 40;

/// The facts a generation is grounded in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceFacts {
    /// The folder, absolute.
    pub root: String,
    /// Files relative to the root (`/`-separated), shallow ones first.
    pub files: Vec<String>,
    /// Commands the project's own files define, e.g. `npm run build`, `cargo test`, `make lint`.
    pub commands: Vec<String>,
    /// The start of the README, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readme: Option<String>,
    /// Whether the walk stopped at one of its bounds.
    pub truncated: bool,
}

/// Scans `root`, which must be an existing directory.
pub fn scan(root: &Path) -> Result<WorkspaceFacts, AppError> {
    let root = root.canonicalize().map_err(|e| {
        AppError::InvalidInput(format!(
            "the workspace {} cannot be used: {e}",
            root.display()
        ))
    })?;
    if !root.is_dir() {
        return Err(AppError::InvalidInput(format!(
            "the workspace {} is not a directory",
            root.display()
        )));
    }
    let mut facts = WorkspaceFacts {
        root: root.display().to_string(),
        ..WorkspaceFacts::default()
    };
    let mut files: Vec<(usize, String)> = Vec::new();
    let walk = ignore::WalkBuilder::new(&root)
        .max_depth(Some(MAX_DEPTH))
        .follow_links(false)
        .require_git(false)
        .sort_by_file_path(Path::cmp)
        .build();
    for (visited, entry) in walk.enumerate() {
        if visited >= MAX_VISITED {
            facts.truncated = true;
            break;
        }
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(&root) else {
            continue;
        };
        let Some(relative) = relative.to_str() else {
            continue;
        };
        files.push((entry.depth(), relative.replace('\\', "/")));
    }
    // Shallow files say most about a project; keep them when the list must be cut.
    files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    if files.len() > MAX_FILES {
        facts.truncated = true;
        files.truncate(MAX_FILES);
    }
    facts.files = files.into_iter().map(|(_, f)| f).collect();
    facts.commands = commands(&root, &facts.files);
    facts.readme = facts
        .files
        .iter()
        .find(|f| !f.contains('/') && f.to_ascii_lowercase().starts_with("readme"))
        .and_then(|f| read_bounded(&root.join(f)))
        .map(|text| text.chars().take(README_CHARS).collect());
    Ok(facts)
}

/// The commands the root's build files define.
fn commands(root: &Path, files: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let has = |name: &str| files.iter().any(|f| f == name);
    if has("package.json")
        && let Some(text) = read_bounded(&root.join("package.json"))
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(scripts) = json.get("scripts").and_then(|s| s.as_object())
    {
        let runner = if has("pnpm-lock.yaml") {
            "pnpm"
        } else if has("yarn.lock") {
            "yarn"
        } else {
            "npm"
        };
        for name in scripts.keys() {
            found.push(match name.as_str() {
                "test" | "start" if runner == "npm" => format!("npm {name}"),
                _ => format!("{runner} run {name}"),
            });
        }
    }
    if has("Cargo.toml") {
        for command in [
            "cargo build",
            "cargo test",
            "cargo clippy",
            "cargo fmt --check",
        ] {
            found.push(command.to_owned());
        }
    }
    for makefile in ["Makefile", "makefile", "GNUmakefile"] {
        if has(makefile)
            && let Some(text) = read_bounded(&root.join(makefile))
        {
            found.extend(make_targets(&text).map(|t| format!("make {t}")));
            break;
        }
    }
    if has("pyproject.toml") || has("setup.py") {
        found.push("python -m pytest".to_owned());
    }
    if has("go.mod") {
        found.extend(["go build ./...".to_owned(), "go test ./...".to_owned()]);
    }
    found.extend(
        files
            .iter()
            .filter(|f| f.ends_with(".sh"))
            .map(|f| format!("sh {f}")),
    );
    found.truncate(MAX_COMMANDS);
    found
}

/// A Makefile's plain targets (`name:` at the start of a line, not `.PHONY` or pattern rules).
fn make_targets(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let (name, rest) = line.split_once(':')?;
        let plain = !name.is_empty()
            && !rest.starts_with('=')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        plain.then_some(name)
    })
}

/// A small text file's content (at most [`MAX_READ`] bytes, lossy UTF-8); `None` if unreadable.
fn read_bounded(path: &PathBuf) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_READ).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    #[test]
    fn lists_real_files_and_the_commands_build_files_define() {
        let dir = tree(&[
            (
                "package.json",
                r#"{"scripts": {"build": "vite build", "test": "vitest"}}"#,
            ),
            (
                "Makefile",
                ".PHONY: lint\nlint:\n\techo\nVAR := 1\n%.o: %.c\n",
            ),
            ("scripts/deploy.sh", "echo"),
            ("src/main.ts", ""),
            ("README.md", "# Demo\nBuilds things."),
        ]);
        let facts = scan(dir.path()).unwrap();
        assert_eq!(
            facts.files,
            [
                "Makefile",
                "README.md",
                "package.json",
                "scripts/deploy.sh",
                "src/main.ts"
            ]
        );
        assert_eq!(
            facts.commands,
            [
                "npm run build",
                "npm test",
                "make lint",
                "sh scripts/deploy.sh"
            ]
        );
        assert_eq!(facts.readme.as_deref(), Some("# Demo\nBuilds things."));
        assert!(!facts.truncated);
    }

    #[test]
    fn ignore_rules_and_hidden_files_are_honoured() {
        let dir = tree(&[
            (".gitignore", "target/\n*.log\n"),
            ("target/debug/big.bin", ""),
            ("node_modules/x/index.js", ""),
            (".git/config", ""),
            ("app.log", ""),
            ("Cargo.toml", "[package]"),
        ]);
        std::fs::write(dir.path().join(".ignore"), "node_modules/\n").unwrap();
        let facts = scan(dir.path()).unwrap();
        assert_eq!(facts.files, ["Cargo.toml"]);
        assert!(facts.commands.contains(&"cargo test".to_owned()));
    }

    #[test]
    fn huge_trees_are_cut_shallow_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("top.txt"), "").unwrap();
        for i in 0..300 {
            let sub = dir.path().join(format!("d{i:03}"));
            std::fs::create_dir(&sub).unwrap();
            std::fs::write(sub.join("f.txt"), "").unwrap();
        }
        let facts = scan(dir.path()).unwrap();
        assert!(facts.truncated);
        assert_eq!(facts.files.len(), MAX_FILES);
        assert_eq!(facts.files[0], "top.txt");
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let err = scan(Path::new("/definitely/not/here")).unwrap_err();
        assert!(matches!(err, AppError::InvalidInput(m) if m.contains("/definitely/not/here")));
    }
}
