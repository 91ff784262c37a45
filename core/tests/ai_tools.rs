//! The `ai` node's tool executor on real files and processes, no model: calls inside the
//! workspace run through the fs and shell adapters; jail escapes and destructive commands are
//! refused without running; every call is a `tool_call` + `tool_result` pair and one
//! `ai_tool_call` audit record of the run.
#![cfg(unix)]
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use flow_core::agentic::{AuditKind, AuditQuery, AuditRecord};
use flow_core::engine::adapters::ai::dispatch::{ToolOutcome, Toolbox};
use flow_core::engine::adapters::ai::tools::ToolCall;
use flow_core::engine::{AdapterCtx, ExecutionEventKind, NodeInvocation, NodeReporter};
use serde_json::json;
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
    fn take(&self) -> Vec<ExecutionEventKind> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

struct Fixture {
    env: common::Env,
    /// Holds what lies outside the workspace.
    _outside: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
    recorder: Arc<Recorder>,
    toolbox: Toolbox,
}

const EXECUTION: &str = "exec-tools";

fn fixture() -> Fixture {
    let env = common::env();
    let root = env.dir.path().join("workspace");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("notes.txt"), "first line\nthe needle is here\n").unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "// needle in code\npub fn f() {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("keep")).unwrap();
    std::fs::write(root.join("keep/precious.txt"), "do not delete").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "s3cret").unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("leak.txt")).unwrap();
    let recorder = Arc::new(Recorder::default());
    let ctx = AdapterCtx {
        execution_id: EXECUTION.into(),
        // The run's own workspace is elsewhere: the toolbox's root is what counts.
        workspace_root: env.dir.path().to_path_buf(),
        data_dir: env.app.config().data_dir.clone(),
        cancel: CancellationToken::new(),
        reporter: recorder.clone(),
        app: Some(env.app.downgrade()),
    };
    let node = NodeInvocation {
        node_id: "agent".into(),
        node_type: "ai".into(),
        action_id: String::new(),
        data: serde_json::Map::new(),
        iteration: 0,
    };
    let toolbox = Toolbox::new(env.app.clone(), &node, &ctx, &root).unwrap();
    Fixture {
        root: root.canonicalize().unwrap(),
        outside: outside.path().to_path_buf(),
        _outside: outside,
        env,
        recorder,
        toolbox,
    }
}

impl Fixture {
    async fn audit(&self) -> Vec<AuditRecord> {
        let mut records = self
            .env
            .app
            .agentic()
            .audit()
            .list(AuditQuery {
                execution_id: Some(EXECUTION.into()),
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        records.reverse();
        records
    }

    /// Lines of the shell audit log (what the shell adapter ran or rejected).
    fn shell_audit_lines(&self) -> Vec<serde_json::Value> {
        let dir = self.env.app.config().data_dir.join("logs/audit");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("shell-"))
            .flat_map(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap()
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The call's two events: `tool_call` named `ai__…` then its `tool_result`.
fn assert_announced_and_reported(events: &[ExecutionEventKind], tool: &str, outcome: &ToolOutcome) {
    let name = format!("ai__{tool}");
    let calls: Vec<&ExecutionEventKind> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ExecutionEventKind::ToolCall { .. } | ExecutionEventKind::ToolResult { .. }
            )
        })
        .collect();
    assert_eq!(calls.len(), 2, "{events:?}");
    assert!(
        matches!(calls[0], ExecutionEventKind::ToolCall { node_id, name: n, .. } if node_id == "agent" && *n == name),
        "{events:?}"
    );
    assert!(
        matches!(calls[1], ExecutionEventKind::ToolResult { node_id, name: n, ok, summary } if node_id == "agent" && *n == name && *ok == outcome.ok && *summary == outcome.summary),
        "{events:?}"
    );
}

#[tokio::test]
async fn reads_lists_and_greps_inside_the_workspace() {
    let f = fixture();
    let read = f
        .toolbox
        .call(&ToolCall::ReadFile {
            path: "notes.txt".into(),
        })
        .await
        .unwrap();
    assert!(read.ok && !read.refused, "{read:?}");
    assert_eq!(read.text, "first line\nthe needle is here\n");
    assert_eq!(read.summary, "30 bytes");
    assert_announced_and_reported(&f.recorder.take(), "read_file", &read);

    let listed = f
        .toolbox
        .call(&ToolCall::ListDir { path: ".".into() })
        .await
        .unwrap();
    assert!(listed.ok, "{listed:?}");
    for line in ["keep/", "notes.txt (30 bytes)", "src/", "out (symlink)"] {
        assert!(
            listed.text.lines().any(|l| l == line),
            "{line} in {}",
            listed.text
        );
    }
    assert_announced_and_reported(&f.recorder.take(), "list_dir", &listed);

    let found = f
        .toolbox
        .call(&ToolCall::Grep {
            pattern: "needle".into(),
            path: ".".into(),
        })
        .await
        .unwrap();
    assert!(found.ok, "{found:?}");
    assert_eq!(found.summary, "2 matches");
    assert!(
        found.text.contains("notes.txt:2: the needle is here"),
        "{}",
        found.text
    );
    assert!(
        found.text.contains("src/lib.rs:1: // needle in code"),
        "{}",
        found.text
    );
    assert_announced_and_reported(&f.recorder.take(), "grep", &found);

    // A missing file is a failed result the model reads, not a refusal.
    let missing = f
        .toolbox
        .call(&ToolCall::ReadFile {
            path: "nope.txt".into(),
        })
        .await
        .unwrap();
    assert!(!missing.ok && !missing.refused, "{missing:?}");
    assert!(missing.text.contains("not found"), "{}", missing.text);

    let audit = f.audit().await;
    assert_eq!(audit.len(), 4);
    assert!(audit.iter().all(|r| r.kind == AuditKind::AiToolCall
        && r.execution_id.as_deref() == Some(EXECUTION)
        && r.node_id.as_deref() == Some("agent")));
    assert_eq!(audit[0].detail["name"], json!("ai__read_file"));
    assert_eq!(audit[0].detail["args"], json!({"path": "notes.txt"}));
    assert_eq!(audit[0].detail["ok"], json!(true));
    assert_eq!(audit[0].detail["refused"], json!(false));
    assert_eq!(audit[0].detail["resultChars"], json!(30));
    assert_eq!(audit[3].detail["ok"], json!(false));
}

#[tokio::test]
async fn escapes_from_the_workspace_are_refused_logged_and_audited() {
    let f = fixture();
    let escapes = [
        ToolCall::ReadFile {
            path: "../x".into(),
        },
        ToolCall::ReadFile {
            path: "/etc/passwd".into(),
        },
        ToolCall::ReadFile {
            path: "leak.txt".into(),
        },
        ToolCall::ListDir { path: "out".into() },
        ToolCall::Grep {
            pattern: "s3cret".into(),
            path: "out/secret.txt".into(),
        },
        ToolCall::ReadFile {
            path: format!("{}/secret.txt", f.outside.display()),
        },
        ToolCall::ReadFile {
            path: "notes\0.txt".into(),
        },
    ];
    for call in &escapes {
        let outcome = f.toolbox.call(call).await.unwrap();
        assert!(outcome.refused && !outcome.ok, "{call:?}: {outcome:?}");
        assert!(
            outcome
                .text
                .starts_with("refused: path escapes the workspace")
                || outcome
                    .text
                    .starts_with("refused: path contains a NUL byte"),
            "{call:?}: {}",
            outcome.text
        );
        assert!(!outcome.text.contains("s3cret"), "{}", outcome.text);
        assert_announced_and_reported(&f.recorder.take(), call.tool(), &outcome);
    }
    let audit = f.audit().await;
    assert_eq!(audit.len(), escapes.len());
    for (record, call) in audit.iter().zip(&escapes) {
        assert_eq!(record.kind, AuditKind::AiToolCall);
        assert_eq!(record.execution_id.as_deref(), Some(EXECUTION));
        assert_eq!(record.detail["refused"], json!(true));
        assert_eq!(record.detail["ok"], json!(false));
        assert_eq!(record.detail["args"], call.args());
        assert!(record.summary.contains("refused"), "{}", record.summary);
    }
}

#[tokio::test]
async fn destructive_commands_are_refused_without_running() {
    let f = fixture();
    let marker = f.root.join("ran.txt");
    for command in [
        "rm -rf /".to_owned(),
        "rm -rf keep".to_owned(),
        format!("touch {} && rm -rf keep", marker.display()),
        "git push origin main".to_owned(),
    ] {
        let outcome = f
            .toolbox
            .call(&ToolCall::RunShell {
                command: command.clone(),
            })
            .await
            .unwrap();
        assert!(outcome.refused && !outcome.ok, "{command}: {outcome:?}");
        assert!(
            outcome
                .text
                .ends_with("(destructive actions need a person; add a shell node)"),
            "{}",
            outcome.text
        );
        assert!(outcome.text.starts_with("refused: "), "{}", outcome.text);
        let events = f.recorder.take();
        assert_announced_and_reported(&events, "run_shell", &outcome);
        // Nothing ran: no output lines.
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, ExecutionEventKind::NodeLog { .. })),
            "{events:?}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(f.root.join("keep/precious.txt")).unwrap(),
        "do not delete"
    );
    assert!(!marker.exists(), "the command ran");
    // The shell adapter never saw them: its audit log has no line.
    assert!(f.shell_audit_lines().is_empty());
    let audit = f.audit().await;
    assert_eq!(audit.len(), 4);
    assert!(
        audit
            .iter()
            .all(|r| r.detail["refused"] == json!(true)
                && r.detail["name"] == json!("ai__run_shell"))
    );
    assert_eq!(audit[0].detail["args"], json!({"command": "rm -rf /"}));
}

#[tokio::test]
async fn a_harmless_command_runs_on_the_shell_rails() {
    let f = fixture();
    let outcome = f
        .toolbox
        .call(&ToolCall::RunShell {
            command: "echo hi && pwd".into(),
        })
        .await
        .unwrap();
    assert!(outcome.ok && !outcome.refused, "{outcome:?}");
    assert_eq!(outcome.summary, "exit code 0");
    let root = f.root.display().to_string();
    assert_eq!(outcome.text, format!("exit code 0\nstdout:\nhi\n{root}\n"));
    let events = f.recorder.take();
    assert_announced_and_reported(&events, "run_shell", &outcome);
    // The output streamed as the ai node's log lines, as a shell node's does.
    let lines: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ExecutionEventKind::NodeLog { node_id, line, .. } if node_id == "agent" => {
                Some(line.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(lines, ["hi", root.as_str()]);
    // The shell adapter's own audit line: cwd the workspace, environment scrubbed.
    let shell = f.shell_audit_lines();
    assert_eq!(shell.len(), 1, "{shell:?}");
    assert_eq!(shell[0]["nodeId"], json!("agent"));
    assert_eq!(shell[0]["executionId"], json!(EXECUTION));
    assert_eq!(shell[0]["cwd"], json!(root));
    assert_eq!(shell[0]["env"], json!("scrubbed"));
    assert_eq!(shell[0]["outcome"], json!("ok"));

    let failing = f
        .toolbox
        .call(&ToolCall::RunShell {
            command: "echo oops >&2; exit 3".into(),
        })
        .await
        .unwrap();
    assert!(!failing.ok && !failing.refused, "{failing:?}");
    assert_eq!(failing.summary, "error: exited with code 3");
    assert!(failing.text.contains("stderr:\noops"), "{}", failing.text);
    let audit = f.audit().await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].detail["ok"], json!(true));
    assert_eq!(audit[1].detail["ok"], json!(false));
}

#[tokio::test]
async fn a_workspace_that_is_not_a_folder_is_rejected() {
    let f = fixture();
    let node = NodeInvocation {
        node_id: "agent".into(),
        node_type: "ai".into(),
        action_id: String::new(),
        data: serde_json::Map::new(),
        iteration: 0,
    };
    let ctx = AdapterCtx {
        execution_id: EXECUTION.into(),
        workspace_root: f.root.clone(),
        data_dir: f.env.app.config().data_dir.clone(),
        cancel: CancellationToken::new(),
        reporter: f.recorder.clone(),
        app: Some(f.env.app.downgrade()),
    };
    for root in [f.root.join("missing"), f.root.join("notes.txt")] {
        assert!(Toolbox::new(f.env.app.clone(), &node, &ctx, &root).is_err());
    }
}
