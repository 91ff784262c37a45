//! Flow DSL throughput on a 10,000-node document (~12,000 edges, a few sub-flows): parse and
//! serialize, median and p95 over 20 warm samples, in MB/s and nodes/s.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::hint::black_box;
use std::time::Duration;

use flow_bench::{percentile, sample};
use flow_core::flows::dsl::{parse, serialize};
use flow_core::flows::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position, SubFlow};
use serde_json::{Map, Value, json};

const NODES: usize = 10_000;
const SAMPLES: usize = 20;
const WARM_UP: usize = 3;
const NODE_TYPES: [&str; 5] = ["action", "ai", "agentic", "utility", "service"];

/// 3-6 data fields per node, mixing strings, numbers, arrays and objects as real nodes do.
fn node_data(n: usize) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("adapter".into(), ["shell", "cli", "http"][n % 3].into());
    data.insert("actionId".into(), format!("run-command-{}", n % 17).into());
    data.insert(
        "command".into(),
        format!("cargo test -p crate-{n} -- --nocapture \"quoted\"\tand tabbed").into(),
    );
    if n % 4 >= 1 {
        data.insert("timeoutMs".into(), (60_000 + n).into());
    }
    if n % 4 >= 2 {
        data.insert("tags".into(), json!(["ci", n, true, null, 0.25]));
    }
    if n % 4 == 3 {
        data.insert(
            "env".into(),
            json!({"RUST_LOG": "debug", "n": [1, {"x": n}], "line": "a\nb"}),
        );
    }
    data
}

fn document() -> FlowGraph {
    let mut graph = FlowGraph::new("Throughput benchmark");
    graph.version = "2.0.0".into();
    graph.description = Some("10,000 nodes of mixed kinds".into());
    for n in 0..NODES {
        graph.nodes.push(FlowNode {
            id: format!("step-{n}"),
            node_type: NODE_TYPES[n % NODE_TYPES.len()].to_owned(),
            label: format!("Step {n}: do the thing"),
            data: node_data(n),
            position: Position::default(),
        });
    }
    // A chain plus a fail branch every fifth node: about 1.2 edges per node.
    for n in 1..NODES {
        graph.edges.push(FlowEdge {
            source: format!("step-{}", n - 1),
            target: format!("step-{n}"),
            outcome: if n % 2 == 0 {
                EdgeOutcome::Pass
            } else {
                EdgeOutcome::Always
            },
            label: (n % 10 == 0).then(|| format!("hop {n}")),
            condition: (n % 25 == 0).then(|| format!("{{{{step-{}.exitCode}}}} == 0", n - 1)),
        });
        if n % 5 == 0 {
            graph.edges.push(FlowEdge {
                source: format!("step-{n}"),
                target: format!("step-{}", n / 2),
                outcome: EdgeOutcome::Fail,
                label: Some("retry earlier".into()),
                condition: None,
            });
        }
    }
    for s in 0..8 {
        graph.subflows.push(SubFlow {
            id: format!("unit-{s}"),
            label: format!("Unit {s}"),
            node_ids: (0..25).map(|k| format!("step-{}", s * 1000 + k)).collect(),
            retry: (s % 2 == 0).then_some(2),
        });
    }
    graph
}

fn report(what: &str, samples: &[Duration], bytes: usize) {
    let median = percentile(samples, 0.5);
    let p95 = percentile(samples, 0.95);
    let secs = median.as_secs_f64().max(f64::MIN_POSITIVE);
    println!(
        "{what:<10} median {:>8.2} ms  p95 {:>8.2} ms  {:>8.1} MB/s  {:>10.0} nodes/s",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / secs,
        NODES as f64 / secs,
    );
}

fn main() {
    let graph = document();
    let text = serialize(&graph);
    match parse(&text) {
        Ok(parsed) if parsed.nodes.len() == NODES && parsed.edges.len() == graph.edges.len() => {}
        Ok(_) => {
            println!("the generated document did not read back whole");
            std::process::exit(1);
        }
        Err(err) => {
            println!("the generated document does not parse: {err}");
            std::process::exit(1);
        }
    }
    println!(
        "document: {} nodes, {} edges, {} sub-flows, {:.2} MB; {WARM_UP} warm-up runs, {SAMPLES} samples",
        graph.nodes.len(),
        graph.edges.len(),
        graph.subflows.len(),
        text.len() as f64 / 1e6
    );

    sample(WARM_UP, || {
        black_box(parse(black_box(&text)).is_ok());
    });
    let parse_samples = sample(SAMPLES, || {
        black_box(parse(black_box(&text)).is_ok());
    });
    report("parse", &parse_samples, text.len());

    sample(WARM_UP, || {
        black_box(serialize(black_box(&graph)));
    });
    let serialize_samples = sample(SAMPLES, || {
        black_box(serialize(black_box(&graph)));
    });
    report("serialize", &serialize_samples, text.len());
}
