//! `POST /api/run` end to end over loopback HTTP with the server in-process: two-node runs per
//! minute from many concurrent clients (each reading its SSE stream to `done`), and a shell node
//! printing 1,000,000 lines streamed to a client, with peak memory and a full history replay.
//!
//! Knobs (environment): `RUN_HTTP_SECS` (seconds per concurrency level, default 20),
//! `RUN_HTTP_CONCURRENCY` (comma-separated, default `16,32,64`), `RUN_HTTP_LINES` (default
//! 1000000), `RUN_HTTP_SKIP` (`a` or `b` to leave a part out).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use flow_core::{App, AppError};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "bench-run-http-token-0123456789";

fn err(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{context}: {e}"))
}

/// The part of a frame the benchmark looks at.
#[derive(Deserialize)]
struct Frame {
    kind: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    execution_id: Option<String>,
}

/// What one SSE stream delivered.
#[derive(Debug, Default)]
struct StreamCount {
    frames: u64,
    node_logs: u64,
    status: Option<String>,
    execution_id: Option<String>,
}

/// Reads a run stream to its `done` frame (or its end), counting frames.
async fn read_stream(response: reqwest::Response) -> Result<StreamCount, AppError> {
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(AppError::Internal(format!("HTTP {status}: {body}")));
    }
    let mut events = response.bytes_stream().eventsource();
    let mut count = StreamCount::default();
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| err("sse", e))?;
        count.frames += 1;
        // `node_log` frames are the bulk; recognised without a full parse.
        if event.data.contains(r#""kind":"node_log""#) {
            count.node_logs += 1;
            continue;
        }
        let frame: Frame = serde_json::from_str(&event.data).map_err(|e| err("frame", e))?;
        if count.execution_id.is_none() {
            count.execution_id = frame.execution_id;
        }
        if frame.kind == "done" {
            count.status = frame.status;
            break;
        }
    }
    Ok(count)
}

struct Server {
    _scratch: flow_bench::Scratch,
    app: App,
    url: String,
    client: reqwest::Client,
    shutdown: CancellationToken,
}

impl Server {
    async fn start() -> Result<Self, AppError> {
        let scratch = flow_bench::Scratch::new()?;
        let app = scratch.open()?;
        let (url, shutdown) = flow_bench::serve_loopback(app.clone(), &scratch, TOKEN).await?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| err("client", e))?;
        Ok(Self {
            _scratch: scratch,
            app,
            url,
            client,
            shutdown,
        })
    }

    async fn post_run(&self, body: &Value) -> Result<StreamCount, AppError> {
        let response = self
            .client
            .post(format!("{}/api/run", self.url))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .map_err(|e| err("POST /api/run", e))?;
        read_stream(response).await
    }

    async fn attach(&self, id: &str) -> Result<StreamCount, AppError> {
        let response = self
            .client
            .get(format!("{}/api/runs/{id}/events", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .map_err(|e| err("GET /api/runs/{id}/events", e))?;
        read_stream(response).await
    }
}

/// A `VmHWM`/`VmRSS`-style field of `/proc/self/status`, in MiB (0 where unavailable).
fn proc_status_mib(field: &str) -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn two_node_body() -> Value {
    json!({
        "graph": {
            "name": "bench two",
            "nodes": [
                {"id": "a", "type": "action", "data": {"adapter": "mock"}},
                {"id": "b", "type": "action", "data": {"adapter": "mock"}}
            ],
            "edges": [{"source": "a", "target": "b", "outcome": "pass"}]
        }
    })
}

struct Throughput {
    concurrency: usize,
    runs: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Throughput {
    fn per_min(&self) -> f64 {
        self.runs as f64 / self.elapsed.as_secs_f64() * 60.0
    }
}

async fn throughput(
    server: &std::sync::Arc<Server>,
    concurrency: usize,
    secs: u64,
) -> Result<Throughput, AppError> {
    let body = std::sync::Arc::new(two_node_body());
    let t = Instant::now();
    let deadline = t + Duration::from_secs(secs);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let server = server.clone();
        let body = body.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let start = Instant::now();
                let count = server.post_run(&body).await?;
                if count.status.as_deref() != Some("succeeded") {
                    return Err(AppError::Internal(format!("run ended {:?}", count.status)));
                }
                lat.push(start.elapsed());
            }
            Ok::<_, AppError>(lat)
        });
    }
    let mut lat = Vec::new();
    while let Some(r) = set.join_next().await {
        lat.extend(r.map_err(|e| err("join", e))??);
    }
    let elapsed = t.elapsed();
    lat.sort();
    Ok(Throughput {
        concurrency,
        runs: lat.len(),
        elapsed,
        p50: flow_bench::percentile(&lat, 0.5),
        p99: flow_bench::percentile(&lat, 0.99),
    })
}

async fn part_a(server: &std::sync::Arc<Server>) -> Result<(), AppError> {
    let secs = std::env::var("RUN_HTTP_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let levels: Vec<usize> = std::env::var("RUN_HTTP_CONCURRENCY")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![16, 32, 64]);
    // Warm-up: connections, allocator, SQLite pages.
    throughput(server, 8, 2).await?;
    println!(
        "(a) two-node mock→mock runs via POST /api/run {{graph}}, SSE read to `done`, {secs} s per level"
    );
    println!("| clients | runs | runs/min | p50 latency | p99 latency |");
    println!("|---|---|---|---|---|");
    let mut best: Option<Throughput> = None;
    for &c in &levels {
        let r = throughput(server, c, secs).await?;
        println!(
            "| {} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            r.concurrency,
            r.runs,
            r.per_min(),
            ms(r.p50),
            ms(r.p99)
        );
        if best.as_ref().is_none_or(|b| r.per_min() > b.per_min()) {
            best = Some(r);
        }
    }
    if let Some(b) = best {
        println!(
            "best: {:.0} runs/min at {} clients (goal ≥ 100,000)",
            b.per_min(),
            b.concurrency
        );
    }
    Ok(())
}

async fn part_b(server: &Server) -> Result<(), AppError> {
    let lines: u64 = std::env::var("RUN_HTTP_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let body = json!({
        "graph": {
            "name": "bench seq",
            "nodes": [{"id": "seq", "type": "action", "data": {
                "adapter": "shell", "actionId": "run-command",
                "command": format!("seq 1 {lines}"),
                "maxOutputBytes": 64 * 1024 * 1024,
                "timeoutMs": 600_000
            }}],
            "edges": []
        }
    });
    let hwm_before = proc_status_mib("VmHWM");
    let rss_before = proc_status_mib("VmRSS");
    let t = Instant::now();
    let live = server.post_run(&body).await?;
    let wall = t.elapsed();
    let hwm_after = proc_status_mib("VmHWM");
    let rss_after = proc_status_mib("VmRSS");
    let id = live
        .execution_id
        .clone()
        .ok_or_else(|| AppError::Internal("no execution id in the stream".into()))?;

    server.app.history().flush().await;
    let t = Instant::now();
    let replay = server.attach(&id).await?;
    let replay_wall = t.elapsed();
    let hwm_replay = proc_status_mib("VmHWM");
    let rss_replay = proc_status_mib("VmRSS");

    println!();
    println!(
        "(b) shell `seq 1 {lines}` via POST /api/run, then GET /api/runs/{{id}}/events replay"
    );
    println!("| measure | live stream | replay from SQLite |");
    println!("|---|---|---|");
    println!("| status | {:?} | {:?} |", live.status, replay.status);
    println!(
        "| wall time | {:.2} s | {:.2} s |",
        wall.as_secs_f64(),
        replay_wall.as_secs_f64()
    );
    println!("| frames | {} | {} |", live.frames, replay.frames);
    println!(
        "| node_log frames | {} | {} |",
        live.node_logs, replay.node_logs
    );
    println!(
        "| lines/s | {:.0} | {:.0} |",
        live.node_logs as f64 / wall.as_secs_f64(),
        replay.node_logs as f64 / replay_wall.as_secs_f64()
    );
    println!(
        "| peak RSS (VmHWM) before → after | {hwm_before:.1} → {hwm_after:.1} MiB | → {hwm_replay:.1} MiB |"
    );
    println!(
        "| RSS (VmRSS) before → after | {rss_before:.1} → {rss_after:.1} MiB | → {rss_replay:.1} MiB |"
    );
    if live.node_logs != lines || replay.node_logs != lines {
        return Err(AppError::Internal(format!(
            "expected {lines} node_log frames, got {} live and {} replayed",
            live.node_logs, replay.node_logs
        )));
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), AppError> {
    let server = std::sync::Arc::new(Server::start().await?);
    println!(
        "run_http: {} worker threads, server {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        server.url
    );
    let skip = std::env::var("RUN_HTTP_SKIP").unwrap_or_default();
    // (b) first, so its "before" peak is not the throughput part's.
    if skip != "b" {
        part_b(&server).await?;
        println!();
    }
    if skip != "a" {
        part_a(&server).await?;
    }
    server.shutdown.cancel();
    Ok(())
}
