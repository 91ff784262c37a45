//! The engine of one app: registered adapters and the live runs, each with its own control.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Instant, SystemTime};

use super::adapter::AdapterCtx;
use super::control::RunControl;
use super::events::{ExecutionEventKind, RunTrigger};
use super::executor::{RunSetup, run};
use super::intercept::{Monitor, MonitoredRun};
use super::plan::Plan;
use super::reporter::{RunReporter, now_rfc3339};
use super::{Adapter, RunBegin, RunOptions, RunRequest, RunSource, RunStarted, RunState};
use crate::flows::{FlowGraph, Severity, ValidationContext};
use crate::nodes::CatalogEntry;
use crate::{App, AppError};

/// How many validation errors a refused run lists before "and N more".
const LISTED_ISSUES: usize = 5;

type Registry = Arc<Mutex<HashMap<String, Arc<RunControl>>>>;

/// Starts and steers runs.
pub struct Engine {
    adapters: HashMap<&'static str, Arc<dyn Adapter>>,
    runs: Registry,
    /// Installed catalog entries, keyed by the `nodes/` directory's mtime: re-reading the
    /// catalog from disk on every run would dominate small runs.
    catalog: Mutex<Option<(SystemTime, Arc<Vec<CatalogEntry>>)>>,
    /// Who watches runs of flows with a monitoring agentic node (set once the app is built).
    monitor: OnceLock<Arc<dyn Monitor>>,
}

impl Default for Engine {
    fn default() -> Self {
        Self {
            adapters: super::adapters::builtin()
                .into_iter()
                .map(|a| (a.name(), a))
                .collect(),
            runs: Arc::default(),
            catalog: Mutex::default(),
            monitor: OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("adapters", &self.adapters.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Guarded values are replaced whole: a poisoned lock still holds consistent data.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The engine-internal `mock` adapter's catalog entry, so mock nodes validate.
fn mock_entry() -> Option<CatalogEntry> {
    serde_json::from_value(serde_json::json!({
        "slug": "mock", "name": "Mock", "description": "Test double: succeeds, fails or sleeps on demand.",
        "category": "Testing", "version": "1.0.0", "nodeType": "action",
        "identity": {"adapter": "mock"},
        "schema": {"type": "object", "properties": {}, "required": []},
        "defaults": {}
    }))
    .inspect_err(|err| tracing::error!(%err, "mock catalog entry does not parse"))
    .ok()
}

/// A fresh execution id: `run-<unix ms>-<counter mixed with the clock>`.
fn execution_id() -> String {
    crate::fresh_id::fresh_id("run")
}

impl Engine {
    /// An engine with the built-in adapters registered.
    pub fn new() -> Result<Self, AppError> {
        Ok(Self::default())
    }

    /// Sets who watches monitored runs; a second call is ignored (one per app).
    pub fn set_monitor(&self, monitor: Arc<dyn Monitor>) {
        if self.monitor.set(monitor).is_err() {
            tracing::warn!("the engine's monitor was already set");
        }
    }

    fn installed(&self, app: &App) -> Arc<Vec<CatalogEntry>> {
        let mtime = std::fs::metadata(app.nodes().nodes_dir())
            .and_then(|m| m.modified())
            .ok();
        let mut cache = lock(&self.catalog);
        if let (Some(mtime), Some((at, entries))) = (mtime, cache.as_ref())
            && *at == mtime
        {
            return entries.clone();
        }
        let mut entries = app.nodes().installed();
        entries.extend(mock_entry());
        let entries = Arc::new(entries);
        if let Some(mtime) = mtime {
            *cache = Some((mtime, entries.clone()));
        }
        entries
    }

    /// Validates and starts a run; its events go to the bus and the history as it goes.
    pub async fn start(&self, app: &App, request: RunRequest) -> Result<RunStarted, AppError> {
        let RunRequest {
            graph,
            flow_slug,
            trigger,
            options,
            seed_outputs,
        } = request;
        let monitor_node = graph
            .nodes
            .iter()
            .find(|n| crate::flows::monitor::is_monitor(n))
            .map(|n| n.id.clone());
        let graph = crate::flows::monitor::executable(graph);
        let validation = validation_context(app).await?;
        refuse_invalid(&graph, &self.installed(app), &validation)?;
        let settings = validation.settings;
        let workspace = workspace_dir(app, &graph, flow_slug.as_deref(), &options);
        tokio::fs::create_dir_all(&workspace)
            .await
            .map_err(|e| AppError::io(format!("creating workspace {}", workspace.display()), e))?;
        let execution_id = execution_id();
        let started_at = now_rfc3339();
        let reporter = Arc::new(RunReporter::new(app.clone(), execution_id.clone()));
        let control = Arc::new(RunControl::new(
            execution_id.clone(),
            graph.name.clone(),
            flow_slug.clone(),
            trigger,
            started_at.clone(),
            reporter.clone(),
        ));
        let ctx = Arc::new(AdapterCtx {
            execution_id: execution_id.clone(),
            workspace_root: workspace,
            data_dir: app.config().data_dir.clone(),
            cancel: control.cancel_token().clone(),
            reporter: reporter.clone(),
            app: Some(app.downgrade()),
        });
        let max_parallel = options
            .max_parallel_nodes
            .unwrap_or(settings.max_parallel_nodes)
            .max(1) as usize;
        let autonomous = options.autonomous.unwrap_or(false);
        // A person watches a manual run (or asked for autonomy); scheduled and API runs would
        // wait on a decision nobody is there to make, so they fail as they always did.
        let watched = autonomous || matches!(trigger, RunTrigger::Manual | RunTrigger::Rerun);
        let monitor = match (self.monitor.get(), monitor_node, &flow_slug) {
            (Some(monitor), Some(monitor_node), Some(slug)) if watched => Some((
                monitor.clone(),
                MonitoredRun {
                    execution_id: execution_id.clone(),
                    flow_slug: slug.clone(),
                    monitor_node,
                    autonomous,
                    started: Instant::now(),
                    workspace: ctx.workspace_root.clone(),
                },
            )),
            _ => None,
        };
        let setup = RunSetup {
            plan: Plan::new(&graph, &self.adapters),
            input: options.input.unwrap_or(serde_json::Value::Null),
            seeds: seed_outputs,
            max_parallel,
            // Per node type or adapter name caps, within `max_parallel` (see `NodeSpec::limit_keys`).
            type_limits: settings.node_type_limits.into_iter().collect(),
            confirm_destructive: options
                .confirm_destructive
                .unwrap_or(settings.confirm_destructive),
            ctx,
            control: control.clone(),
            reporter: reporter.clone(),
            monitor,
        };
        let flow_name = graph.name.clone();
        lock(&self.runs).insert(execution_id.clone(), control);
        app.history().begin(RunBegin {
            execution_id: execution_id.clone(),
            graph: redacted_graph(app.credentials().redactor(), graph),
            flow_slug: flow_slug.clone(),
            trigger,
            started_at,
        });
        reporter.send(ExecutionEventKind::Started {
            flow_name: flow_name.clone(),
            flow_slug,
            trigger,
        });
        let runs = self.runs.clone();
        let id = execution_id.clone();
        tokio::spawn(async move {
            let status = run(setup).await;
            lock(&runs).remove(&id);
            tracing::debug!(execution_id = %id, ?status, "run ended");
        });
        // A run whose start was acknowledged is in the history even if the process dies the
        // next moment (a SIGKILL must not lose it): one commit, before the caller hears of it.
        app.history().flush().await;
        Ok(RunStarted {
            execution_id,
            flow_name,
        })
    }

    /// The control of a live run.
    pub fn control(&self, execution_id: &str) -> Result<Arc<RunControl>, AppError> {
        lock(&self.runs).get(execution_id).cloned().ok_or_else(|| {
            AppError::NotFound(format!(
                "no active run {execution_id} (it ended or never existed)"
            ))
        })
    }

    /// Every run that has not ended, oldest first.
    pub fn active(&self) -> Vec<RunState> {
        let mut states: Vec<RunState> = lock(&self.runs).values().map(|c| c.state()).collect();
        states.sort_by(|a, b| {
            (&a.started_at, &a.execution_id).cmp(&(&b.started_at, &b.execution_id))
        });
        states
    }
}

/// What validation needs from the app besides the catalog: the settings and the connections.
pub async fn validation_context(app: &App) -> Result<ValidationContext, AppError> {
    Ok(ValidationContext {
        settings: app.settings().get().await,
        connections: app.credentials().list().await?,
    })
}

fn refuse_invalid(
    graph: &FlowGraph,
    installed: &[CatalogEntry],
    ctx: &ValidationContext,
) -> Result<(), AppError> {
    let report = crate::flows::validate::validate(graph, installed, ctx);
    if report.ok {
        return Ok(());
    }
    let errors: Vec<String> = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| match &i.node_id {
            Some(node) => format!("node {node}: {}", i.message),
            None => i.message.clone(),
        })
        .collect();
    let mut message = format!(
        "flow `{}` cannot run: {}",
        graph.name,
        errors
            .iter()
            .take(LISTED_ISSUES)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if errors.len() > LISTED_ISSUES {
        message.push_str(&format!(" (and {} more)", errors.len() - LISTED_ISSUES));
    }
    Err(AppError::InvalidInput(message))
}

pub(crate) fn workspace_dir(
    app: &App,
    graph: &FlowGraph,
    flow_slug: Option<&str>,
    options: &RunOptions,
) -> PathBuf {
    let root = app.config().data_dir.join("workspaces");
    if let Some(dir) = options
        .workspace
        .as_deref()
        .filter(|w| !w.trim().is_empty())
    {
        // Relative workspaces live under `<data>/workspaces/` like the default ones.
        return root.join(dir);
    }
    let name = match flow_slug {
        Some(slug) => slug.to_owned(),
        None => crate::slug::slugify(&graph.name),
    };
    root.join(name)
}

/// Starts a run of a graph, a saved flow or DSL text (exactly one) with this trigger (the
/// `run_start` command's).
pub async fn start_run(
    app: &App,
    source: RunSource,
    options: Option<RunOptions>,
    trigger: RunTrigger,
) -> Result<RunStarted, AppError> {
    let RunSource { graph, slug, dsl } = source;
    // A graph may come with the slug of the saved flow it is an edit of: the graph runs (unsaved
    // changes included) and the run is filed under that flow.
    let (graph, flow_slug) = match (graph, slug, dsl) {
        (Some(graph), slug, None) => {
            if let Some(slug) = &slug {
                app.flows().get(slug.clone()).await?;
            }
            (graph, slug)
        }
        (None, Some(slug), None) => {
            let doc = app.flows().get(slug).await?;
            (doc.graph, Some(doc.slug))
        }
        (None, None, Some(text)) => (
            crate::flows::dsl::parse(&text)
                .map_err(|e| AppError::InvalidInput(format!("flow DSL: {e}")))?,
            None,
        ),
        (graph, slug, dsl) => {
            let given = [graph.is_some(), slug.is_some(), dsl.is_some()]
                .iter()
                .filter(|x| **x)
                .count();
            return Err(AppError::InvalidInput(format!(
                "give exactly one of graph, slug or dsl to run (a graph may also name its saved \
                 flow's slug); got {given}"
            )));
        }
    };
    app.engine()
        .start(
            app,
            RunRequest {
                graph,
                flow_slug,
                trigger,
                options: options.unwrap_or_default(),
                seed_outputs: HashMap::new(),
            },
        )
        .await
}

/// The graph as history keeps it: a known secret pasted into a node's fields is masked there too.
fn redacted_graph(redactor: &crate::credentials::Redactor, graph: FlowGraph) -> FlowGraph {
    if redactor.is_empty() {
        return graph;
    }
    let Ok(mut value) = serde_json::to_value(&graph) else {
        return graph;
    };
    if !redactor.redact_json(&mut value) {
        return graph;
    }
    serde_json::from_value(value).unwrap_or_else(|err| {
        tracing::error!(%err, "a redacted run graph no longer decodes; history keeps its name only");
        FlowGraph::new(redactor.redact(&graph.name).into_owned())
    })
}
