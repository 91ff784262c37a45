//! The run loop: dispatches ready nodes (in topological order, up to the parallel budget and
//! per-type caps), routes their outcomes along edges, skips what is not reached, re-enters bounded
//! loops, re-runs failed sub-flows, and honours pause, cancel and the destructive gate.
//!
//! The loop itself is here; starting nodes on their adapters is in [`dispatch`], what a result
//! does to the edges and which node runs next in [`routing`], loops and sub-flows in [`groups`].
//!
//! Decisions (documented in `engine.rs`):
//! - A node is ready when every forward predecessor is terminal; it runs when at least one
//!   incoming edge was taken (or it has none), otherwise it is skipped with a reason.
//! - An unhandled failure (no outgoing `fail` edge) makes the run `failed`, but the rest of the
//!   graph still runs or skips as routing dictates.
//! - An edge whose `when` condition cannot be evaluated turns its source's success into a failure
//!   ("edge condition …"), so its `fail` edges route.

mod dispatch;
mod groups;
mod routing;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::adapter::{AdapterCtx, AdapterError, NodeInvocation};
use futures_util::future::BoxFuture;

use super::control::RunControl;
use super::events::{ExecutionEventKind, RunStatus};
use super::intercept::{Monitor, MonitoredRun, UnhandledFailure, Verdict};
use super::plan::{EdgeIndex, GroupIndex, GroupKind, IndexVec, NodeIndex, Plan};
use super::reporter::RunReporter;
use super::template::has_template;

/// The reserved `data` key under which a `merge` node receives its predecessors' outputs.
pub const MERGE_INPUTS_KEY: &str = "$inputs";

/// Everything a run needs, fixed at start.
pub(crate) struct RunSetup {
    pub plan: Plan,
    pub input: Value,
    pub seeds: HashMap<String, Value>,
    pub max_parallel: usize,
    pub type_limits: HashMap<String, u32>,
    pub confirm_destructive: bool,
    pub ctx: Arc<AdapterCtx>,
    pub control: Arc<RunControl>,
    pub reporter: Arc<RunReporter>,
    /// The flow's monitor and what it knows of this run, when an agentic node watches it.
    pub monitor: Option<(Arc<dyn Monitor>, MonitoredRun)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Ready,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

impl State {
    fn terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Skipped)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failure,
}

/// Where one node stands in this run.
#[derive(Debug, Clone, Copy)]
struct NodeProgress {
    state: State,
    /// How many times it finished (or was skipped or seeded); the next visit's `iteration`.
    visits: u32,
    /// Forward in-edges not resolved yet: it is considered when this reaches 0.
    unresolved_inputs: usize,
    /// Whether any resolved in-edge was taken.
    any_input_taken: bool,
    /// Set by a loop re-entry: runs next time it is considered, whatever its in-edges say.
    forced: bool,
}

/// Where one edge stands in this run.
#[derive(Debug, Clone, Copy, Default)]
struct EdgeProgress {
    resolved: bool,
    taken: bool,
    /// The source's routing decision, kept for edges resolved later (group exits).
    decided: Option<bool>,
}

/// Where one group (a sub-flow or a loop) stands in this run.
#[derive(Debug, Clone, Copy)]
struct GroupProgress {
    /// Its members may be considered (a sub-flow opens once every entry edge resolved).
    open: bool,
    /// Finished: its exit edges are resolved.
    done: bool,
    /// Sub-flow re-runs used so far.
    attempt: u32,
    /// Members not terminal yet.
    unfinished: usize,
}

/// What a node task reports back.
struct Finished {
    node: NodeIndex,
    result: Result<Value, AdapterError>,
    started: Instant,
}

/// A node held before it starts until someone approves its destructive action.
type AwaitingApproval = (NodeIndex, NodeInvocation, oneshot::Receiver<bool>);

/// A failed node held until the monitor decides about it.
type Interception = (NodeIndex, BoxFuture<'static, Verdict>);

struct Run {
    setup: RunSetup,
    nodes: IndexVec<NodeIndex, NodeProgress>,
    edges: IndexVec<EdgeIndex, EdgeProgress>,
    groups: IndexVec<GroupIndex, GroupProgress>,
    outputs: HashMap<String, Value>,
    memory: Map<String, Value>,
    /// Nodes ready to start, by (topological position, node).
    ready: BTreeSet<(usize, NodeIndex)>,
    running: usize,
    running_by_key: HashMap<String, u32>,
    /// Groups whose members may all have finished, to look at when things settle.
    groups_to_check: Vec<GroupIndex>,
    /// Back-edges taken and not yet applied (their loop body still has work in flight).
    reentries: Vec<EdgeIndex>,
    unhandled: bool,
    /// Unhandled failures waiting for the monitor, one decided at a time.
    intercepts: VecDeque<(NodeIndex, UnhandledFailure)>,
    tasks: JoinSet<Finished>,
    task_node: HashMap<tokio::task::Id, (NodeIndex, Instant)>,
}

/// Runs the whole flow; returns its final status (after emitting `done`).
pub(crate) async fn run(setup: RunSetup) -> RunStatus {
    let plan = &setup.plan;
    let nodes = plan
        .forward_in_edges
        .iter()
        .map(|inputs| NodeProgress {
            state: State::Waiting,
            visits: 0,
            unresolved_inputs: inputs.len(),
            any_input_taken: false,
            forced: false,
        })
        .collect();
    let groups = plan
        .groups
        .iter()
        .map(|group| GroupProgress {
            open: group.entry_edges.is_empty() || group.kind == GroupKind::Loop,
            done: false,
            attempt: 0,
            unfinished: group.members.len(),
        })
        .collect();
    let mut run = Run {
        nodes,
        edges: IndexVec::filled(EdgeProgress::default(), plan.edges.len()),
        groups,
        outputs: HashMap::with_capacity(plan.nodes.len()),
        memory: Map::new(),
        ready: BTreeSet::new(),
        running: 0,
        running_by_key: HashMap::new(),
        groups_to_check: Vec::new(),
        reentries: Vec::new(),
        unhandled: false,
        intercepts: VecDeque::new(),
        tasks: JoinSet::new(),
        task_node: HashMap::new(),
        setup,
    };
    for (node_id, output) in &run.setup.seeds {
        run.outputs.insert(node_id.clone(), output.clone());
    }
    for node in run.nodes.indices() {
        if run.nodes[node].unresolved_inputs == 0 {
            run.consider(node);
        }
    }
    run.settle();
    let status = run.drive().await;
    let control = run.setup.control.clone();
    let reporter = run.setup.reporter.clone();
    control.end(status, || {
        reporter.send(ExecutionEventKind::Done { status })
    });
    if let Some((monitor, watched)) = &run.setup.monitor {
        monitor.finished(watched, status);
    }
    status
}

impl Run {
    fn emit(&self, kind: ExecutionEventKind) {
        self.setup.reporter.send(kind);
    }

    fn id(&self, node: NodeIndex) -> &str {
        &self.setup.plan.nodes[node].id
    }

    /// The dispatch loop.
    async fn drive(&mut self) -> RunStatus {
        let mut waiting: Option<AwaitingApproval> = None;
        let mut intercepting: Option<Interception> = None;
        loop {
            let cancelled = self.setup.control.is_cancelled();
            if cancelled {
                intercepting = None;
                while let Some((node, _)) = self.intercepts.pop_front() {
                    self.let_failure_stand(node);
                }
            } else if intercepting.is_none() {
                intercepting = self.next_interception();
            }
            if !cancelled
                && waiting.is_none()
                && intercepting.is_none()
                && !self.setup.control.is_paused()
            {
                waiting = self.dispatch();
            }
            if cancelled {
                waiting = None;
            }
            if self.running == 0 && waiting.is_none() && intercepting.is_none() {
                if cancelled {
                    return RunStatus::Cancelled;
                }
                if self.ready.is_empty() {
                    self.skip_leftovers();
                    if self.ready.is_empty() && self.running == 0 {
                        return if self.unhandled {
                            RunStatus::Failed
                        } else {
                            RunStatus::Succeeded
                        };
                    }
                    continue;
                }
            }
            tokio::select! {
                joined = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    match joined {
                        Some(Ok((task, done))) => {
                            self.task_node.remove(&task);
                            self.finished(done);
                        }
                        Some(Err(err)) => {
                            let Some((node, started)) = self.task_node.remove(&err.id()) else {
                                continue;
                            };
                            let why = if err.is_panic() { "the adapter panicked" } else { "the node task was aborted" };
                            self.finished(Finished {
                                node,
                                result: Err(AdapterError::Failed { reason: why.to_owned(), output: None }),
                                started,
                            });
                        }
                        None => {}
                    }
                }
                answer = async {
                    match waiting.as_mut() {
                        Some((_, _, answer)) => answer.await.ok(),
                        None => std::future::pending().await,
                    }
                }, if waiting.is_some() => {
                    if let Some((node, invocation, _)) = waiting.take() {
                        // No answer: the sender went away (cancelled); the loop top ends the run.
                        if let Some(approved) = answer {
                            self.emit(ExecutionEventKind::ConfirmationResolved {
                                node_id: self.id(node).to_owned(),
                                approved,
                            });
                            if approved {
                                self.spawn(node, invocation);
                            } else {
                                self.complete(node, Err(AdapterError::Denied("denied by user".to_owned())), 0.0);
                            }
                        }
                    }
                }
                verdict = async {
                    match intercepting.as_mut() {
                        Some((_, decision)) => decision.await,
                        None => std::future::pending().await,
                    }
                }, if intercepting.is_some() => {
                    if let Some((node, _)) = intercepting.take() {
                        self.decided(node, verdict);
                    }
                }
                () = self.setup.control.changed() => {}
            }
        }
    }

    /// Hands the next held failure to the monitor.
    fn next_interception(&mut self) -> Option<Interception> {
        let (monitor, watched) = self.setup.monitor.as_ref()?;
        let (node, failure) = self.intercepts.pop_front()?;
        // The state first: whoever sees the event and asks finds the run intercepted.
        self.setup
            .control
            .set_intercepted(Some(failure.node_id.clone()));
        self.emit(ExecutionEventKind::Intercepted {
            node_id: failure.node_id.clone(),
            error: failure.error.clone(),
        });
        Some((node, monitor.intercept(watched, failure)))
    }

    /// Applies the monitor's decision about a held failure.
    fn decided(&mut self, node: NodeIndex, verdict: Verdict) {
        self.setup.control.set_intercepted(None);
        self.emit(ExecutionEventKind::InterceptionResolved {
            node_id: self.id(node).to_owned(),
            verdict: verdict.as_str().to_owned(),
        });
        match verdict {
            Verdict::Retry { data } => {
                let plan = &mut self.setup.plan;
                plan.nodes[node].has_templates = data.values().any(has_template);
                plan.data[node] = data;
                self.nodes[node].state = State::Ready;
                self.ready.insert((plan.topological_position[node], node));
            }
            Verdict::Resume => self.let_failure_stand(node),
            Verdict::Stop => {
                self.let_failure_stand(node);
                if let Err(err) = self.setup.control.cancel() {
                    tracing::debug!(%err, "stopping an intercepted run that is ending anyway");
                }
            }
        }
    }
}
