//! Helpers shared by the engine test binaries (and flow-llama's, which include this file): an
//! app on a temp dir, graph builders, and a `Watch` that collects one run's events from the bus.
#![allow(dead_code, reason = "each test binary uses a subset")]
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use flow_core::engine::{ExecutionEvent, ExecutionEventKind, RunOptions, RunSource, RunStatus};
use flow_core::flows::FlowGraph;
use flow_core::{App, AppConfig, BusItem, Edition, FlowEvent, Subscription, commands};
use serde_json::{Value, json};

pub struct Env {
    /// Keeps the data dir alive.
    pub dir: tempfile::TempDir,
    pub app: App,
}

pub fn env() -> Env {
    env_with(|config| config)
}

/// [`env`], with the config changed first (flow-llama's tests add the model runtime).
pub fn env_with(configure: impl FnOnce(AppConfig) -> AppConfig) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let app = App::open(configure(AppConfig::new(
        dir.path().join("data"),
        Edition::Server,
        &home,
    )))
    .unwrap();
    Env { dir, app }
}

pub fn graph(nodes: Value, edges: Value) -> FlowGraph {
    serde_json::from_value(json!({"name": "Test flow", "nodes": nodes, "edges": edges})).unwrap()
}

/// Saves `graph` as a new flow in the Default collection.
pub async fn save_new(app: &App, graph: FlowGraph) -> flow_core::flows::FlowDocument {
    commands::flow_save(
        app,
        flow_core::flows::SaveFlowInput {
            slug: None,
            base_revision: None,
            collection: None,
            graph,
        },
    )
    .await
    .unwrap()
}

pub fn mock(id: &str, data: Value) -> Value {
    let mut d = json!({"adapter": "mock"});
    d.as_object_mut()
        .unwrap()
        .extend(data.as_object().unwrap().clone());
    json!({"id": id, "type": "action", "data": d})
}

pub fn utility(id: &str, action: &str, data: Value) -> Value {
    let mut d = json!({"actionId": action});
    d.as_object_mut()
        .unwrap()
        .extend(data.as_object().unwrap().clone());
    json!({"id": id, "type": "utility", "data": d})
}

pub fn edge(source: &str, target: &str, outcome: &str) -> Value {
    json!({"source": source, "target": target, "outcome": outcome})
}

pub struct Watch {
    pub sub: Subscription,
    pub id: String,
    pub events: Vec<ExecutionEvent>,
}

impl Watch {
    pub async fn next(&mut self) -> ExecutionEvent {
        loop {
            let item = tokio::time::timeout(Duration::from_secs(20), self.sub.next())
                .await
                .expect("run stalled")
                .expect("bus closed");
            if let BusItem::Event(env) = item
                && let FlowEvent::Execution(e) = &env.event
                && e.execution_id == self.id
            {
                self.events.push(e.clone());
                return e.clone();
            }
        }
    }

    pub async fn until(&mut self, f: impl Fn(&ExecutionEventKind) -> bool) -> ExecutionEvent {
        loop {
            let e = self.next().await;
            if f(&e.kind) {
                return e;
            }
            assert!(
                !matches!(e.kind, ExecutionEventKind::Done { .. }),
                "run ended first: {:?}",
                self.events
            );
        }
    }

    pub async fn done(&mut self) -> RunStatus {
        if let Some(ExecutionEventKind::Done { status }) = self.events.last().map(|e| &e.kind) {
            return *status;
        }
        loop {
            if let ExecutionEventKind::Done { status } = self.next().await.kind {
                return status;
            }
        }
    }

    pub fn kinds_of(&self, node: &str) -> Vec<&ExecutionEventKind> {
        self.events
            .iter()
            .filter(|e| e.kind.node_id() == Some(node))
            .map(|e| &e.kind)
            .collect()
    }

    pub fn pos(&self, f: impl Fn(&ExecutionEventKind) -> bool) -> usize {
        self.events
            .iter()
            .position(|e| f(&e.kind))
            .unwrap_or_else(|| panic!("no such event in {:?}", self.events))
    }

    pub fn succeeded(&self, node: &str) -> bool {
        self.kinds_of(node)
            .iter()
            .any(|k| matches!(k, ExecutionEventKind::NodeSucceeded { .. }))
    }

    pub fn skipped(&self, node: &str) -> Option<String> {
        self.kinds_of(node).iter().find_map(|k| match k {
            ExecutionEventKind::NodeSkipped { reason, .. } => Some(reason.clone()),
            _ => None,
        })
    }

    pub fn failed(&self, node: &str) -> Option<String> {
        self.kinds_of(node).iter().find_map(|k| match k {
            ExecutionEventKind::NodeFailed { error, .. } => Some(error.clone()),
            _ => None,
        })
    }
}

pub async fn start(app: &App, g: FlowGraph, options: RunOptions) -> Watch {
    let sub = app.bus().subscribe(None);
    let started = commands::run_start(
        app,
        RunSource {
            graph: Some(g),
            ..Default::default()
        },
        Some(options),
        None,
    )
    .await
    .unwrap();
    Watch {
        sub,
        id: started.execution_id,
        events: Vec::new(),
    }
}

pub async fn run_to_end(app: &App, g: FlowGraph, options: RunOptions) -> (Watch, RunStatus) {
    let mut w = start(app, g, options).await;
    let status = w.done().await;
    (w, status)
}

pub fn is_started(node: &'static str) -> impl Fn(&ExecutionEventKind) -> bool {
    move |k| matches!(k, ExecutionEventKind::NodeStarted { node_id, .. } if node_id == node)
}

pub fn is_succeeded(node: &'static str) -> impl Fn(&ExecutionEventKind) -> bool {
    move |k| matches!(k, ExecutionEventKind::NodeSucceeded { node_id, .. } if node_id == node)
}

/// The real test model (Gemma 3 270M Q4_K_M): `$FLOW_TEST_MODEL`, or where
/// `tests/models/fetch-test-model.sh` puts it by default.
pub fn test_model() -> std::path::PathBuf {
    let path = std::env::var_os("FLOW_TEST_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| {
                    std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
                });
            cache.join("flow-ci/models/gemma-3-270m-q4_k_m.gguf")
        });
    assert!(
        path.is_file(),
        "the test model is missing at {}: run tests/models/fetch-test-model.sh (./dev test does)",
        path.display()
    );
    path
}

/// Installs the test model in the app's `llms/` as `name` (a hard link when possible).
pub fn install_test_model(app: &App, name: &str) -> String {
    let target = app.models().llms_dir().join(name);
    let source = test_model();
    if std::fs::hard_link(&source, &target).is_err() {
        std::fs::copy(&source, &target).unwrap();
    }
    name.to_owned()
}
