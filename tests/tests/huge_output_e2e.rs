//! A shell node printing a huge output through the real `flow-server`: every line reaches the
//! live stream and the stored history, while the server's memory stays under a fixed bound,
//! because the node's output keeps only the end of each stream (`maxCaptureBytes`, 1 MiB by
//! default) apart from the streamed lines.
//!
//! `FLOW_HUGE_LINES` (default 1,000,000) sets the size; the long form is
//! `FLOW_HUGE_LINES=10000000 cargo test --release -p flow-tests --test huge_output_e2e`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::{Duration, Instant};

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use serde_json::{Value, json};

const TOKEN: &str = "huge-output-test-token-0123456789";
/// What the server may grow by, at its peak, over its resident size before the run: the stated
/// bound for a node of any length (the capture, the history writer's queue and batch, SQLite's
/// page caches, the event ring and the stream buffers are each bounded).
const BOUND_MIB: f64 = 96.0;
/// `maxCaptureBytes`' default.
const CAPTURE: u64 = 1024 * 1024;

fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

/// Bytes `seq 1 n` prints.
fn seq_bytes(n: u64) -> u64 {
    (1..=n).map(|i| i.to_string().len() as u64 + 1).sum()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap()
}

/// Reads a run stream to its end: the `node_log` lines (checked to be `1..` in order, so none
/// is lost, doubled or reordered), the succeeded node's output, and the final status.
async fn read_run(response: reqwest::Response) -> (u64, Option<Value>, String, String) {
    assert_eq!(response.status(), 200);
    let mut stream = sse::from_response(response);
    let (mut lines, mut output, mut status, mut id) = (0_u64, None, String::new(), String::new());
    while let Some(event) = stream.next_or_end().await {
        let frame: Value = serde_json::from_str(&event.data).unwrap();
        match frame["kind"].as_str().unwrap() {
            "started" => id = frame["execution_id"].as_str().unwrap().to_owned(),
            "node_log" => {
                lines += 1;
                assert_eq!(
                    frame["line"].as_str().unwrap(),
                    lines.to_string(),
                    "line {lines} out of place"
                );
            }
            "node_succeeded" => output = Some(frame["output"].clone()),
            "done" => status = frame["status"].as_str().unwrap().to_owned(),
            _ => {}
        }
    }
    (lines, output, status, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_line_of_a_huge_output_is_streamed_and_stored_in_bounded_memory() {
    let lines: u64 = std::env::var("FLOW_HUGE_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("RUST_LOG".into(), "info".into())],
        ..Default::default()
    });
    let pid = server.pid();
    let run = |command: String| {
        client()
            .post(format!("{}/api/run", server.url))
            .bearer_auth(TOKEN)
            .json(&json!({"graph": {
                "name": "Huge output",
                "nodes": [{"id": "seq", "type": "action", "data": {
                    "adapter": "shell", "actionId": "run-command",
                    "command": command,
                    // The kill cap is a runaway guard; this node is meant to print this much.
                    "maxOutputBytes": 1_u64 << 30,
                    "timeoutMs": 3_600_000
                }}],
                "edges": []
            }}))
            .send()
    };

    // A small run first, so the history writer, the database and the runtime are warm.
    let (warm, _, status, _) = read_run(run("seq 1 1000".into()).await.unwrap()).await;
    assert_eq!((warm, status.as_str()), (1000, "succeeded"));
    let rss_before = status_mib(pid, "VmRSS");

    let started = Instant::now();
    let (streamed, output, status, id) =
        read_run(run(format!("seq 1 {lines}")).await.unwrap()).await;
    let live_secs = started.elapsed().as_secs_f64();
    let peak_live = status_mib(pid, "VmHWM");
    assert_eq!(status, "succeeded");
    assert_eq!(streamed, lines, "every line is streamed live");

    // The output later nodes read: the end of stdout, at most the capture, starting at a line,
    // and an exact count of what it let go.
    let output = output.expect("node_succeeded carries the output");
    let stdout = output["stdout"].as_str().unwrap();
    assert!(
        stdout.len() as u64 <= CAPTURE,
        "{} bytes kept",
        stdout.len()
    );
    assert!(
        stdout.ends_with(&format!("\n{lines}\n")),
        "ends with the last line"
    );
    let first_kept: u64 = stdout.lines().next().unwrap().parse().unwrap();
    assert!(first_kept > 1, "a line is cut at the start of the tail");
    let truncated = &output["truncated"];
    assert_eq!(truncated["limit"], CAPTURE);
    assert_eq!(truncated["stderr"], 0);
    assert_eq!(
        truncated["stdout"].as_u64().unwrap() + stdout.len() as u64,
        seq_bytes(lines),
        "kept + let go = everything printed"
    );
    assert_eq!(
        truncated["stdout"].as_u64().unwrap(),
        seq_bytes(first_kept - 1),
        "what was let go is exactly the lines before the first kept one"
    );

    // Stored: the history counts every line and replays them all, in order.
    let (code, detail) = server.invoke("run_get", json!({"executionId": id})).await;
    assert_eq!(code, 200, "{detail}");
    assert_eq!(detail["steps"][0]["logLines"], lines);
    let started = Instant::now();
    let replay = client()
        .get(format!("{}/api/runs/{id}/events", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (replayed, _, status, _) = read_run(replay).await;
    let replay_secs = started.elapsed().as_secs_f64();
    assert_eq!((replayed, status.as_str()), (lines, "succeeded"));
    let peak = status_mib(pid, "VmHWM");

    eprintln!(
        "{lines} lines: live {live_secs:.1} s, replay {replay_secs:.1} s; server RSS before \
         {rss_before:.1} MiB, peak {peak_live:.1} MiB live, {peak:.1} MiB after the replay"
    );
    assert!(
        peak - rss_before < BOUND_MIB,
        "the server grew {:.1} MiB (from {rss_before:.1} to a peak of {peak:.1}); the bound is \
         {BOUND_MIB} MiB",
        peak - rss_before
    );
}
