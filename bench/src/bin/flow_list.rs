//! `flows_list` latency over 5,000 saved flows: cold (first call after reopening the app) and
//! warm (median/p95), unfiltered, with a search and with a collection filter.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::{Duration, Instant};

use flow_bench::{percentile, sample};
use flow_core::commands::{collection_create, flow_save, flows_list};
use flow_core::flows::{FlowEdge, FlowGraph, FlowListQuery, FlowNode, Position, SaveFlowInput};
use flow_core::{App, AppConfig, AppError, Edition};

const FLOWS: usize = 5_000;
const WARM_CALLS: usize = 50;
const NODE_TYPES: [&str; 5] = ["action", "ai", "agentic", "utility", "service"];

/// A 5-20 node chain with a few fail branches, like the flows people build.
fn realistic(i: usize) -> FlowGraph {
    let mut graph = FlowGraph::new(format!(
        "Pipeline {i:04} {}",
        ["build", "deploy", "triage", "report"][i % 4]
    ));
    graph.description = Some(format!("Benchmark flow number {i}"));
    let nodes = 5 + (i * 7) % 16;
    for n in 0..nodes {
        let mut data = serde_json::Map::new();
        data.insert("command".into(), format!("run step {n} --verbose").into());
        data.insert("timeoutSeconds".into(), (30 + n).into());
        graph.nodes.push(FlowNode {
            id: format!("step-{n}"),
            node_type: NODE_TYPES[(i + n) % NODE_TYPES.len()].to_owned(),
            label: format!("Step {n}"),
            data,
            position: Position {
                x: 200.0 * n as f64,
                y: 80.0 * (n % 3) as f64,
            },
        });
        if n > 0 {
            graph.edges.push(FlowEdge {
                source: format!("step-{}", n - 1),
                target: format!("step-{n}"),
                outcome: flow_core::flows::EdgeOutcome::Pass,
                label: None,
                condition: None,
            });
        }
        if n > 1 && n % 4 == 0 {
            graph.edges.push(FlowEdge {
                source: format!("step-{}", n - 1),
                target: "step-0".to_owned(),
                outcome: flow_core::flows::EdgeOutcome::Fail,
                label: Some("retry".to_owned()),
                condition: None,
            });
        }
    }
    graph
}

fn open(data: &std::path::Path, home: &std::path::Path) -> Result<App, AppError> {
    App::open(AppConfig::new(data, Edition::Server, home).with_model_runtime(flow_llama::runtime()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(label: &str, rt: &tokio::runtime::Runtime, app: &App, query: FlowListQuery) {
    let mut count = 0;
    let samples = sample(WARM_CALLS, || {
        count = rt
            .block_on(flows_list(app, Some(query.clone())))
            .map(|l| l.len())
            .unwrap_or(0);
    });
    println!(
        "{label:<28} {count:>5} flows  median {:>7.2} ms  p95 {:>7.2} ms",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.95))
    );
}

fn main() -> Result<(), AppError> {
    let dir = tempfile::tempdir().map_err(|e| AppError::io("creating a temp dir", e))?;
    let data = dir.path().join("data");
    let home = dir.path().join("home");
    let rt = tokio::runtime::Runtime::new().map_err(|e| AppError::io("starting tokio", e))?;

    let app = open(&data, &home)?;
    let collections: Vec<String> = rt.block_on(async {
        let mut slugs = vec!["default".to_owned()];
        for name in ["Ops", "Data", "Release"] {
            slugs.push(collection_create(&app, name.to_owned()).await?.slug);
        }
        Ok::<_, AppError>(slugs)
    })?;
    let start = Instant::now();
    rt.block_on(async {
        for i in 0..FLOWS {
            let input = SaveFlowInput {
                slug: None,
                base_revision: None,
                collection: Some(collections[i % collections.len()].clone()),
                graph: realistic(i),
            };
            flow_save(&app, input).await?;
        }
        Ok::<_, AppError>(())
    })?;
    let created = start.elapsed();
    println!(
        "created {FLOWS} flows in {:.1} s ({:.2} ms per save)",
        created.as_secs_f64(),
        ms(created) / FLOWS as f64
    );
    drop(app);

    let app = open(&data, &home)?;
    let start = Instant::now();
    let listed = rt.block_on(flows_list(&app, None))?.len();
    println!(
        "cold (reopened app)          {listed:>5} flows  {:>7.2} ms",
        ms(start.elapsed())
    );
    report("warm, unfiltered", &rt, &app, FlowListQuery::default());
    report(
        "warm, search \"deploy\"",
        &rt,
        &app,
        FlowListQuery {
            collection: None,
            search: Some("deploy".to_owned()),
        },
    );
    report(
        "warm, collection \"ops\"",
        &rt,
        &app,
        FlowListQuery {
            collection: Some("ops".to_owned()),
            search: None,
        },
    );

    // The worst case: an index that knows nothing (first run over hand-placed files).
    drop(app);
    let conn_path = flow_core::db::db_path(&data);
    std::fs::remove_file(&conn_path).map_err(|e| AppError::io("removing the database", e))?;
    for suffix in ["-wal", "-shm"] {
        let mut p = conn_path.clone().into_os_string();
        p.push(suffix);
        // Absent when SQLite checkpointed on close.
        let _ignored = std::fs::remove_file(p);
    }
    let app = open(&data, &home)?;
    let start = Instant::now();
    let listed = rt.block_on(flows_list(&app, None))?.len();
    println!(
        "cold, empty index (rebuild)  {listed:>5} flows  {:>7.2} ms",
        ms(start.elapsed())
    );
    Ok(())
}
