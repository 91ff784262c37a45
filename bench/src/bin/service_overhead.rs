//! The service adapter's per-request overhead: N sequential GETs to a loopback axum server
//! through the `service` adapter (a saved bearer connection, resolved per request as a run
//! does: settings check, descriptor lookup, credential store read, request templating, auth
//! injection, retry bookkeeping, size-capped read, JSON parse, redaction, the `node_log` line)
//! against bare `reqwest` with the same client settings (bearer header, body read, JSON parse).
//!
//! `cargo run --release -p flow-bench --bin service_overhead [-- N]` (default N = 2000).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use flow_bench::{Scratch, percentile};
use flow_core::credentials::{AuthKind, ConnectionConfig, ConnectionInput};
use flow_core::engine::adapters::service::ServiceAdapter;
use flow_core::engine::{Adapter, AdapterCtx, ExecutionEventKind, NodeInvocation, NodeReporter};
use flow_core::settings::SettingsPatch;
use flow_core::{AppError, commands};
use serde_json::{Value, json};

const TOKEN: &str = "bench-bearer-token-0123456789";
/// Requests between switching sides, so drift (CPU frequency, other load) hits both alike.
const BLOCK: usize = 100;

/// Counts log lines instead of publishing them: the adapter still formats each one.
struct CountingReporter(std::sync::atomic::AtomicU64);

impl NodeReporter for CountingReporter {
    fn emit(&self, _: ExecutionEventKind) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn stats(name: &str, samples: &mut [Duration]) -> f64 {
    samples.sort();
    let mean = samples.iter().map(Duration::as_secs_f64).sum::<f64>() / samples.len() as f64;
    println!(
        "{name:<22} mean {:>8.1} µs   p50 {:>8.1} µs   p99 {:>8.1} µs",
        mean * 1e6,
        percentile(samples, 0.5).as_secs_f64() * 1e6,
        percentile(samples, 0.99).as_secs_f64() * 1e6,
    );
    mean
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);

    let router = Router::new().route(
        "/ping",
        get(|headers: axum::http::HeaderMap| async move {
            let ok = headers.get("authorization").and_then(|v| v.to_str().ok())
                == Some(&format!("Bearer {TOKEN}"));
            Json(json!({"ok": ok, "items": [1, 2, 3], "name": "bench"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(internal)?;
    let base = format!("http://{}", listener.local_addr().map_err(internal)?);
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            eprintln!("bench server stopped: {err}");
        }
    });

    let scratch = Scratch::new()?;
    let app = scratch.open()?;
    commands::settings_update(
        &app,
        SettingsPatch {
            allow_services: Some(true),
            ..Default::default()
        },
    )
    .await?;
    let connection = commands::connection_save(
        &app,
        ConnectionInput {
            id: None,
            name: "Bench".into(),
            service: "http".into(),
            auth: AuthKind::Bearer,
            config: ConnectionConfig {
                base_url: Some(base.clone()),
                ..Default::default()
            },
            secret: Some(TOKEN.into()),
        },
    )
    .await?;
    let reporter = Arc::new(CountingReporter(Default::default()));
    let ctx = AdapterCtx {
        execution_id: "bench".into(),
        workspace_root: scratch.path().into(),
        data_dir: scratch.data_dir(),
        cancel: Default::default(),
        reporter: reporter.clone(),
        app: Some(app.downgrade()),
    };
    let node = NodeInvocation {
        node_id: "get".into(),
        node_type: "service".into(),
        action_id: String::new(),
        data: json!({"service": "http", "operation": "request", "connection": connection.id,
            "url": "/ping"})
        .as_object()
        .cloned()
        .unwrap_or_default(),
        iteration: 0,
    };
    let adapter = ServiceAdapter;
    let bare = flow_core::services::client::builder()
        .build()
        .map_err(internal)?;
    let url = format!("{base}/ping");

    let through_adapter = async || -> Result<Duration, AppError> {
        let t = Instant::now();
        let out = adapter.execute(&node, &ctx).await.map_err(internal)?;
        let elapsed = t.elapsed();
        if out["body"]["ok"] != Value::Bool(true) {
            return Err(internal(format!(
                "the adapter's request was refused: {out}"
            )));
        }
        Ok(elapsed)
    };
    let through_reqwest = async || -> Result<Duration, AppError> {
        let t = Instant::now();
        let response = bare
            .get(&url)
            .bearer_auth(TOKEN)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(internal)?;
        let status = response.status().as_u16();
        let body: Value =
            serde_json::from_slice(&response.bytes().await.map_err(internal)?).map_err(internal)?;
        let elapsed = t.elapsed();
        if status != 200 || body["ok"] != Value::Bool(true) {
            return Err(internal(format!("the bare request was refused: {body}")));
        }
        Ok(elapsed)
    };

    // Warm both pools and the credential store's cache.
    for _ in 0..BLOCK {
        through_adapter().await?;
        through_reqwest().await?;
    }
    let mut adapter_samples = Vec::with_capacity(n);
    let mut bare_samples = Vec::with_capacity(n);
    while adapter_samples.len() < n {
        for _ in 0..BLOCK.min(n - adapter_samples.len()) {
            adapter_samples.push(through_adapter().await?);
        }
        for _ in 0..BLOCK.min(n - bare_samples.len()) {
            bare_samples.push(through_reqwest().await?);
        }
    }
    println!("{n} sequential GETs of a small JSON document over loopback HTTP/1.1:");
    let bare_mean = stats("bare reqwest", &mut bare_samples);
    let adapter_mean = stats("service adapter", &mut adapter_samples);
    let overhead = adapter_mean - bare_mean;
    println!(
        "overhead per request: {:.1} µs mean ({:+.1}%), {:.1} µs at p50",
        overhead * 1e6,
        overhead / bare_mean * 100.0,
        (percentile(&adapter_samples, 0.5).as_secs_f64()
            - percentile(&bare_samples, 0.5).as_secs_f64())
            * 1e6
    );
    // The biggest fixed cost inside the adapter: resolving the connection (metadata and
    // secret reads, the last-use stamp) on every request, as a run does.
    let mut resolve_samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let resolved = app.credentials().resolve(&connection.id).await?;
        resolve_samples.push(t.elapsed());
        drop(resolved);
    }
    stats("  of which resolve()", &mut resolve_samples);
    println!(
        "log lines emitted: {}",
        reporter.0.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}
