//! Real processes through the engine: the `shell` adapter's log streaming, failure output and
//! fail-edge routing, cancel killing the process group, the destructive gate in front of a real
//! `rm`, history after a run, and the environment scrub.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flow_core::commands;
use flow_core::engine::{ExecutionEventKind, LogStream, RunOptions, RunStatus};
use flow_core::history::StepStatus;
use serde_json::{Value, json};

mod common;
use common::*;

/// A `shell` `run-command` node.
fn shell(id: &str, command: &str) -> Value {
    json!({"id": id, "type": "action", "data": {"adapter": "shell", "actionId": "run-command", "command": command}})
}

/// Run options with a named workspace (`<data>/workspaces/<name>`), created up front.
fn in_workspace(e: &Env, name: &str) -> (RunOptions, PathBuf) {
    let dir = e.dir.path().join("data").join("workspaces").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let options = RunOptions {
        workspace: Some(name.to_owned()),
        ..Default::default()
    };
    (options, dir)
}

/// The lines a node logged on one stream, in order.
fn logs(w: &Watch, node: &str, stream: LogStream) -> Vec<String> {
    w.kinds_of(node)
        .into_iter()
        .filter_map(|k| match k {
            ExecutionEventKind::NodeLog {
                stream: s, line, ..
            } if *s == stream => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_failing_command_streams_its_lines_and_its_fail_edge_reads_stderr() {
    let e = env();
    let g = graph(
        json!([
            shell("build", "echo building; echo oops >&2; exit 3"),
            utility("report", "log", json!({"message": "{{build.stderr}}"})),
            mock("deploy", json!({}))
        ]),
        json!([
            edge("build", "report", "fail"),
            edge("build", "deploy", "pass")
        ]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "the failure is handled");

    // Each stream's lines arrive as node_log events, in order, before the node ends. (The two
    // pipes are read independently, so stdout-vs-stderr order is not asserted.)
    assert_eq!(logs(&w, "build", LogStream::Stdout), ["building"]);
    assert_eq!(logs(&w, "build", LogStream::Stderr), ["oops"]);
    let failed_at = w
        .pos(|k| matches!(k, ExecutionEventKind::NodeFailed { node_id, .. } if node_id == "build"));
    for line in ["building", "oops"] {
        let at = w.pos(|k| matches!(k, ExecutionEventKind::NodeLog { node_id, line: l, .. } if node_id == "build" && l == line));
        assert!(at < failed_at, "{line} logged after the node failed");
    }

    let output = w
        .kinds_of("build")
        .into_iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeFailed { output, .. } => output.clone(),
            _ => None,
        })
        .expect("build failed with an output");
    assert_eq!(output["exitCode"], 3);
    assert_eq!(output["stdout"], "building\n");
    assert_eq!(output["stderr"], "oops\n");
    assert!(w.failed("build").unwrap().contains('3'));

    // stderr is captured raw, newline included; the template hands it over as is.
    let said = w
        .kinds_of("report")
        .into_iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output["message"].clone()),
            _ => None,
        })
        .expect("report succeeded");
    assert_eq!(said, "oops\n");

    let reason = w.skipped("deploy").expect("deploy skipped");
    assert!(reason.contains("build"), "reason: {reason}");
    assert!(!w.succeeded("deploy"));

    // History: steps with their statuses, and the build node's log lines on their own.
    e.app.history().flush().await;
    let detail = commands::run_get(&e.app, w.id.clone()).await.unwrap();
    let step = |node: &str| {
        detail
            .steps
            .iter()
            .find(|s| s.node_id == node)
            .unwrap_or_else(|| panic!("no step for {node}: {:?}", detail.steps))
    };
    assert_eq!(step("build").status, StepStatus::Failed);
    assert_eq!(step("build").output.as_ref().unwrap()["exitCode"], 3);
    assert_eq!(step("report").status, StepStatus::Succeeded);
    assert_eq!(step("deploy").status, StepStatus::Skipped);
    assert!(step("deploy").reason.is_some());
    assert_eq!(detail.run.status, RunStatus::Succeeded);

    let page = commands::run_events(&e.app, w.id.clone(), None, None, Some("build".into()))
        .await
        .unwrap();
    assert!(page.complete);
    assert!(
        page.events
            .iter()
            .all(|ev| ev.kind.node_id() == Some("build"))
    );
    let lines: Vec<(LogStream, &str)> = page
        .events
        .iter()
        .filter_map(|ev| match &ev.kind {
            ExecutionEventKind::NodeLog { stream, line, .. } => Some((*stream, line.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.contains(&(LogStream::Stdout, "building")));
    assert!(lines.contains(&(LogStream::Stderr, "oops")));
}

/// Whether a process is gone (or only a zombie waiting for its new parent to reap it).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S ...`: the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

async fn wait_for_file(path: &Path) -> String {
    let t = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{path:?} never appeared"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[cfg(unix)]
#[tokio::test]
async fn cancel_kills_the_whole_process_group() {
    let e = env();
    let (options, ws) = in_workspace(&e, "cancel");
    let g = graph(
        json!([
            shell("nap", "sleep 30 & echo $! > pid; wait"),
            mock("after", json!({}))
        ]),
        json!([edge("nap", "after", "pass")]),
    );
    let mut w = start(&e.app, g, options).await;
    w.until(|k| matches!(k, ExecutionEventKind::NodeStarted { node_id, .. } if node_id == "nap"))
        .await;
    let pid: u32 = wait_for_file(&ws.join("pid")).await.trim().parse().unwrap();
    assert!(!gone(pid), "sleep {pid} should be running");

    let t = Instant::now();
    commands::run_cancel(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(w.done().await, RunStatus::Cancelled);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    assert!(!w.succeeded("after"));

    // SIGKILL to the group is immediate, but reaping by the new parent may lag a moment.
    let t = Instant::now();
    while !gone(pid) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "sleep {pid} survived the cancel"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_destructive_gate_holds_a_real_rm_until_approved() {
    let e = env();
    let (mut options, ws) = in_workspace(&e, "gate");
    options.confirm_destructive = Some(true);
    let victim = ws.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let flow = || graph(json!([shell("clean", "rm -f victim.txt")]), json!([]));

    // Denied: the node fails without running and the file stays.
    let mut w = start(&e.app, flow(), options.clone()).await;
    let ev = w
        .until(|k| matches!(k, ExecutionEventKind::AwaitingConfirmation { .. }))
        .await;
    assert!(
        matches!(&ev.kind, ExecutionEventKind::AwaitingConfirmation { node_id, action } if node_id == "clean" && action.contains("rm -f victim.txt")),
        "{ev:?}"
    );
    assert!(victim.exists(), "ran before approval");
    commands::run_confirm(&e.app, w.id.clone(), "clean".into(), false)
        .await
        .unwrap();
    assert_eq!(w.done().await, RunStatus::Failed);
    assert_eq!(w.failed("clean").unwrap(), "denied by user");
    assert!(victim.exists(), "a denied rm ran");

    // Approved: it runs.
    let mut w = start(&e.app, flow(), options).await;
    w.until(|k| matches!(k, ExecutionEventKind::AwaitingConfirmation { .. }))
        .await;
    assert!(victim.exists());
    commands::run_confirm(&e.app, w.id.clone(), "clean".into(), true)
        .await
        .unwrap();
    assert_eq!(w.done().await, RunStatus::Succeeded);
    assert!(w.succeeded("clean"));
    assert!(!victim.exists(), "an approved rm did not run");
}

#[tokio::test]
async fn the_child_environment_is_scrubbed_to_the_allow_list() {
    // Cargo sets this for the test process; a scrubbed child must not see it.
    let leaked = "CARGO_MANIFEST_DIR";
    let e = env();
    let g = graph(json!([shell("env", "env | sort")]), json!([]));
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded);
    let lines = logs(&w, "env", LogStream::Stdout);
    assert!(!lines.is_empty());
    let allowed = ["HOME", "USER", "PATH", "LANG", "TERM", "SHELL"];
    // Set by `sh` itself, not inherited.
    let shell_own = ["PWD", "OLDPWD", "SHLVL", "_"];
    for line in &lines {
        let name = line.split_once('=').map_or(line.as_str(), |(n, _)| n);
        assert!(
            allowed.contains(&name) || shell_own.contains(&name) || name.starts_with("LC_"),
            "{name} leaked into the child: {lines:?}"
        );
    }
    if std::env::var_os(leaked).is_some() {
        assert!(!lines.iter().any(|l| l.starts_with(leaked)));
    }
    if std::env::var_os("PATH").is_some() {
        assert!(lines.iter().any(|l| l.starts_with("PATH=")), "{lines:?}");
    }
}
