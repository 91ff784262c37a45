//! The `shell`, `fs` and `cli` adapters against real processes and files in temp directories.
#![cfg(unix)]
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flow_core::engine::adapters::cli::CliAdapter;
use flow_core::engine::adapters::fs::FsAdapter;
use flow_core::engine::adapters::shell::ShellAdapter;
use flow_core::engine::{
    Adapter, AdapterCtx, AdapterError, ExecutionEventKind, LogStream, NodeInvocation, NodeReporter,
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<ExecutionEventKind>>,
}

impl NodeReporter for Recorder {
    fn emit(&self, kind: ExecutionEventKind) {
        self.events.lock().unwrap().push(kind);
    }
}

impl Recorder {
    fn logs(&self) -> Vec<(LogStream, String)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                ExecutionEventKind::NodeLog { stream, line, .. } => Some((*stream, line.clone())),
                _ => None,
            })
            .collect()
    }

    fn tool_calls(&self) -> Vec<(String, String)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                ExecutionEventKind::ToolCall { name, summary, .. } => {
                    Some((name.clone(), summary.clone()))
                }
                _ => None,
            })
            .collect()
    }
}

struct Fixture {
    _workspace: tempfile::TempDir,
    _data: tempfile::TempDir,
    root: PathBuf,
    data_dir: PathBuf,
    recorder: Arc<Recorder>,
    ctx: AdapterCtx,
}

fn fixture() -> Fixture {
    let workspace = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let root = workspace.path().canonicalize().unwrap();
    let recorder = Arc::new(Recorder::default());
    let ctx = AdapterCtx {
        execution_id: "exec-1".into(),
        workspace_root: root.clone(),
        data_dir: data.path().to_path_buf(),
        cancel: CancellationToken::new(),
        reporter: recorder.clone(),
        app: None,
    };
    Fixture {
        data_dir: data.path().to_path_buf(),
        _workspace: workspace,
        _data: data,
        root,
        recorder,
        ctx,
    }
}

fn node(action: &str, data: Value) -> NodeInvocation {
    let Value::Object(data) = data else {
        panic!("node data must be an object")
    };
    NodeInvocation {
        node_id: "n1".into(),
        node_type: "action".into(),
        action_id: action.into(),
        data,
        iteration: 0,
    }
}

async fn shell(f: &Fixture, action: &str, data: Value) -> Result<Value, AdapterError> {
    ShellAdapter.execute(&node(action, data), &f.ctx).await
}

async fn fs(f: &Fixture, action: &str, data: Value) -> Result<Value, AdapterError> {
    FsAdapter.execute(&node(action, data), &f.ctx).await
}

async fn cli(f: &Fixture, data: Value) -> Result<Value, AdapterError> {
    CliAdapter.execute(&node("cli-tool", data), &f.ctx).await
}

fn audit_lines(data_dir: &Path, adapter: &str) -> Vec<Value> {
    let dir = data_dir.join("logs/audit");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(&format!("{adapter}-")) && name.ends_with(".jsonl") {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                lines.push(serde_json::from_str(line).unwrap());
            }
        }
    }
    lines
}

/// Gone means no /proc entry or a zombie waiting for init to reap it: either way not running.
fn is_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

async fn wait_gone(pid: i32) -> bool {
    for _ in 0..50 {
        if is_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

fn read_pid(path: &Path) -> i32 {
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

// ---------------------------------------------------------------------------------------- shell

#[tokio::test]
async fn run_command_streams_lines_in_order_and_returns_output() {
    let f = fixture();
    let out = shell(
        &f,
        "run-command",
        json!({"command": "echo one; echo two >&2; echo three; printf 'no newline'"}),
    )
    .await
    .unwrap();
    assert_eq!(out["exitCode"], 0);
    assert_eq!(out["stdout"], "one\nthree\nno newline");
    assert_eq!(out["stderr"], "two\n");
    assert!(out["durationMs"].is_u64());
    let logs = f.recorder.logs();
    let stdout: Vec<_> = logs
        .iter()
        .filter(|(s, _)| *s == LogStream::Stdout)
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(stdout, ["one", "three", "no newline"]);
    assert!(logs.contains(&(LogStream::Stderr, "two".into())));
    assert_eq!(
        f.recorder.tool_calls(),
        [(
            "shell__run-command".to_owned(),
            "echo one; echo two >&2; echo three; printf 'no newline'".to_owned()
        )]
    );
    // The tool call comes before any output.
    assert!(matches!(
        f.recorder.events.lock().unwrap()[0],
        ExecutionEventKind::ToolCall { .. }
    ));
}

#[tokio::test]
async fn non_zero_exit_fails_with_the_output() {
    let f = fixture();
    let err = shell(
        &f,
        "run-command",
        json!({"command": "echo partial; echo bad >&2; exit 3"}),
    )
    .await
    .unwrap_err();
    let AdapterError::Failed { reason, output } = err else {
        panic!("expected Failed, got {err:?}")
    };
    assert_eq!(reason, "exited with code 3");
    let output = output.unwrap();
    assert_eq!(output["exitCode"], 3);
    assert_eq!(output["stdout"], "partial\n");
    assert_eq!(output["stderr"], "bad\n");
}

#[tokio::test]
async fn a_signal_is_reported() {
    let f = fixture();
    let err = shell(&f, "run-command", json!({"command": "kill -TERM $$"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Failed { reason, .. } if reason == "killed by signal 15"),
        "{err:?}"
    );
}

#[tokio::test]
async fn long_lines_are_split_for_the_log_but_kept_whole() {
    let f = fixture();
    let out = shell(
        &f,
        "run-command",
        json!({"command": "head -c 150000 /dev/zero | tr '\\0' x; echo"}),
    )
    .await
    .unwrap();
    assert_eq!(out["stdout"].as_str().unwrap().len(), 150_001);
    let lens: Vec<_> = f.recorder.logs().iter().map(|(_, l)| l.len()).collect();
    assert_eq!(lens, [65_536, 65_536, 150_000 - 2 * 65_536]);
}

#[tokio::test]
async fn timeout_kills_the_whole_group() {
    let f = fixture();
    let started = Instant::now();
    let err = shell(
        &f,
        "run-command",
        json!({
            "command": "echo $$ > leader.pid; sleep 30 & echo $! > bg.pid; sleep 30",
            "timeoutMs": 300,
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AdapterError::TimedOut(300));
    assert!(started.elapsed() < Duration::from_secs(5));
    let leader = read_pid(&f.root.join("leader.pid"));
    let background = read_pid(&f.root.join("bg.pid"));
    assert!(wait_gone(leader).await, "leader {leader} still running");
    assert!(
        wait_gone(background).await,
        "background {background} still running"
    );
    let audit = audit_lines(&f.data_dir, "shell");
    assert_eq!(audit[0]["outcome"], "timeout");
    assert_eq!(audit[0]["exitCode"], Value::Null);
}

#[tokio::test]
async fn cancellation_kills_the_group() {
    let f = fixture();
    let cancel = f.ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let err = shell(
        &f,
        "run-command",
        json!({"command": "sleep 30 & echo $! > bg.pid; sleep 30"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AdapterError::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(wait_gone(read_pid(&f.root.join("bg.pid"))).await);
    assert_eq!(audit_lines(&f.data_dir, "shell")[0]["outcome"], "cancelled");
}

#[tokio::test]
async fn stray_background_jobs_do_not_hold_the_node_open() {
    let f = fixture();
    let started = Instant::now();
    let out = shell(
        &f,
        "run-command",
        json!({"command": "sleep 30 & echo $! > bg.pid; echo done", "timeoutMs": 20000}),
    )
    .await
    .unwrap();
    assert_eq!(out["stdout"], "done\n");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(wait_gone(read_pid(&f.root.join("bg.pid"))).await);
}

#[tokio::test]
async fn output_cap_kills_and_fails() {
    let f = fixture();
    let started = Instant::now();
    let err = shell(
        &f,
        "run-command",
        json!({"command": "yes | head -c 20000000", "maxOutputBytes": 1_048_576}),
    )
    .await
    .unwrap_err();
    let AdapterError::Failed { reason, output } = err else {
        panic!("expected Failed, got {err:?}")
    };
    assert_eq!(reason, "output exceeded 1048576 bytes");
    let kept = output.unwrap()["stdout"].as_str().unwrap().len();
    assert!(kept <= 1_048_576, "kept {kept}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let audit = audit_lines(&f.data_dir, "shell");
    assert_eq!(audit[0]["outcome"], "failed");
    assert!(audit[0]["outputBytes"].as_u64().unwrap() > 1_048_576);
}

#[tokio::test]
async fn the_output_keeps_the_end_of_each_stream_and_every_line_is_still_logged() {
    let f = fixture();
    let out = shell(
        &f,
        "run-command",
        json!({"command": "seq 1 5000; echo oops >&2", "maxCaptureBytes": 1000}),
    )
    .await
    .unwrap();
    let stdout = out["stdout"].as_str().unwrap();
    assert!(stdout.len() <= 1000, "kept {}", stdout.len());
    assert!(stdout.ends_with("\n5000\n"), "{stdout}");
    let first: u32 = stdout.lines().next().unwrap().parse().unwrap();
    let printed: u64 = (1..=5000_u64).map(|i| i.to_string().len() as u64 + 1).sum();
    let before: u64 = (1..first as u64)
        .map(|i| i.to_string().len() as u64 + 1)
        .sum();
    assert_eq!(
        out["truncated"],
        json!({"stdout": before, "stderr": 0, "limit": 1000}),
        "the bytes let go are exactly the lines before the first kept one"
    );
    assert_eq!(before + stdout.len() as u64, printed);
    assert_eq!(out["stderr"], "oops\n", "each stream is kept on its own");
    let logged = f.recorder.logs();
    let lines: Vec<&str> = logged
        .iter()
        .filter(|(s, _)| *s == LogStream::Stdout)
        .map(|(_, l)| l.as_str())
        .collect();
    let expected: Vec<String> = (1..=5000).map(|i| i.to_string()).collect();
    assert_eq!(lines, expected, "every line is logged, in order");

    // A whole output carries no `truncated`; a bad limit is refused before anything runs.
    let whole = shell(&f, "run-command", json!({"command": "echo hi"}))
        .await
        .unwrap();
    assert!(whole.get("truncated").is_none(), "{whole}");
    let err = shell(
        &f,
        "run-command",
        json!({"command": "echo hi", "maxCaptureBytes": 0}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        AdapterError::Rejected("maxCaptureBytes must be a positive integer, got 0".into())
    );
}

#[tokio::test]
async fn cli_output_past_the_capture_is_never_parsed_as_json() {
    let f = fixture();
    // A long line that is not JSON, then one that is: the kept end alone would parse.
    let script = r#"'printf "%0300d\n" 0; echo "{\"n\": 1}"'"#;
    let data = json!({"bin": "sh", "command": "-c", "args": script, "maxCaptureBytes": 50});
    let out = cli(&f, data).await.unwrap();
    assert_eq!(out["stdout"], "{\"n\": 1}\n", "{out}");
    assert_eq!(out["exitCode"], 0, "{out}");
    assert_eq!(out["truncated"]["limit"], 50, "{out}");
    assert!(
        out.get("n").is_none(),
        "the tail was not taken for the output: {out}"
    );
}

#[tokio::test]
async fn the_environment_is_scrubbed_unless_inherited() {
    let f = fixture();
    // Setting a variable here would need `unsafe` (edition 2024), which the workspace forbids;
    // cargo gives every test process CARGO_* variables, which serve as the secret instead.
    let name = "CARGO_MANIFEST_DIR";
    let secret = std::env::var(name).unwrap_or_default();
    assert!(!secret.is_empty(), "cargo sets {name} for tests");
    let print = format!("echo \"[${name}] [$EXTRA] [$HOME]\"");
    let out = shell(
        &f,
        "run-command",
        json!({"command": print, "env": {"EXTRA": "given"}}),
    )
    .await
    .unwrap();
    let home = std::env::var("HOME").unwrap_or_default();
    assert_eq!(out["stdout"], format!("[] [given] [{home}]\n"));
    let out = shell(&f, "run-command", json!({"command": "env"}))
        .await
        .unwrap();
    for line in out["stdout"].as_str().unwrap().lines() {
        let var = line.split('=').next().unwrap();
        assert!(
            [
                "HOME", "USER", "PATH", "LANG", "TERM", "SHELL", "PWD", "SHLVL", "_", "OLDPWD"
            ]
            .contains(&var)
                || var.starts_with("LC_"),
            "scrubbed env leaked {var}"
        );
    }
    let inherited = shell(
        &f,
        "run-command",
        json!({"command": "env", "inheritEnv": true}),
    )
    .await
    .unwrap();
    let via_word = shell(
        &f,
        "run-command",
        json!({"command": "env", "env": "inherit"}),
    )
    .await
    .unwrap();
    for out in [inherited, via_word] {
        let text = out["stdout"].as_str().unwrap().to_owned();
        for (key, _) in std::env::vars() {
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{key}="))),
                "inherited env lacks {key}"
            );
        }
    }
    let inherited = shell(
        &f,
        "run-command",
        json!({"command": format!("echo \"[${name}]\""), "inheritEnv": true}),
    )
    .await
    .unwrap();
    assert_eq!(inherited["stdout"], format!("[{secret}]\n"));
}

#[tokio::test]
async fn curated_git_runs_without_a_shell() {
    let f = fixture();
    let out = shell(&f, "git", json!({"args": "--version"}))
        .await
        .unwrap();
    assert!(out["stdout"].as_str().unwrap().starts_with("git version"));
    assert_eq!(f.recorder.tool_calls()[0].0, "shell__git");
    // Shell syntax is an argument, not a pipeline.
    let err = shell(&f, "git", json!({"args": "--version; echo pwned"}))
        .await
        .unwrap_err();
    assert!(matches!(err, AdapterError::Failed { .. }), "{err:?}");
    let audit = audit_lines(&f.data_dir, "shell");
    assert_eq!(audit[0]["argv"], json!(["git", "--version"]));
    assert_eq!(audit[0]["outcome"], "ok");
    assert_eq!(audit[0]["env"], "scrubbed");
    assert_eq!(audit[0]["executionId"], "exec-1");
    assert_eq!(audit[0]["nodeId"], "n1");
    assert_eq!(audit[0]["action"], "git");
    assert_eq!(audit[0]["exitCode"], 0);
    assert!(audit[0]["outputBytes"].as_u64().unwrap() > 0);
    assert!(audit[0].get("stdout").is_none());
    assert_eq!(
        audit[1]["argv"],
        json!(["git", "--version;", "echo", "pwned"])
    );
}

#[tokio::test]
async fn bad_quoting_and_bad_cwd_are_rejected_and_audited() {
    let f = fixture();
    let err = shell(&f, "git", json!({"args": "log 'unterminated"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Rejected(m) if m.contains("quotes")),
        "{err:?}"
    );
    let err = shell(&f, "run-command", json!({"command": "pwd", "cwd": "../"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Rejected(m) if m.starts_with("path escapes the workspace")),
        "{err:?}"
    );
    let err = shell(
        &f,
        "run-command",
        json!({"command": "pwd", "cwd": "missing"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");
    let audit = audit_lines(&f.data_dir, "shell");
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().all(|l| l["outcome"] == "rejected"));
    assert_eq!(audit[1]["command"], "pwd");
}

#[tokio::test]
async fn cwd_resolves_inside_the_workspace() {
    let f = fixture();
    std::fs::create_dir(f.root.join("sub")).unwrap();
    let out = shell(
        &f,
        "run-command",
        json!({"command": "pwd -P", "cwd": "sub"}),
    )
    .await
    .unwrap();
    assert_eq!(out["stdout"], format!("{}\n", f.root.join("sub").display()));
    let out = shell(&f, "run-command", json!({"command": "pwd -P"}))
        .await
        .unwrap();
    assert_eq!(out["stdout"], format!("{}\n", f.root.display()));
}

#[tokio::test]
async fn unknown_actions_and_missing_programs() {
    let f = fixture();
    let err = shell(&f, "rm", json!({"args": "-rf /"})).await.unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");
    let err = shell(&f, "run-command", json!({})).await.unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");
    let out = shell(
        &f,
        "run-command",
        json!({"command": "definitely-not-a-command-xyz"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&out, AdapterError::Failed { reason, .. } if reason == "exited with code 127"),
        "{out:?}"
    );
}

#[tokio::test]
async fn concurrent_audit_lines_do_not_interleave() {
    let f = fixture();
    let runs = (0..8).map(|i| {
        let ctx = f.ctx.clone();
        async move {
            let n = node("run-command", json!({"command": format!("echo {i}")}));
            ShellAdapter.execute(&n, &ctx).await
        }
    });
    for result in futures_util::future::join_all(runs).await {
        result.unwrap();
    }
    assert_eq!(audit_lines(&f.data_dir, "shell").len(), 8);
}

// ------------------------------------------------------------------------------------------- fs

#[tokio::test]
async fn fs_write_read_edit_delete_roundtrip() {
    let f = fixture();
    let out = fs(
        &f,
        "write-file",
        json!({"path": "a/b/c.txt", "content": "one two one"}),
    )
    .await
    .unwrap();
    assert_eq!(out["bytes"], 11);
    let out = fs(&f, "read-file", json!({"path": "a/b/c.txt"}))
        .await
        .unwrap();
    assert_eq!(out["content"], "one two one");
    assert_eq!(out["path"], f.root.join("a/b/c.txt").display().to_string());

    let err = fs(
        &f,
        "edit-file",
        json!({"path": "a/b/c.txt", "oldString": "one", "newString": "1"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Failed { reason, .. }
            if reason == "oldString occurs 2 times; set replaceAll or give more context"),
        "{err:?}"
    );
    let err = fs(
        &f,
        "edit-file",
        json!({"path": "a/b/c.txt", "oldString": "three", "newString": "3"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Failed { reason, .. } if reason == "oldString not found"),
        "{err:?}"
    );
    let out = fs(
        &f,
        "edit-file",
        json!({"path": "a/b/c.txt", "oldString": "two", "newString": "2"}),
    )
    .await
    .unwrap();
    assert_eq!(out["replacements"], 1);
    let out = fs(
        &f,
        "edit-file",
        json!({"path": "a/b/c.txt", "oldString": "one", "newString": "1", "replaceAll": true}),
    )
    .await
    .unwrap();
    assert_eq!(out["replacements"], 2);
    assert_eq!(
        std::fs::read_to_string(f.root.join("a/b/c.txt")).unwrap(),
        "1 2 1"
    );

    let err = fs(&f, "delete-file", json!({"path": "a/b"}))
        .await
        .unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");
    fs(&f, "delete-file", json!({"path": "a/b/c.txt"}))
        .await
        .unwrap();
    assert!(!f.root.join("a/b/c.txt").exists());
    let err = fs(&f, "delete-file", json!({"path": "a/b/c.txt"}))
        .await
        .unwrap_err();
    assert!(matches!(err, AdapterError::Failed { .. }), "{err:?}");
    assert_eq!(f.recorder.tool_calls()[0].0, "fs__write-file");
}

#[tokio::test]
async fn fs_keeps_permissions_and_refuses_non_utf8() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let script = f.root.join("run.sh");
    std::fs::write(&script, "echo old\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    fs(
        &f,
        "edit-file",
        json!({"path": "run.sh", "oldString": "old", "newString": "new"}),
    )
    .await
    .unwrap();
    let mode = std::fs::metadata(&script).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
    std::fs::write(f.root.join("bin.dat"), [0xff, 0xfe, 0x00]).unwrap();
    let err = fs(&f, "read-file", json!({"path": "bin.dat"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Failed { reason, .. } if reason.contains("not UTF-8")),
        "{err:?}"
    );
}

#[tokio::test]
async fn fs_refuses_escapes() {
    let f = fixture();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s").unwrap();
    std::os::unix::fs::symlink(outside.path(), f.root.join("out")).unwrap();
    for (action, data) in [
        ("read-file", json!({"path": "../x"})),
        ("read-file", json!({"path": "/etc/passwd"})),
        ("read-file", json!({"path": "a/../../x"})),
        ("read-file", json!({"path": "out/secret"})),
        ("write-file", json!({"path": "out/new.txt", "content": "x"})),
        ("delete-file", json!({"path": "out/secret"})),
        ("list-dir", json!({"path": "out"})),
        ("grep", json!({"pattern": "s", "path": "out"})),
        ("glob", json!({"pattern": "../*"})),
        ("glob", json!({"pattern": "/etc/*"})),
    ] {
        let err = fs(&f, action, data.clone()).await.unwrap_err();
        assert!(
            matches!(&err, AdapterError::Rejected(m) if m.contains("workspace")),
            "{action} {data}: {err:?}"
        );
    }
    assert!(outside.path().join("secret").exists());
    assert!(!outside.path().join("new.txt").exists());
}

#[tokio::test]
async fn fs_workspace_root_field_sets_the_jail() {
    let f = fixture();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("x.txt"), "hello").unwrap();
    let root = other.path().display().to_string();
    let out = fs(
        &f,
        "read-file",
        json!({"path": "x.txt", "workspaceRoot": root}),
    )
    .await
    .unwrap();
    assert_eq!(out["content"], "hello");
    let err = fs(
        &f,
        "read-file",
        json!({"path": "x.txt", "workspaceRoot": "rel"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");
}

#[tokio::test]
async fn fs_glob_grep_and_list_dir() {
    let f = fixture();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leak.rs"), "needle outside").unwrap();
    std::fs::create_dir_all(f.root.join("src/deep")).unwrap();
    std::fs::write(
        f.root.join("src/main.rs"),
        "fn main() {\n    needle();\n}\n",
    )
    .unwrap();
    std::fs::write(f.root.join("src/deep/lib.rs"), "// Needle? no: needle.\n").unwrap();
    std::fs::write(f.root.join("README.md"), "a needle (literal)\n").unwrap();
    std::fs::write(f.root.join("blob.bin"), b"needle\0\0binary").unwrap();
    std::os::unix::fs::symlink(outside.path(), f.root.join("src/escape")).unwrap();

    let out = fs(&f, "glob", json!({"pattern": "src/**/*.rs"}))
        .await
        .unwrap();
    assert_eq!(out["files"], json!(["src/deep/lib.rs", "src/main.rs"]));
    let out = fs(&f, "glob", json!({"pattern": "*.md"})).await.unwrap();
    assert_eq!(out["files"], json!(["README.md"]));
    let out = fs(&f, "glob", json!({"pattern": "**/*"})).await.unwrap();
    assert_eq!(out["truncated"], false);
    assert!(!out["files"].to_string().contains("leak"));

    let out = fs(&f, "grep", json!({"pattern": "needle"})).await.unwrap();
    assert_eq!(
        out["matches"],
        json!([
            {"path": "README.md", "line": 1, "text": "a needle (literal)"},
            {"path": "src/deep/lib.rs", "line": 1, "text": "// Needle? no: needle."},
            {"path": "src/main.rs", "line": 2, "text": "    needle();"},
        ])
    );
    let out = fs(&f, "grep", json!({"pattern": "(literal)"}))
        .await
        .unwrap();
    assert_eq!(out["count"], 1);
    let out = fs(
        &f,
        "grep",
        json!({"pattern": "^\\s+needle", "regex": true, "path": "src"}),
    )
    .await
    .unwrap();
    assert_eq!(out["matches"][0]["path"], "src/main.rs");
    assert_eq!(out["count"], 1);
    let out = fs(
        &f,
        "grep",
        json!({"pattern": "needle", "path": "src/main.rs"}),
    )
    .await
    .unwrap();
    assert_eq!(out["count"], 1);
    let err = fs(&f, "grep", json!({"pattern": "(", "regex": true}))
        .await
        .unwrap_err();
    assert!(matches!(err, AdapterError::Rejected(_)), "{err:?}");

    let out = fs(&f, "list-dir", json!({"path": "src"})).await.unwrap();
    let names: Vec<_> = out["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("deep", "dir"), ("escape", "symlink"), ("main.rs", "file")]
    );
    assert_eq!(out["entries"][2]["bytes"], 28);
    let out = fs(&f, "list-dir", json!({})).await.unwrap();
    assert_eq!(out["path"], ".");
    assert_eq!(out["entries"].as_array().unwrap().len(), 3);
}

// ------------------------------------------------------------------------------------------ cli

#[tokio::test]
async fn cli_parses_json_stdout_and_applies_the_filter() {
    let f = fixture();
    let script = f.root.join("tool.sh");
    std::fs::write(
        &script,
        "echo '{\"items\": [{\"name\": \"alpha\"}], \"args\": \"'\"$1 $2\"'\"}'\n",
    )
    .unwrap();
    // `sh <script>` runs it without exec'ing the file itself.
    let out = cli(
        &f,
        json!({
            "bin": "sh",
            "command": "tool.sh",
            "args": "'first arg' second",
            "outputFilter": "\"name\":\"(\\w+)\"",
        }),
    )
    .await
    .unwrap();
    assert_eq!(out["items"][0]["name"], "alpha");
    assert_eq!(out["args"], "first arg second");
    assert_eq!(out["filtered"], "alpha");
    assert_eq!(
        f.recorder.tool_calls(),
        [(
            "cli__cli-tool".to_owned(),
            "sh tool.sh 'first arg' second".to_owned()
        )]
    );
    let audit = audit_lines(&f.data_dir, "cli");
    assert_eq!(
        audit[0]["argv"],
        json!(["sh", "tool.sh", "first arg", "second"])
    );
    assert_eq!(audit[0]["outcome"], "ok");
}

#[tokio::test]
async fn cli_text_output_exit_codes_and_errors() {
    let f = fixture();
    let out = cli(
        &f,
        json!({"bin": "echo", "command": "plain", "args": "text"}),
    )
    .await
    .unwrap();
    assert_eq!(out, json!({"stdout": "plain text\n", "exitCode": 0}));
    let out = cli(
        &f,
        json!({"bin": "echo", "command": "v1.2.3", "outputFilter": "v[0-9.]+"}),
    )
    .await
    .unwrap();
    assert_eq!(out["filtered"], "v1.2.3");

    let err = cli(
        &f,
        json!({"bin": "gh-not-installed-xyz", "command": "pr list"}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        AdapterError::Failed {
            reason: "command not found: gh-not-installed-xyz (is it installed and on PATH?)".into(),
            output: None
        }
    );
    let err = cli(
        &f,
        json!({"bin": "sh", "command": "-c", "args": "'exit 4'"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AdapterError::Failed { reason, output: Some(_) } if reason == "exited with code 4"),
        "{err:?}"
    );
    for data in [
        json!({"bin": "/bin/echo", "command": "x"}),
        json!({"bin": "echo", "command": "x", "outputFilter": "("}),
        json!({"bin": "echo", "command": "  "}),
        json!({"command": "x"}),
        json!({"bin": "echo", "command": "x", "args": "\"open"}),
    ] {
        let err = cli(&f, data.clone()).await.unwrap_err();
        assert!(matches!(err, AdapterError::Rejected(_)), "{data}: {err:?}");
    }
}

#[tokio::test]
async fn cli_timeout_kills() {
    let f = fixture();
    let started = Instant::now();
    let err = cli(
        &f,
        json!({"bin": "sh", "command": "-c", "args": "'echo $$ > p.pid; sleep 30'", "timeoutMs": 200}),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AdapterError::TimedOut(200));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(wait_gone(read_pid(&f.root.join("p.pid"))).await);
}
