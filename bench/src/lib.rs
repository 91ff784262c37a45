//! Shared measurement code for Flow's benchmark binaries (`cargo run --release -p flow-bench --bin <name>`).

use std::time::{Duration, Instant};

pub mod board;
/// The Claude Code tree generator of the end-to-end tests, compiled here from the same file so
/// the board benchmark serves exactly the tree the tests check (flow-tests itself pulls in the
/// desktop shell, too heavy for a benchmark's release build).
#[path = "../../tests/src/claude_fixture.rs"]
pub mod claude_fixture;

/// Runs `work` `iterations` times and returns each run's duration, sorted ascending.
pub fn sample<F: FnMut()>(iterations: usize, mut work: F) -> Vec<Duration> {
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples
}

/// The `p`-th percentile (0.0..=1.0) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let last = sorted.len() - 1;
    // Rounding to the nearest rank is the usual definition for small sample counts.
    let rank = ((last as f64) * p.clamp(0.0, 1.0)).round() as usize;
    sorted[rank.min(last)]
}

/// A throwaway Flow data directory (`data/`, plus a `home/` for the agent board paths), removed
/// when dropped.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// Makes the directories.
    pub fn new() -> Result<Self, flow_core::AppError> {
        let dir = tempfile::tempdir().map_err(|e| flow_core::AppError::io("tempdir", e))?;
        std::fs::create_dir_all(dir.path().join("home"))
            .map_err(|e| flow_core::AppError::io("home", e))?;
        Ok(Self { dir })
    }

    /// The root (for files a benchmark keeps beside the data directory).
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The data directory the app opens on; prepare files in it before [`Scratch::open`].
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Opens a server-edition app on the data directory.
    pub fn open(&self) -> Result<flow_core::App, flow_core::AppError> {
        flow_core::App::open(
            flow_core::AppConfig::new(
                self.data_dir(),
                flow_core::Edition::Server,
                &self.dir.path().join("home"),
            )
            .with_model_runtime(flow_llama::runtime()),
        )
    }
}

/// The real test model (Gemma 3 270M Q4_K_M): `$FLOW_TEST_MODEL`, or where
/// `tests/models/fetch-test-model.sh` caches it.
pub fn test_model_path() -> std::path::PathBuf {
    std::env::var_os("FLOW_TEST_MODEL").map_or_else(
        || {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/flow-ci/models/gemma-3-270m-q4_k_m.gguf")
        },
        std::path::PathBuf::from,
    )
}
