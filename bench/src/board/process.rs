//! The processes under test: the release `flow-server` and the bare route, each a child that
//! prints `... listening on http://<addr>` on stdout; and their memory from `/proc`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::board::{BenchError, io_error};

/// The token the benchmark's servers are started with.
pub const TOKEN: &str = "board-bench-token-0123456789abcdef";

/// A child process serving HTTP, killed when dropped.
pub struct Served {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// From spawning to the `listening on` line.
    pub announced_after: Duration,
    /// When it was spawned.
    pub spawned_at: Instant,
}

impl Served {
    /// The process id (for `/proc/<pid>/status`).
    pub fn pid(&self) -> Result<u32, BenchError> {
        self.child
            .id()
            .ok_or_else(|| BenchError::Setup("the server has already exited".into()))
    }

    /// Resident and peak memory now.
    pub fn memory(&self) -> Result<Memory, BenchError> {
        Memory::of(self.pid()?)
    }

    /// Stops the process and waits for it.
    pub async fn stop(mut self) -> Result<(), BenchError> {
        self.child
            .kill()
            .await
            .map_err(io_error("stop a server process"))
    }
}

/// Where `flow-server` is: `FLOW_SERVER_BIN`, or beside this benchmark's own binary (the same
/// profile's build of the workspace).
pub fn server_binary() -> Result<PathBuf, BenchError> {
    if let Some(path) = std::env::var_os("FLOW_SERVER_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(io_error("find the benchmark's own binary"))?;
    let bin = exe
        .parent()
        .map(|dir| dir.join(format!("flow-server{}", std::env::consts::EXE_SUFFIX)))
        .filter(|bin| bin.is_file())
        .ok_or_else(|| {
            BenchError::Setup(format!(
                "no flow-server beside {}: build it with `cargo build --release -p flow-server` \
                 (same CARGO_TARGET_DIR), or point FLOW_SERVER_BIN at one",
                exe.display()
            ))
        })?;
    Ok(bin)
}

/// The directories a `flow-server` is started on.
pub struct ServerDirs<'a> {
    /// `TASKS_DIR`.
    pub tasks: &'a Path,
    /// `PROJECTS_DIR`.
    pub projects: &'a Path,
    /// Scratch space: `FLOW_STUDIO_DIR`, `HOME` and the log file go under it.
    pub scratch: &'a Path,
}

/// Starts the real server on `127.0.0.1:0`. The environment is cleared as the end-to-end tests
/// do; logging stays at the server's default (`info`, one line per request) and goes to
/// `<scratch>/server.log`. The child inherits this process's (raised) descriptor limit.
pub async fn start_server(binary: &Path, dirs: &ServerDirs<'_>) -> Result<Served, BenchError> {
    std::fs::create_dir_all(dirs.scratch).map_err(io_error("server scratch dir"))?;
    let log_path = dirs.scratch.join("server.log");
    let log = std::fs::File::create(&log_path).map_err(io_error("server log"))?;
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dirs.scratch)
        .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
        .env("FLOW_SERVER_TOKEN", TOKEN)
        .env("FLOW_STUDIO_DIR", dirs.scratch.join("studio"))
        .env("FLOW_SECRET_STORE", "file")
        .env("TASKS_DIR", dirs.tasks)
        .env("PROJECTS_DIR", dirs.projects)
        .stderr(Stdio::from(log));
    spawn_announced(command, &log_path).await
}

/// Starts this benchmark's binary again as the bare route (`--bare-server <manifest>`).
pub async fn start_bare(manifest: &Path, log_path: &Path) -> Result<Served, BenchError> {
    let exe = std::env::current_exe().map_err(io_error("find the benchmark's own binary"))?;
    let log = std::fs::File::create(log_path).map_err(io_error("bare server log"))?;
    let mut command = Command::new(exe);
    command
        .arg("--bare-server")
        .arg(manifest)
        .stderr(Stdio::from(log));
    spawn_announced(command, log_path).await
}

async fn spawn_announced(mut command: Command, log_path: &Path) -> Result<Served, BenchError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let spawned_at = Instant::now();
    let mut child = command.spawn().map_err(io_error("spawn a server"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| BenchError::Setup("no stdout pipe".into()))?;
    let mut lines = BufReader::new(stdout).lines();
    let read_url = async {
        while let Some(line) = lines.next_line().await.map_err(io_error("read stdout"))? {
            if let Some(url) = line.split(" listening on ").nth(1) {
                return Ok(Some(url.trim().to_owned()));
            }
        }
        Ok::<_, BenchError>(None)
    };
    let url = match tokio::time::timeout(Duration::from_secs(60), read_url).await {
        Ok(Ok(Some(url))) => url,
        Ok(Err(err)) => return Err(err),
        Ok(Ok(None)) | Err(_) => {
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            let tail: String = log
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            return Err(BenchError::Setup(format!(
                "the server did not announce where it listens; its log ends:\n{tail}"
            )));
        }
    };
    let announced_after = spawned_at.elapsed();
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let addr = url
        .trim_start_matches("http://")
        .parse::<SocketAddr>()
        .map_err(|e| BenchError::Setup(format!("unexpected URL {url}: {e}")))?;
    Ok(Served {
        child,
        addr,
        announced_after,
        spawned_at,
    })
}

/// A process's memory, from `/proc/<pid>/status`, and its descriptor count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Resident set size now (`VmRSS`), in KiB.
    pub rss_kib: u64,
    /// Peak resident set size (`VmHWM`), in KiB.
    pub peak_kib: u64,
    /// Open file descriptors (so memory kept by the allocator can be told from connections
    /// still held).
    pub fds: usize,
}

impl Memory {
    /// Reads `pid`'s status file.
    pub fn of(pid: u32) -> Result<Self, BenchError> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .map_err(io_error(format!("read /proc/{pid}/status")))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map_err(io_error(format!("list /proc/{pid}/fd")))?
            .count();
        Ok(Self {
            rss_kib: field("VmRSS:"),
            peak_kib: field("VmHWM:"),
            fds,
        })
    }

    /// `VmRSS` in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }

    /// `VmHWM` in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }
}
