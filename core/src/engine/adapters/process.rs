//! Running one child process for the `shell` and `cli` adapters: argv only (the caller decides
//! whether that argv is `sh -c …`), stdin closed, the environment scrubbed unless asked
//! otherwise, output streamed line by line as `node_log` and capped, and the whole process group
//! killed on timeout, cancellation or an output overflow.
//!
//! The child leads its own process group (`process_group(0)`), so `killpg` reaches everything it
//! started. When the child itself exits, whatever it left running in its group is killed too:
//! a node's work ends with its process, and a stray background job would otherwise hold the
//! output pipes open until the timeout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

use super::audit::{self, AuditRecord};
use super::capture::{Captured, DEFAULT_MAX_CAPTURE_BYTES, TailCapture};
use super::fs::jail::confine_path;
use crate::engine::{AdapterCtx, AdapterError, LogStream, NodeInvocation};

/// Default `timeoutMs`.
pub(super) const DEFAULT_TIMEOUT_MS: u64 = 60_000;
/// Default `maxOutputBytes` (stdout and stderr together).
pub(super) const DEFAULT_MAX_OUTPUT_BYTES: u64 = 10 * 1024 * 1024;
/// A line longer than this is logged in pieces of this size.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// Variables a scrubbed child keeps from Flow's environment (plus every `LC_*`).
const ENV_ALLOW: [&str; 6] = ["HOME", "USER", "PATH", "LANG", "TERM", "SHELL"];

/// Whether the child sees Flow's whole environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EnvMode {
    /// Only the allow-list (`HOME USER PATH LANG LC_* TERM SHELL`).
    Scrubbed,
    /// Everything Flow has.
    Inherit,
}

impl EnvMode {
    /// The word the audit log uses.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Scrubbed => "scrubbed",
            Self::Inherit => "inherit",
        }
    }
}

/// The node fields `shell` and `cli` share: where, how long, how much, with what environment.
#[derive(Debug, Clone)]
pub(super) struct CommonOptions {
    /// Resolved, existing working directory inside the workspace.
    pub cwd: PathBuf,
    /// `timeoutMs`.
    pub timeout_ms: u64,
    /// `maxOutputBytes`: more output than this (stdout and stderr together) kills the child.
    pub max_output_bytes: u64,
    /// `maxCaptureBytes`: how much of each stream's end the node's output keeps for later nodes.
    pub max_capture_bytes: u64,
    /// Scrubbed or inherited.
    pub env_mode: EnvMode,
    /// `env` object entries, set on top of either mode.
    pub extra_env: BTreeMap<String, String>,
}

impl CommonOptions {
    /// Reads `cwd`, `timeoutMs`, `maxOutputBytes`, `maxCaptureBytes`, `env` and `inheritEnv`
    /// from the node data.
    pub(super) fn parse(data: &Map<String, Value>, workspace: &Path) -> Result<Self, AdapterError> {
        let cwd = match data.get("cwd") {
            None | Some(Value::Null) => ".",
            Some(Value::String(s)) if s.trim().is_empty() => ".",
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(rejected(format!("cwd must be a string, got {other}"))),
        };
        let cwd = confine_path(workspace, cwd).map_err(|e| rejected(e.to_string()))?;
        if !cwd.is_dir() {
            return Err(rejected(format!(
                "working directory does not exist: {}",
                cwd.display()
            )));
        }
        let timeout_ms = positive(data, "timeoutMs", DEFAULT_TIMEOUT_MS)?;
        let max_output_bytes = positive(data, "maxOutputBytes", DEFAULT_MAX_OUTPUT_BYTES)?;
        let max_capture_bytes = positive(data, "maxCaptureBytes", DEFAULT_MAX_CAPTURE_BYTES)?;

        let mut env_mode = match data.get("inheritEnv") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => EnvMode::Scrubbed,
            Some(Value::Bool(true)) => EnvMode::Inherit,
            Some(other) => {
                return Err(rejected(format!(
                    "inheritEnv must be true or false, got {other}"
                )));
            }
        };
        let mut extra_env = BTreeMap::new();
        match data.get("env") {
            None | Some(Value::Null) => {}
            // Flow Studio spells the policy as `env: "scrubbed" | "inherit"`.
            Some(Value::String(s)) if s == "inherit" => env_mode = EnvMode::Inherit,
            Some(Value::String(s)) if s == "scrubbed" || s.is_empty() => {}
            Some(Value::Object(vars)) => {
                for (name, value) in vars {
                    if name.is_empty() || name.contains('=') || name.contains('\0') {
                        return Err(rejected(format!(
                            "invalid environment variable name {name:?}"
                        )));
                    }
                    let value = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => continue,
                        other => {
                            return Err(rejected(format!(
                                "env.{name} must be a string, number or boolean, got {other}"
                            )));
                        }
                    };
                    if value.contains('\0') {
                        return Err(rejected(format!("env.{name} contains a NUL byte")));
                    }
                    extra_env.insert(name.clone(), value);
                }
            }
            Some(other) => {
                return Err(rejected(format!(
                    "env must be an object of variables, \"scrubbed\" or \"inherit\", got {other}"
                )));
            }
        }
        Ok(Self {
            cwd,
            timeout_ms,
            max_output_bytes,
            max_capture_bytes,
            env_mode,
            extra_env,
        })
    }
}

/// A positive integer field, or its default when absent.
fn positive(data: &Map<String, Value>, field: &str, default: u64) -> Result<u64, AdapterError> {
    match data.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v > 0 => Ok(v),
            // Templates may resolve to a float like 5000.0; accept whole numbers.
            _ => match n.as_f64() {
                Some(f) if f >= 1.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(f as u64),
                _ => Err(rejected(format!(
                    "{field} must be a positive integer, got {n}"
                ))),
            },
        },
        Some(Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(v) if v > 0 => Ok(v),
            _ => Err(rejected(format!(
                "{field} must be a positive integer, got {s:?}"
            ))),
        },
        Some(other) => Err(rejected(format!(
            "{field} must be a positive integer, got {other}"
        ))),
    }
}

fn rejected(reason: String) -> AdapterError {
    AdapterError::Rejected(reason)
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it (not one we sent).
    Signaled(i32),
    /// It outlived `timeoutMs`; we killed its group.
    TimedOut,
    /// The run was cancelled; we killed its group.
    Cancelled,
    /// It printed more than `maxOutputBytes`; we killed its group.
    OutputCapped,
}

/// What a finished (or stopped) child left behind.
#[derive(Debug, Clone)]
pub(super) struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// The end of stdout (at most `maxCaptureBytes`), lossily decoded.
    pub stdout: Captured,
    /// The end of stderr, likewise.
    pub stderr: Captured,
    /// Wall time from spawn to the end.
    pub duration_ms: u64,
    /// Bytes the child printed that we read (stdout and stderr).
    pub output_bytes: u64,
    /// `maxCaptureBytes` the captures kept to.
    pub capture_limit: u64,
}

impl Finished {
    /// `exitCode` for payloads and the audit log: null unless it exited by itself.
    pub(super) fn exit_code(&self) -> Option<i32> {
        match self.ending {
            Ending::Exited(code) => Some(code),
            _ => None,
        }
    }

    /// `{exitCode, stdout, stderr, durationMs}`, plus `truncated: {stdout, stderr, limit}` (the
    /// bytes let go before each kept tail) when a stream printed more than `maxCaptureBytes`.
    pub(super) fn payload(&self) -> Value {
        let mut payload = json!({
            "exitCode": self.exit_code(),
            "stdout": self.stdout.text,
            "stderr": self.stderr.text,
            "durationMs": self.duration_ms,
        });
        self.mark_truncated(&mut payload);
        payload
    }

    /// Adds `truncated: {stdout, stderr, limit}` to an object payload when either stream's
    /// capture let bytes go.
    pub(super) fn mark_truncated(&self, payload: &mut Value) {
        if self.stdout.dropped == 0 && self.stderr.dropped == 0 {
            return;
        }
        if let Some(fields) = payload.as_object_mut() {
            let truncated = json!({
                "stdout": self.stdout.dropped,
                "stderr": self.stderr.dropped,
                "limit": self.capture_limit,
            });
            fields.insert("truncated".into(), truncated);
        }
    }

    /// The audit word for how it went.
    pub(super) fn outcome(&self) -> &'static str {
        match self.ending {
            Ending::Exited(0) => "ok",
            Ending::Exited(_) | Ending::Signaled(_) | Ending::OutputCapped => "failed",
            Ending::TimedOut => "timeout",
            Ending::Cancelled => "cancelled",
        }
    }
}

/// Why the child never ran.
#[derive(Debug, thiserror::Error)]
pub(super) enum SpawnError {
    /// The program is not on PATH (or the path does not exist).
    #[error("command not found: {0}")]
    NotFound(String),
    /// Anything else the OS refused (permissions, limits).
    #[error("could not start {program}: {source}")]
    Other {
        /// The program.
        program: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// One child to run.
#[derive(Debug, Clone)]
pub(super) struct ProcessSpec<'a> {
    /// `argv[0]`, looked up on PATH unless it holds a `/`.
    pub program: &'a str,
    /// The rest of argv.
    pub args: &'a [String],
    /// Where, how long, how much, which environment.
    pub options: &'a CommonOptions,
}

/// Pieces of output a pump hands to the supervisor: whole lines (with their newline), or
/// `MAX_LINE_BYTES` slices of an overlong one.
struct Chunk {
    stream: LogStream,
    lines: Vec<Vec<u8>>,
}

/// Spawns the child and supervises it to the end; streams its lines as `node_log` for `node_id`.
pub(super) async fn run(
    spec: &ProcessSpec<'_>,
    node_id: &str,
    ctx: &AdapterCtx,
) -> Result<Finished, SpawnError> {
    let options = spec.options;
    let mut command = tokio::process::Command::new(spec.program);
    command
        .args(spec.args)
        .current_dir(&options.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Its own group, so one kill reaches everything it starts.
    #[cfg(unix)]
    command.process_group(0);
    if options.env_mode == EnvMode::Scrubbed {
        command.env_clear();
        for (name, value) in std::env::vars_os() {
            let keep = name
                .to_str()
                .is_some_and(|n| ENV_ALLOW.contains(&n) || n.starts_with("LC_"));
            if keep {
                command.env(name, value);
            }
        }
    }
    command.envs(&options.extra_env);

    let started = Instant::now();
    if ctx.cancel.is_cancelled() {
        return Ok(Finished {
            ending: Ending::Cancelled,
            stdout: Captured::default(),
            stderr: Captured::default(),
            duration_ms: 0,
            output_bytes: 0,
            capture_limit: options.max_capture_bytes,
        });
    }
    let mut child = command.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => SpawnError::NotFound(spec.program.to_owned()),
        _ => SpawnError::Other {
            program: spec.program.to_owned(),
            source,
        },
    })?;
    let pgid = child.id().and_then(|id| i32::try_from(id).ok());
    tracing::debug!(program = spec.program, ?pgid, cwd = %options.cwd.display(), "spawned");
    // The executor drops this future on cancel or a node timeout; `kill_on_drop` alone would
    // reach only the leader, leaving what it started (`sleep 30 &`) running. Declared after
    // `child`, so it fires first, while the unreaped leader still holds the group id.
    let mut group_guard = GroupGuard(pgid);

    // Small bound: a child that prints faster than we log waits on its pipe, not on our memory.
    let (tx, mut rx) = mpsc::channel::<Chunk>(16);
    let mut pumps = Vec::new();
    if let Some(out) = child.stdout.take() {
        pumps.push(tokio::spawn(pump(out, LogStream::Stdout, tx.clone())));
    }
    if let Some(err) = child.stderr.take() {
        pumps.push(tokio::spawn(pump(err, LogStream::Stderr, tx.clone())));
    }
    drop(tx);

    let deadline = tokio::time::sleep(Duration::from_millis(options.timeout_ms));
    tokio::pin!(deadline);
    let mut stdout = TailCapture::new(options.max_capture_bytes);
    let mut stderr = TailCapture::new(options.max_capture_bytes);
    let mut total: u64 = 0;
    let mut exited: Option<std::process::ExitStatus> = None;
    let mut pipes_open = true;
    let mut stopped: Option<Ending> = None;

    while stopped.is_none() && (pipes_open || exited.is_none()) {
        tokio::select! {
            biased;
            () = ctx.cancel.cancelled() => stopped = Some(Ending::Cancelled),
            () = &mut deadline => stopped = Some(Ending::TimedOut),
            chunk = rx.recv(), if pipes_open => match chunk {
                None => pipes_open = false,
                Some(chunk) => {
                    for line in chunk.lines {
                        total += line.len() as u64;
                        if total > options.max_output_bytes {
                            stopped = Some(Ending::OutputCapped);
                            break;
                        }
                        let text = String::from_utf8_lossy(trim_newline(&line)).into_owned();
                        match chunk.stream {
                            LogStream::Stdout => stdout.push(&line),
                            LogStream::Stderr => stderr.push(&line),
                        }
                        ctx.log(node_id, chunk.stream, text);
                    }
                }
            },
            status = child.wait(), if exited.is_none() => match status {
                Ok(status) => {
                    exited = Some(status);
                    // The leader is done; its leftovers would hold the pipes open.
                    kill_group(pgid, &mut child);
                }
                Err(err) => {
                    tracing::warn!(%err, "waiting for a child failed; killing its group");
                    stopped = Some(Ending::Signaled(SIGKILL));
                }
            },
        }
    }

    if stopped.is_some() {
        kill_group(pgid, &mut child);
        if exited.is_none() {
            // SIGKILL cannot be caught; this reaps it right away instead of leaving a zombie.
            match child.wait().await {
                Ok(status) => exited = Some(status),
                Err(err) => tracing::warn!(%err, "could not reap a killed child"),
            }
        }
    }
    for pump in &pumps {
        pump.abort();
    }
    // Ended here: the group was handled above.
    group_guard.0 = None;

    let ending = match stopped {
        Some(ending) => ending,
        None => ending_of(exited),
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(Finished {
        ending,
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        duration_ms,
        output_bytes: total,
        capture_limit: options.max_capture_bytes,
    })
}

fn ending_of(status: Option<std::process::ExitStatus>) -> Ending {
    match status {
        Some(status) => match (status.code(), signal_of(status)) {
            (Some(code), _) => Ending::Exited(code),
            (None, Some(signal)) => Ending::Signaled(signal),
            (None, None) => Ending::Exited(-1),
        },
        None => Ending::Signaled(SIGKILL),
    }
}

#[cfg(unix)]
fn signal_of(status: std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_status: std::process::ExitStatus) -> Option<i32> {
    None
}

/// SIGKILL's number, for the rare "killed" we cannot attribute.
const SIGKILL: i32 = 9;

/// Kills a child's process group when dropped while still armed (the run future was dropped).
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.0.is_some() {
            kill_group_id(self.0);
        }
    }
}

#[cfg(unix)]
fn kill_group_id(pgid: Option<i32>) {
    use nix::sys::signal::{Signal, killpg};
    let Some(pgid) = pgid else { return };
    match killpg(nix::unistd::Pid::from_raw(pgid), Signal::SIGKILL) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => {}
        Err(err) => tracing::warn!(%err, pgid, "could not kill a process group"),
    }
}

/// Without process groups, `kill_on_drop` on the child is all there is.
#[cfg(not(unix))]
fn kill_group_id(_pgid: Option<i32>) {}

/// Sends SIGKILL to the whole group; "no such process" just means it is already gone.
#[cfg(unix)]
fn kill_group(pgid: Option<i32>, _child: &mut tokio::process::Child) {
    kill_group_id(pgid);
}

/// Without process groups only the child itself can be killed.
#[cfg(not(unix))]
fn kill_group(_pgid: Option<i32>, child: &mut tokio::process::Child) {
    if let Err(err) = child.start_kill() {
        tracing::debug!(%err, "could not kill a child (already gone?)");
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads one pipe to its end, cutting it into lines (and overlong lines into slices).
async fn pump<R: AsyncRead + Unpin>(mut reader: R, stream: LogStream, tx: mpsc::Sender<Chunk>) {
    let mut buf = vec![0_u8; 16 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        let mut lines = Vec::new();
        if n == 0 {
            if !pending.is_empty() {
                lines.push(std::mem::take(&mut pending));
            }
        } else {
            let mut rest = &buf[..n];
            while let Some(i) = rest.iter().position(|&b| b == b'\n') {
                let (line, after) = rest.split_at(i + 1);
                pending.extend_from_slice(line);
                lines.push(std::mem::take(&mut pending));
                rest = after;
            }
            pending.extend_from_slice(rest);
            while pending.len() >= MAX_LINE_BYTES {
                let tail = pending.split_off(MAX_LINE_BYTES);
                lines.push(std::mem::replace(&mut pending, tail));
            }
        }
        if !lines.is_empty() && tx.send(Chunk { stream, lines }).await.is_err() {
            return;
        }
        if n == 0 {
            return;
        }
    }
}

/// Splits an `args` string like a POSIX shell would (quotes, escapes; no expansion).
pub(super) fn split_args(field: &str, args: &str) -> Result<Vec<String>, AdapterError> {
    shell_words::split(args).map_err(|err| {
        rejected(format!(
            "{field} could not be split into arguments ({err}): check its quotes"
        ))
    })
}

/// The optional string field `field` (absent or null → empty).
pub(super) fn string_field<'a>(
    data: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, AdapterError> {
    match data.get(field) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(rejected(format!("{field} must be a string, got {other}"))),
    }
}

/// Runs `spec` and records it in the audit log; Ok only when the child exited with code 0.
///
/// `not_found` words the failure for a program that is not installed.
pub(super) async fn run_audited(
    mut audit: AuditRecord,
    spec: &ProcessSpec<'_>,
    node_id: &str,
    ctx: &AdapterCtx,
    not_found: impl FnOnce(&str) -> String,
) -> Result<Finished, AdapterError> {
    audit.cwd = Some(spec.options.cwd.clone());
    audit.env = spec.options.env_mode.as_str();
    let finished = match run(spec, node_id, ctx).await {
        Ok(finished) => finished,
        Err(err) => {
            audit.outcome = "failed";
            audit::append(ctx, audit).await;
            let reason = match err {
                SpawnError::NotFound(program) => not_found(&program),
                other => other.to_string(),
            };
            return Err(AdapterError::Failed {
                reason,
                output: None,
            });
        }
    };
    audit.exit_code = finished.exit_code();
    audit.outcome = finished.outcome();
    audit.duration_ms = finished.duration_ms;
    audit.output_bytes = finished.output_bytes;
    audit::append(ctx, audit).await;
    let failed = |reason: String| AdapterError::Failed {
        reason,
        output: Some(finished.payload()),
    };
    match finished.ending {
        Ending::Exited(0) => Ok(finished),
        Ending::Exited(code) => Err(failed(format!("exited with code {code}"))),
        Ending::Signaled(signal) => Err(failed(format!("killed by signal {signal}"))),
        Ending::OutputCapped => Err(failed(format!(
            "output exceeded {} bytes",
            spec.options.max_output_bytes
        ))),
        Ending::TimedOut => Err(AdapterError::TimedOut(spec.options.timeout_ms)),
        Ending::Cancelled => Err(AdapterError::Cancelled),
    }
}

/// Records a refused invocation in the audit log and hands the refusal back.
pub(super) async fn reject_audited(
    mut audit: AuditRecord,
    ctx: &AdapterCtx,
    err: AdapterError,
) -> AdapterError {
    audit.outcome = "rejected";
    audit::append(ctx, audit).await;
    err
}

/// A fresh audit record for `node` (outcome `rejected` until it runs).
pub(super) fn audit_record(
    adapter: &'static str,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
) -> AuditRecord {
    AuditRecord {
        adapter,
        execution_id: ctx.execution_id.clone(),
        node_id: node.node_id.clone(),
        action: node.action_id.clone(),
        command: None,
        argv: None,
        cwd: None,
        env: EnvMode::Scrubbed.as_str(),
        exit_code: None,
        outcome: "rejected",
        duration_ms: 0,
        output_bytes: 0,
    }
}
