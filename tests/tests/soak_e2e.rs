//! A short soak of the real `flow-server`: many event-stream clients held open while steady
//! requests and runs go on. No request may fail, every stream must keep delivering, the
//! server's memory must stay bounded, and once the clients leave its file descriptors go back
//! to where they started (no leak).
//!
//! `FLOW_SOAK_CLIENTS` (default 1000) and `FLOW_SOAK_SECS` (default 15) set the size; the long
//! form is `FLOW_SOAK_CLIENTS=10000 FLOW_SOAK_SECS=600`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use flow_tests::server::{ServerOptions, ServerProcess};
use futures_util::StreamExt;
use serde_json::json;

const TOKEN: &str = "soak-test-token-0123456789";
const RUN_DSL: &str = r#"flow "Soak run"

a[utility: "A"] {
  actionId: "log"
  message: "soak"
}
"#;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_streams_and_steady_load_without_errors_growth_or_leaked_descriptors() {
    let clients = knob("FLOW_SOAK_CLIENTS", 1000);
    let secs = knob("FLOW_SOAK_SECS", 15) as u64;
    // This process holds one descriptor per stream too.
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap();
    assert!(
        limit as usize > clients + 200,
        "the open-file limit ({limit}) is too low for {clients} clients"
    );
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("RUST_LOG".into(), "info".into())],
        ..Default::default()
    });
    let pid = server.pid();
    let url = server.url.clone();
    let baseline_fds = open_fds(pid);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let streams = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    // The streams: each counts the events it gets and says when it broke.
    let frames: Arc<Vec<AtomicU64>> = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect());
    let broken = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for i in 0..clients {
        let response = streams
            .get(format!("{url}/api/events"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "stream {i} refused");
        let (frames, broken) = (frames.clone(), broken.clone());
        readers.push(tokio::spawn(async move {
            let mut body = response.bytes_stream();
            while let Some(chunk) = body.next().await {
                match chunk {
                    Ok(bytes) => {
                        let events = bytes.windows(5).filter(|w| w == b"data:").count() as u64;
                        frames[i].fetch_add(events, Ordering::Relaxed);
                    }
                    Err(_) => {
                        broken.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
            broken.fetch_add(1, Ordering::Relaxed);
        }));
    }
    let held_fds = open_fds(pid);
    assert!(
        held_fds >= baseline_fds + clients,
        "{held_fds} descriptors for {clients} streams"
    );
    let rss_held = rss_mib(pid);

    // Steady load: reads, saves and runs, for `secs`.
    let errors = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(secs);
    let mut load = Vec::new();
    for worker in 0..6 {
        let (client, url, errors, requests) = (
            client.clone(),
            url.clone(),
            errors.clone(),
            requests.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < until {
                let (command, args) = match (worker, i % 3) {
                    (0, _) => ("run_start", json!({"source": {"dsl": RUN_DSL}})),
                    (1, _) => (
                        "flow_save",
                        json!({"input": {"graph": {"name": format!("Soak {i}"), "nodes": [], "edges": []}}}),
                    ),
                    (_, 0) => ("settings_get", json!({})),
                    (_, 1) => ("flows_list", json!({})),
                    _ => ("runs_list", json!({})),
                };
                let ok = client
                    .post(format!("{url}/api/invoke/{command}"))
                    .bearer_auth(TOKEN)
                    .json(&args)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                requests.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }
    let mut rss_peak = rss_held;
    while Instant::now() < until {
        rss_peak = rss_peak.max(rss_mib(pid));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for worker in load {
        worker.await.unwrap();
    }
    let before_last: Vec<u64> = frames.iter().map(|f| f.load(Ordering::Relaxed)).collect();
    // One more event after the load: every stream must still deliver.
    let saved = client
        .post(format!("{url}/api/invoke/flow_save"))
        .bearer_auth(TOKEN)
        .json(&json!({"input": {"graph": {"name": "Soak last", "nodes": [], "edges": []}}}))
        .send()
        .await
        .unwrap();
    assert!(saved.status().is_success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let behind = frames
            .iter()
            .zip(&before_last)
            .filter(|(f, before)| f.load(Ordering::Relaxed) <= **before)
            .count();
        if behind == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{behind} of {clients} streams got nothing after the load"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = requests.load(Ordering::Relaxed);
    let errors = errors.load(Ordering::Relaxed);
    assert_eq!(errors, 0, "{errors} of {requests} requests failed");
    assert_eq!(
        broken.load(Ordering::Relaxed),
        0,
        "streams broke during the load"
    );
    // Debug build; the release figures are in BENCHMARKS.md.
    assert!(rss_peak < 400.0, "the server grew to {rss_peak:.0} MiB");

    // The clients leave: the server lets go of every descriptor they held. (The load opened
    // a few descriptors of its own that stay: pooled database readers and the load client's
    // keep-alive connections; they are counted before the streams go.)
    let with_streams = open_fds(pid);
    let expected = with_streams - clients;
    for reader in &readers {
        reader.abort();
    }
    drop(readers);
    let deadline = Instant::now() + Duration::from_secs(20);
    while open_fds(pid) > expected {
        assert!(
            Instant::now() < deadline,
            "{} descriptors open after the clients left, {expected} expected \
             ({with_streams} with the streams)",
            open_fds(pid)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let errors_logged = server
        .stderr()
        .lines()
        .filter(|l| l.contains(" ERROR "))
        .count();
    assert_eq!(errors_logged, 0, "{}", server.stderr());
    eprintln!(
        "soak: {clients} streams for {secs} s, {requests} requests, 0 errors; RSS {rss_held:.0} MiB held, {rss_peak:.0} MiB peak; descriptors {baseline_fds} before, {held_fds} with the streams, {} after",
        open_fds(pid)
    );
}
