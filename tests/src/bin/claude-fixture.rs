//! Writes a generated Claude Code tree (`<dir>/tasks`, `<dir>/projects`) for tests and
//! benchmarks: `cargo run -p flow-tests --bin claude-fixture -- <dir> [--sessions N] [--jsonl-mb M]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use flow_tests::claude_fixture::{FixtureOptions, generate};

/// Generate a realistic `~/.claude` tree (task lists and transcripts) with every edge case.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Directory to write into (created); point TASKS_DIR/PROJECTS_DIR at <dir>/tasks and <dir>/projects.
    dir: PathBuf,
    /// Sessions with a task list and a transcript (one transcript-only session is added).
    #[arg(long, default_value_t = 6)]
    sessions: usize,
    /// Tasks per session list (at least 4).
    #[arg(long, default_value_t = 4)]
    tasks: usize,
    /// Pad each transcript to about this many MiB.
    #[arg(long, default_value_t = 0.0)]
    jsonl_mb: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = FixtureOptions {
        sessions: args.sessions,
        tasks_per_session: args.tasks,
        jsonl_bytes: (args.jsonl_mb.max(0.0) * 1024.0 * 1024.0) as usize,
    };
    match generate(&args.dir, &options) {
        Ok(fixture) => {
            eprintln!(
                "wrote {} sessions: TASKS_DIR={} PROJECTS_DIR={}",
                fixture.sessions.len(),
                fixture.tasks_dir.display(),
                fixture.projects_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("claude-fixture: {err}");
            ExitCode::FAILURE
        }
    }
}
