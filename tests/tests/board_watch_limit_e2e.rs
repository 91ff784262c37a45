//! The real `flow-server` with the system's inotify watch limit reached, at start (a tree with
//! more folders than the limit) and later (folders appearing past it). The server runs in a user
//! namespace of its own whose `max_inotify_watches` is set low, so the kernel itself refuses the
//! watches and nothing else on the machine is touched. The board must say once that it falls
//! back to polling, and every change must still reach the event stream and the API.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse::SseStream;
use serde_json::json;

const TOKEN: &str = "board-watch-limit-token-0123";
/// Watches the server's namespace allows; each watched folder takes one.
const LIMIT: usize = 20;
const FALLBACK: &str = "falls back to polling";

fn write_task(tasks: &Path, list: &str, id: &str, subject: &str) {
    std::fs::create_dir_all(tasks.join(list)).unwrap();
    let body =
        json!({"id": id, "subject": subject, "status": "pending", "blocks": [], "blockedBy": []});
    std::fs::write(
        tasks.join(list).join(format!("{id}.json")),
        body.to_string(),
    )
    .unwrap();
}

/// A server whose namespace allows `LIMIT` inotify watches, over `root`'s tasks and projects.
fn start(root: &Path) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![
            ("TASKS_DIR".into(), root.join("tasks").display().to_string()),
            (
                "PROJECTS_DIR".into(),
                root.join("projects").display().to_string(),
            ),
            ("RUST_LOG".into(), "info".into()),
        ],
        wrapper: vec![
            "unshare".into(),
            "--user".into(),
            "--map-root-user".into(),
            "sh".into(),
            "-c".into(),
            format!("echo {LIMIT} > /proc/sys/user/max_inotify_watches && exec \"$0\""),
        ],
        ..Default::default()
    })
}

async fn events(server: &ServerProcess) -> SseStream {
    let mut stream = flow_tests::sse::connect(&server.url, TOKEN, None, false).await;
    assert_eq!(stream.next_json().await.1["type"], "connected");
    // Requests wait for the first index build; after it, written files are new to the index.
    let (status, _) = server.get_json("/api/sessions?limit=all").await;
    assert_eq!(status, 200);
    stream
}

/// Waits for an `update` event of `list` after which the API shows a task titled `subject`
/// (an earlier write to the same list may be reported first).
async fn arrives(server: &ServerProcess, stream: &mut SseStream, list: &str, subject: &str) {
    let written = Instant::now();
    let deadline = written + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (_, event) = tokio::time::timeout(left, stream.next_json())
            .await
            .unwrap_or_else(|_| panic!("no update for {subject:?} in {list} in 20 s"));
        if event["type"] != "update" || event["sessionId"] != list {
            continue;
        }
        let (status, tasks) = server.get_json(&format!("/api/sessions/{list}")).await;
        assert_eq!(status, 200, "{tasks}");
        let shown = tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["subject"] == json!(subject));
        if shown {
            eprintln!(
                "{list}: {subject:?} arrived {:?} after it was written",
                written.elapsed()
            );
            return;
        }
    }
}

fn wait_for_log(server: &ServerProcess, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server.stderr().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "no {needle:?} in the log:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_tree_past_the_watch_limit_at_start_is_polled_and_every_change_still_arrives() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    for n in 0..3 * LIMIT {
        write_task(&tasks, &format!("list-{n:03}"), "1", "first");
    }
    std::fs::create_dir_all(root.path().join("projects")).unwrap();
    let server = start(root.path());
    wait_for_log(&server, FALLBACK);
    let mut stream = events(&server).await;

    // The last folders are past the limit: no watch could ever report these.
    let last = format!("list-{:03}", 3 * LIMIT - 1);
    write_task(&tasks, &last, "2", "written after the fallback");
    arrives(&server, &mut stream, &last, "written after the fallback").await;
    write_task(&tasks, "list-new", "1", "a new list");
    arrives(&server, &mut stream, "list-new", "a new list").await;

    let log = server.stderr();
    assert_eq!(log.matches(FALLBACK).count(), 1, "said once:\n{log}");
    assert!(!log.contains("will retry"), "no retry storm:\n{log}");
}

#[tokio::test]
async fn folders_appearing_past_the_watch_limit_switch_a_live_board_to_polling() {
    let root = tempfile::tempdir().unwrap();
    let tasks = root.path().join("tasks");
    write_task(&tasks, "list-000", "1", "first");
    std::fs::create_dir_all(root.path().join("projects")).unwrap();
    let server = start(root.path());
    let mut stream = events(&server).await;
    // Watched live for now: a change arrives, and nothing has fallen back.
    write_task(&tasks, "list-000", "2", "live");
    arrives(&server, &mut stream, "list-000", "live").await;
    assert!(!server.stderr().contains(FALLBACK), "{}", server.stderr());

    // More folders than the limit appear; the watcher cannot follow them all.
    for n in 1..2 * LIMIT {
        write_task(&tasks, &format!("list-{n:03}"), "1", "late");
    }
    wait_for_log(&server, FALLBACK);
    let last = format!("list-{:03}", 2 * LIMIT - 1);
    write_task(&tasks, &last, "2", "after the switch");
    arrives(&server, &mut stream, &last, "after the switch").await;
    let (_, sessions) = server.get_json("/api/sessions?limit=all").await;
    assert_eq!(
        sessions.as_array().unwrap().len(),
        2 * LIMIT,
        "every list indexed"
    );
    assert_eq!(server.stderr().matches(FALLBACK).count(), 1);
}
