//! Engine dispatch overhead: a 10,000-node chain of `log` nodes, a 1,000-wide fan-out/fan-in of
//! `mock` nodes with 8 in parallel, and two-node runs per minute.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::{Duration, Instant};

use flow_core::engine::{ExecutionEventKind, RunOptions, RunRequest, RunStatus, RunTrigger};
use flow_core::flows::FlowGraph;
use flow_core::{App, AppError, BusItem, FlowEvent};
use serde_json::json;

fn graph(
    nodes: Vec<serde_json::Value>,
    edges: Vec<serde_json::Value>,
) -> Result<FlowGraph, AppError> {
    serde_json::from_value(json!({"name": "bench", "nodes": nodes, "edges": edges}))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Runs `g` and waits for its `done`, returning the wall time.
async fn run(app: &App, g: FlowGraph, max_parallel: u32) -> Result<Duration, AppError> {
    let mut sub = app.bus().subscribe(None);
    let t = Instant::now();
    let started = app
        .engine()
        .start(
            app,
            RunRequest {
                graph: g,
                flow_slug: None,
                trigger: RunTrigger::Api,
                options: RunOptions {
                    max_parallel_nodes: Some(max_parallel),
                    ..Default::default()
                },
                seed_outputs: Default::default(),
            },
        )
        .await?;
    loop {
        match sub.next().await {
            Some(BusItem::Event(env)) => {
                if let FlowEvent::Execution(e) = &env.event
                    && e.execution_id == started.execution_id
                    && let ExecutionEventKind::Done { status } = e.kind
                {
                    if status != RunStatus::Succeeded {
                        return Err(AppError::Internal(format!("run ended {status:?}")));
                    }
                    return Ok(t.elapsed());
                }
            }
            // A lagging subscriber may lose events past the ring; fall back to the control.
            Some(BusItem::Resync) => {
                while app.engine().control(&started.execution_id).is_ok() {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                return Ok(t.elapsed());
            }
            None => return Err(AppError::Internal("bus closed".into())),
        }
    }
}

fn chain(n: usize) -> Result<FlowGraph, AppError> {
    let nodes = (0..n)
        .map(|i| json!({"id": format!("n{i}"), "type": "utility", "data": {"actionId": "log", "message": "tick"}}))
        .collect();
    let edges = (1..n)
        .map(|i| json!({"source": format!("n{}", i - 1), "target": format!("n{i}"), "outcome": "pass"}))
        .collect();
    graph(nodes, edges)
}

fn fan(width: usize) -> Result<FlowGraph, AppError> {
    let mut nodes = vec![json!({"id": "src", "type": "action", "data": {"adapter": "mock"}})];
    let mut edges = Vec::new();
    for i in 0..width {
        nodes.push(json!({"id": format!("w{i}"), "type": "action", "data": {"adapter": "mock", "delayMs": 0}}));
        edges.push(json!({"source": "src", "target": format!("w{i}"), "outcome": "pass"}));
        edges.push(json!({"source": format!("w{i}"), "target": "sink", "outcome": "pass"}));
    }
    nodes.push(json!({"id": "sink", "type": "action", "data": {"adapter": "mock"}}));
    graph(nodes, edges)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let scratch = flow_bench::Scratch::new()?;
    let app = scratch.open()?;

    let n = 10_000;
    let g = chain(n)?;
    run(&app, chain(10)?, 1).await?; // warm-up
    let mut times = Vec::new();
    for _ in 0..3 {
        times.push(run(&app, g.clone(), 1).await?);
    }
    times.sort();
    let best = times[0];
    println!(
        "chain of {n} log nodes: best {:.1} ms, median {:.1} ms → {:.1} µs/node (goal ≤ 50)",
        best.as_secs_f64() * 1e3,
        times[1].as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e6 / n as f64
    );

    let g = fan(1000)?;
    let mut times = Vec::new();
    for _ in 0..3 {
        times.push(run(&app, g.clone(), 8).await?);
    }
    times.sort();
    println!(
        "fan-out/fan-in of 1000 mock nodes, max_parallel 8: best {:.1} ms, median {:.1} ms → {:.1} µs/node",
        times[0].as_secs_f64() * 1e3,
        times[1].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e6 / 1002.0
    );

    let two = graph(
        vec![
            json!({"id": "a", "type": "action", "data": {"adapter": "mock"}}),
            json!({"id": "b", "type": "action", "data": {"adapter": "mock"}}),
        ],
        vec![json!({"source": "a", "target": "b", "outcome": "pass"})],
    )?;
    let total = 20_000;
    let concurrency = 64;
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let app = app.clone();
        let two = two.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            for _ in (worker..total).step_by(concurrency) {
                lat.push(run(&app, two.clone(), 1).await?);
            }
            Ok::<_, AppError>(lat)
        });
    }
    let mut lat = Vec::new();
    while let Some(r) = set.join_next().await {
        lat.extend(r.map_err(|e| AppError::Internal(e.to_string()))??);
    }
    let elapsed = t.elapsed();
    lat.sort();
    println!(
        "two-node runs: {total} in {:.2} s on 2 worker threads → {:.0} runs/min (goal ≥ 100,000); latency p50 {:.2} ms, p99 {:.2} ms",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64() * 60.0,
        flow_bench::percentile(&lat, 0.5).as_secs_f64() * 1e3,
        flow_bench::percentile(&lat, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}
