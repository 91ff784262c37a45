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

/// Serves `app`'s HTTP surface with `token` on a free loopback port, without a UI (static
/// paths answer 404); returns `http://127.0.0.1:<port>` and the token that stops the server.
pub async fn serve_loopback(
    app: flow_core::App,
    scratch: &Scratch,
    token: &str,
) -> Result<(String, tokio_util::sync::CancellationToken), flow_core::AppError> {
    let shutdown = tokio_util::sync::CancellationToken::new();
    let options = flow_http::HttpOptions::new(
        flow_http::AccessToken::new(token)?,
        flow_http::StaticUi::Dir(scratch.path().join("no-ui")),
        shutdown.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| flow_core::AppError::io("bind", e))?;
    let address = listener
        .local_addr()
        .map_err(|e| flow_core::AppError::io("local addr", e))?;
    tokio::spawn(flow_http::serve(listener, app, options));
    Ok((format!("http://{address}"), shutdown))
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
