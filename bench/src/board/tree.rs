//! The generated Claude Code tree (`tasks/`, `projects/`) under a temporary directory.

use std::path::{Path, PathBuf};

use crate::board::{BenchError, io_error};
use crate::claude_fixture::{Fixture, FixtureOptions, generate};

/// How big a tree to write.
#[derive(Debug, Clone)]
pub struct TreeSize {
    /// Sessions with a task list and a transcript.
    pub sessions: usize,
    /// Task files per session.
    pub tasks_per_session: usize,
    /// Every transcript's size, except the larger ones below.
    pub jsonl_bytes: usize,
    /// Sessions 1..=N get a larger transcript.
    pub large: usize,
    /// The larger transcripts' size.
    pub large_bytes: usize,
    /// Session 0's transcript, the one the append test writes to.
    pub append_bytes: usize,
}

const MIB: usize = 1024 * 1024;

impl TreeSize {
    /// The sizes: 1,000 sessions, 20,000 tasks, about 1 GiB of JSONL in all (0.88 MiB
    /// per transcript, four of 8 MiB and one of 100 MiB).
    pub fn full() -> Self {
        Self {
            sessions: 1000,
            tasks_per_session: 20,
            jsonl_bytes: 900 * 1024,
            large: 4,
            large_bytes: 8 * MIB,
            append_bytes: 100 * MIB,
        }
    }

    /// A smoke-test tree: 50 sessions, 1,000 tasks, about 16 MiB of JSONL.
    pub fn quick() -> Self {
        Self {
            sessions: 50,
            tasks_per_session: 20,
            jsonl_bytes: 64 * 1024,
            large: 2,
            large_bytes: MIB,
            append_bytes: 10 * MIB,
        }
    }
}

/// A written tree, deleted when dropped.
pub struct Tree {
    dir: tempfile::TempDir,
    /// What the generator wrote.
    pub fixture: Fixture,
    /// Bytes of `*.jsonl` under `projects/`.
    pub jsonl_bytes: u64,
    /// `*.jsonl` files under `projects/`.
    pub jsonl_files: usize,
    /// Task files (`*.json`) under `tasks/`.
    pub task_files: usize,
    /// The transcript the append test writes to (session 0's).
    pub append_transcript: PathBuf,
    /// The session that transcript belongs to.
    pub append_session: String,
}

impl Tree {
    /// Writes a tree of `size` under a new directory in the system temp dir.
    pub fn write(size: &TreeSize) -> Result<Self, BenchError> {
        let dir = tempfile::Builder::new()
            .prefix("flow-board-bench-")
            .tempdir()
            .map_err(io_error("temp dir for the tree"))?;
        let root = dir.path().join("claude");
        let fixture = generate(
            &root,
            &FixtureOptions {
                sessions: size.sessions,
                tasks_per_session: size.tasks_per_session,
                jsonl_bytes: size.jsonl_bytes,
            },
        )
        .map_err(io_error("generate the tree"))?;
        // The generator derives everything about session i from i alone, so a second tree
        // padded further holds the same sessions' transcripts, only longer: move those over.
        let large = dir.path().join("large");
        let large_fixture = generate(
            &large,
            &FixtureOptions {
                sessions: size.large,
                tasks_per_session: 4,
                jsonl_bytes: size.large_bytes,
            },
        )
        .map_err(io_error("generate the larger transcripts"))?;
        for i in 1..=size.large.min(size.sessions.saturating_sub(1)) {
            replace_transcript(&large_fixture.projects_dir, &fixture.projects_dir, i)?;
        }
        // With no listed sessions, the generator writes session 0 as its only (transcript-only)
        // session: exactly session 0's transcript, padded to the append test's size.
        let append = dir.path().join("append");
        let append_fixture = generate(
            &append,
            &FixtureOptions {
                sessions: 0,
                tasks_per_session: 4,
                jsonl_bytes: size.append_bytes,
            },
        )
        .map_err(io_error("generate the append test's transcript"))?;
        let append_transcript =
            replace_transcript(&append_fixture.projects_dir, &fixture.projects_dir, 0)?;
        for side in [&large, &append] {
            std::fs::remove_dir_all(side).map_err(io_error("remove a side tree"))?;
        }
        let (jsonl_files, jsonl_bytes) = count_files(&fixture.projects_dir, "jsonl")?;
        let (task_files, _) = count_files(&fixture.tasks_dir, "json")?;
        let append_session = crate::claude_fixture::session_uuid(0);
        Ok(Self {
            dir,
            fixture,
            jsonl_bytes,
            jsonl_files,
            task_files,
            append_transcript,
            append_session,
        })
    }

    /// The temporary directory holding the tree (for the server's other scratch files too).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Moves session `i`'s transcript from the `from` projects dir over the one in `to`; returns
/// its path in `to`.
fn replace_transcript(from: &Path, to: &Path, i: usize) -> Result<PathBuf, BenchError> {
    let name = format!("{}.jsonl", crate::claude_fixture::session_uuid(i));
    let source = find_file(from, &name)?;
    let target = find_file(to, &name)?;
    std::fs::rename(&source, &target).map_err(io_error(format!(
        "move {} to {}",
        source.display(),
        target.display()
    )))?;
    Ok(target)
}

/// A transcript sits one level down, in its project's directory.
fn find_file(projects: &Path, name: &str) -> Result<PathBuf, BenchError> {
    for entry in std::fs::read_dir(projects).map_err(io_error("read the projects dir"))? {
        let candidate = entry
            .map_err(io_error("read the projects dir"))?
            .path()
            .join(name);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(BenchError::Setup(format!(
        "the generator wrote no {name} under {}",
        projects.display()
    )))
}

/// Files ending in `.<ext>` under `dir`, recursively, and their total size.
fn count_files(dir: &Path, ext: &str) -> Result<(usize, u64), BenchError> {
    let mut files = 0;
    let mut bytes = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io_error("walk the tree"))? {
            let entry = entry.map_err(io_error("walk the tree"))?;
            let meta = entry.metadata().map_err(io_error("walk the tree"))?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else if entry.path().extension().is_some_and(|e| e == ext) {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    Ok((files, bytes))
}
