//! The run loop: dispatches ready nodes (in topological order, up to the parallel budget and
//! per-type caps), routes their outcomes along edges, skips what is not reached, re-enters bounded
//! loops, re-runs failed sub-flows, and honours pause, cancel and the destructive gate.
//!
//! Decisions (documented in `engine.rs`):
//! - A node is ready when every forward predecessor is terminal; it runs when at least one
//!   incoming edge was taken (or it has none), otherwise it is skipped with a reason.
//! - An unhandled failure (no outgoing `fail` edge) makes the run `failed`, but the rest of the
//!   graph still runs or skips as routing dictates.
//! - An edge whose `when` condition cannot be evaluated turns its source's success into a failure
//!   ("edge condition …"), so its `fail` edges route.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::adapter::{AdapterCtx, AdapterError, NodeInvocation};
use super::control::RunControl;
use super::events::{ExecutionEventKind, RunStatus};
use super::gate::needs_confirmation;
use super::plan::{Exec, GroupKind, Plan};
use super::reporter::RunReporter;
use super::request::PendingConfirmation;
use super::template::{Scope, evaluate_condition, resolve_map};
use crate::flows::graph::EdgeOutcome;

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

#[derive(Clone, Copy, Default)]
struct EdgeState {
    resolved: bool,
    taken: bool,
    /// The source's routing decision, kept for edges resolved later (group exits).
    decided: Option<bool>,
}

/// What a node task reports back.
struct Finished {
    node: usize,
    result: Result<Value, AdapterError>,
    started: Instant,
}

struct Run {
    setup: RunSetup,
    state: Vec<State>,
    visits: Vec<u32>,
    unresolved: Vec<usize>,
    any_taken: Vec<bool>,
    forced: Vec<bool>,
    edge: Vec<EdgeState>,
    outputs: HashMap<String, Value>,
    memory: Map<String, Value>,
    ready: BTreeSet<(usize, usize)>,
    running: usize,
    running_by_key: HashMap<String, u32>,
    group_open: Vec<bool>,
    group_done: Vec<bool>,
    group_attempt: Vec<u32>,
    group_unfinished: Vec<usize>,
    group_check: Vec<usize>,
    /// Back-edges taken and not yet applied (their loop body still has work in flight).
    reentries: Vec<usize>,
    unhandled: bool,
    tasks: JoinSet<Finished>,
    task_node: HashMap<tokio::task::Id, (usize, Instant)>,
}

/// Runs the whole flow; returns its final status (after emitting `done`).
pub(crate) async fn run(setup: RunSetup) -> RunStatus {
    let n = setup.plan.nodes.len();
    let g = setup.plan.groups.len();
    let mut ex = Run {
        state: vec![State::Waiting; n],
        visits: vec![0; n],
        unresolved: setup.plan.in_fwd.iter().map(Vec::len).collect(),
        any_taken: vec![false; n],
        forced: vec![false; n],
        edge: vec![EdgeState::default(); setup.plan.edges.len()],
        outputs: HashMap::with_capacity(n),
        memory: Map::new(),
        ready: BTreeSet::new(),
        running: 0,
        running_by_key: HashMap::new(),
        group_open: setup
            .plan
            .groups
            .iter()
            .map(|gr| gr.entry_edges.is_empty() || gr.kind == GroupKind::Loop)
            .collect(),
        group_done: vec![false; g],
        group_attempt: vec![0; g],
        group_unfinished: setup
            .plan
            .groups
            .iter()
            .map(|gr| gr.members.len())
            .collect(),
        group_check: Vec::new(),
        reentries: Vec::new(),
        unhandled: false,
        tasks: JoinSet::new(),
        task_node: HashMap::new(),
        setup,
    };
    for (k, v) in &ex.setup.seeds {
        ex.outputs.insert(k.clone(), v.clone());
    }
    for node in 0..n {
        if ex.unresolved[node] == 0 {
            ex.consider(node);
        }
    }
    ex.settle();
    let status = ex.drive().await;
    let control = ex.setup.control.clone();
    let reporter = ex.setup.reporter.clone();
    control.end(status, || {
        reporter.send(ExecutionEventKind::Done { status })
    });
    status
}

impl Run {
    fn emit(&self, kind: ExecutionEventKind) {
        self.setup.reporter.send(kind);
    }

    fn id(&self, node: usize) -> &str {
        &self.setup.plan.nodes[node].id
    }

    /// The dispatch loop.
    async fn drive(&mut self) -> RunStatus {
        let mut waiting: Option<(usize, NodeInvocation, oneshot::Receiver<bool>)> = None;
        loop {
            let cancelled = self.setup.control.is_cancelled();
            if !cancelled && waiting.is_none() && !self.setup.control.is_paused() {
                waiting = self.dispatch();
            }
            if cancelled {
                waiting = None;
            }
            if self.running == 0 && waiting.is_none() {
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
                        Some(Ok((id, done))) => {
                            self.task_node.remove(&id);
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
                        Some((_, _, rx)) => rx.await.ok(),
                        None => std::future::pending().await,
                    }
                }, if waiting.is_some() => {
                    if let Some((node, inv, _)) = waiting.take() {
                        // No answer: the sender went away (cancelled); the loop top ends the run.
                        if let Some(approved) = answer {
                            self.emit(ExecutionEventKind::ConfirmationResolved {
                                node_id: self.id(node).to_owned(),
                                approved,
                            });
                            if approved {
                                self.spawn(node, inv);
                            } else {
                                self.complete(node, Err(AdapterError::Rejected("denied by user".to_owned())), 0.0);
                            }
                        }
                    }
                }
                () = self.setup.control.changed() => {}
            }
        }
    }

    /// Starts ready nodes while the budget allows; returns a node that waits for approval.
    fn dispatch(&mut self) -> Option<(usize, NodeInvocation, oneshot::Receiver<bool>)> {
        while self.running < self.setup.max_parallel {
            let pick = self
                .ready
                .iter()
                .find(|&&(_, node)| self.within_type_limits(node))
                .copied();
            let Some(key) = pick else { break };
            self.ready.remove(&key);
            let node = key.1;
            if let Exec::Unavailable(why) = &self.setup.plan.nodes[node].exec {
                let why = why.clone();
                self.start_event(node);
                self.complete(node, Err(AdapterError::Rejected(why)), 0.0);
                continue;
            }
            let inv = match self.invocation(node) {
                Ok(inv) => inv,
                Err(why) => {
                    self.start_event(node);
                    self.complete(node, Err(AdapterError::Rejected(why)), 0.0);
                    continue;
                }
            };
            let spec = &self.setup.plan.nodes[node];
            if let Some(action) =
                needs_confirmation(self.setup.confirm_destructive, &spec.node_type, &inv.data)
            {
                let pending = PendingConfirmation {
                    node_id: spec.id.clone(),
                    action: action.clone(),
                };
                let rx = self.setup.control.await_confirmation(pending);
                self.emit(ExecutionEventKind::AwaitingConfirmation {
                    node_id: spec.id.clone(),
                    action,
                });
                self.state[node] = State::Running;
                return Some((node, inv, rx));
            }
            self.spawn(node, inv);
        }
        None
    }

    fn within_type_limits(&self, node: usize) -> bool {
        self.setup.plan.nodes[node].limit_keys.iter().all(|k| {
            self.setup
                .type_limits
                .get(k)
                .is_none_or(|&cap| self.running_by_key.get(k).copied().unwrap_or(0) < cap.max(1))
        })
    }

    fn invocation(&self, node: usize) -> Result<NodeInvocation, String> {
        let spec = &self.setup.plan.nodes[node];
        let Some(raw) = self.setup.plan_data(node) else {
            return Err("node data missing".to_owned());
        };
        let mut data = if spec.has_templates {
            let scope = Scope {
                input: &self.setup.input,
                outputs: &self.outputs,
                memory: &self.memory,
            };
            resolve_map(raw, scope).map_err(|e| e.0)?
        } else {
            raw.clone()
        };
        if spec.is_merge {
            let inputs: Map<String, Value> = self.setup.plan.in_fwd[node]
                .iter()
                .map(|&e| self.setup.plan.edges[e].source)
                .filter_map(|s| {
                    let id = self.id(s);
                    self.outputs.get(id).map(|o| (id.to_owned(), o.clone()))
                })
                .collect();
            data.insert(MERGE_INPUTS_KEY.to_owned(), Value::Object(inputs));
        }
        Ok(NodeInvocation {
            node_id: spec.id.clone(),
            node_type: spec.node_type.clone(),
            action_id: spec.action_id.clone(),
            data,
            iteration: self.visits[node],
        })
    }

    fn start_event(&self, node: usize) {
        self.emit(ExecutionEventKind::NodeStarted {
            node_id: self.id(node).to_owned(),
            iteration: self.visits[node],
        });
    }

    fn spawn(&mut self, node: usize, inv: NodeInvocation) {
        let spec = &self.setup.plan.nodes[node];
        let Exec::Adapter(adapter) = &spec.exec else {
            return;
        };
        self.start_event(node);
        self.state[node] = State::Running;
        self.running += 1;
        for k in &spec.limit_keys {
            *self.running_by_key.entry(k.clone()).or_default() += 1;
        }
        let adapter = adapter.clone();
        let ctx = self.setup.ctx.clone();
        let (timeout, retries, delay) = (spec.timeout_ms, spec.retries, spec.retry_delay_ms);
        let started = Instant::now();
        let handle = self.tasks.spawn(async move {
            let mut attempt = 0;
            let result = loop {
                let call = adapter.execute(&inv, &ctx);
                let result = tokio::select! {
                    biased;
                    () = ctx.cancel.cancelled() => Err(AdapterError::Cancelled),
                    r = async {
                        match timeout {
                            Some(ms) => tokio::time::timeout(Duration::from_millis(ms), call)
                                .await
                                .unwrap_or(Err(AdapterError::TimedOut(ms))),
                            None => call.await,
                        }
                    } => r,
                };
                match result {
                    Err(AdapterError::Cancelled) => break Err(AdapterError::Cancelled),
                    Err(err) if attempt < retries => {
                        attempt += 1;
                        tracing::debug!(node = %inv.node_id, attempt, %err, "retrying node");
                        if delay > 0 {
                            tokio::select! {
                                () = ctx.cancel.cancelled() => break Err(AdapterError::Cancelled),
                                () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                            }
                        }
                    }
                    other => break other,
                }
            };
            Finished {
                node,
                result,
                started,
            }
        });
        self.task_node.insert(handle.id(), (node, started));
    }

    fn finished(&mut self, done: Finished) {
        self.running = self.running.saturating_sub(1);
        for k in &self.setup.plan.nodes[done.node].limit_keys {
            if let Some(c) = self.running_by_key.get_mut(k) {
                *c = c.saturating_sub(1);
            }
        }
        let ms = done.started.elapsed().as_secs_f64() * 1000.0;
        self.complete(done.node, done.result, ms);
    }

    /// Records a node's result, emits its event, routes its edges.
    fn complete(&mut self, node: usize, result: Result<Value, AdapterError>, duration_ms: f64) {
        let iteration = self.visits[node];
        self.visits[node] += 1;
        let node_id = self.id(node).to_owned();
        match result {
            Ok(output) => {
                if self.setup.plan.nodes[node].is_set_variable
                    && let Some(key) = output.get("key").and_then(Value::as_str)
                {
                    let value = output.get("value").cloned().unwrap_or(Value::Null);
                    self.memory.insert(key.to_owned(), value);
                }
                self.outputs.insert(node_id.clone(), output.clone());
                match self.decide(node, Outcome::Success) {
                    Ok(decisions) => {
                        self.emit(ExecutionEventKind::NodeSucceeded {
                            node_id,
                            output,
                            iteration,
                            duration_ms,
                        });
                        self.state[node] = State::Succeeded;
                        self.route(node, &decisions);
                    }
                    Err(why) => {
                        self.fail(node, why, Some(output), iteration, duration_ms);
                    }
                }
            }
            Err(err) => {
                let output = match &err {
                    AdapterError::Failed { output, .. } => output.clone(),
                    _ => None,
                };
                self.fail(node, err.to_string(), output, iteration, duration_ms);
            }
        }
    }

    fn fail(
        &mut self,
        node: usize,
        error: String,
        output: Option<Value>,
        iteration: u32,
        duration_ms: f64,
    ) {
        // A fail branch reports on what failed (`{{build.stderr}}`, `{{build.error}}`), so a
        // failed node's output feeds templates too, with its error added.
        let mut visible = match &output {
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                let mut map = serde_json::Map::new();
                map.insert("output".to_owned(), other.clone());
                map
            }
            None => serde_json::Map::new(),
        };
        visible.insert("error".to_owned(), Value::String(error.clone()));
        self.outputs
            .insert(self.id(node).to_owned(), Value::Object(visible));
        self.emit(ExecutionEventKind::NodeFailed {
            node_id: self.id(node).to_owned(),
            error,
            output,
            iteration,
            duration_ms,
        });
        self.state[node] = State::Failed;
        let in_subflow = self.setup.plan.group_of[node]
            .is_some_and(|g| matches!(self.setup.plan.groups[g].kind, GroupKind::SubFlow { .. }));
        // Sub-flow members are judged once the unit has used up its retries.
        if !in_subflow && !self.has_fail_edge(node) {
            self.unhandled = true;
        }
        let decisions = self.decide(node, Outcome::Failure).unwrap_or_else(|_| {
            // A failing condition on a fail path: fall back to the bare outcomes.
            self.bare_decisions(node, Outcome::Failure)
        });
        self.route(node, &decisions);
    }

    fn has_fail_edge(&self, node: usize) -> bool {
        self.setup.plan.out_edges[node]
            .iter()
            .any(|&e| self.setup.plan.edges[e].outcome == EdgeOutcome::Fail)
    }

    fn bare_decisions(&self, node: usize, outcome: Outcome) -> Vec<bool> {
        self.setup.plan.out_edges[node]
            .iter()
            .map(|&e| matches_outcome(self.setup.plan.edges[e].outcome, outcome))
            .collect()
    }

    /// Whether each out-edge is taken; a condition that cannot be evaluated is an error.
    fn decide(&self, node: usize, outcome: Outcome) -> Result<Vec<bool>, String> {
        let plan = &self.setup.plan;
        let mut out = Vec::with_capacity(plan.out_edges[node].len());
        for &e in &plan.out_edges[node] {
            let edge = &plan.edges[e];
            let mut taken = matches_outcome(edge.outcome, outcome);
            if taken && let Some(cond) = &edge.condition {
                let scope = Scope {
                    input: &self.setup.input,
                    outputs: &self.outputs,
                    memory: &self.memory,
                };
                taken = evaluate_condition(cond, scope).map_err(|err| {
                    format!(
                        "edge condition {} → {}: {}",
                        self.id(edge.source),
                        self.id(edge.target),
                        err.0
                    )
                })?;
            }
            out.push(taken);
        }
        Ok(out)
    }

    /// Applies a finished (or skipped) node's decisions to its out-edges.
    fn route(&mut self, node: usize, decisions: &[bool]) {
        for (i, &taken) in decisions.iter().enumerate() {
            let e = self.setup.plan.out_edges[node][i];
            let edge = &self.setup.plan.edges[e];
            if edge.back {
                if taken {
                    self.reentries.push(e);
                }
                continue;
            }
            match edge.exit_of {
                Some(g) if !self.group_done[g] => self.edge[e].decided = Some(taken),
                _ => self.resolve(e, taken),
            }
        }
        if let Some(g) = self.setup.plan.group_of[node] {
            self.group_unfinished[g] = self.group_unfinished[g].saturating_sub(1);
            if self.group_unfinished[g] == 0 {
                self.group_check.push(g);
            }
        }
        self.settle();
    }

    fn resolve(&mut self, e: usize, taken: bool) {
        let st = &mut self.edge[e];
        if st.resolved {
            return;
        }
        st.resolved = true;
        st.taken = taken;
        let target = self.setup.plan.edges[e].target;
        self.any_taken[target] |= taken;
        self.unresolved[target] = self.unresolved[target].saturating_sub(1);
        if let Some(g) = self.setup.plan.group_of[target]
            && !self.group_open[g]
            && self.setup.plan.groups[g]
                .entry_edges
                .iter()
                .all(|&x| self.edge[x].resolved)
        {
            self.group_open[g] = true;
            let members = self.setup.plan.groups[g].members.clone();
            for m in members {
                if self.unresolved[m] == 0 && self.state[m] == State::Waiting {
                    self.consider(m);
                }
            }
            return;
        }
        if self.unresolved[target] == 0 && self.state[target] == State::Waiting {
            self.consider(target);
        }
    }

    /// A node whose forward predecessors are all terminal: ready, seeded, or skipped.
    fn consider(&mut self, node: usize) {
        if let Some(g) = self.setup.plan.group_of[node]
            && !self.group_open[g]
        {
            return;
        }
        let plan = &self.setup.plan;
        let forced = std::mem::take(&mut self.forced[node]);
        if self.visits[node] == 0 && self.setup.seeds.contains_key(&plan.nodes[node].id) {
            self.visits[node] = 1;
            self.emit(ExecutionEventKind::NodeSkipped {
                node_id: self.id(node).to_owned(),
                reason: "reused the output of the earlier run".to_owned(),
                iteration: 0,
            });
            self.state[node] = State::Succeeded;
            let decisions = self
                .decide(node, Outcome::Success)
                .unwrap_or_else(|_| self.bare_decisions(node, Outcome::Success));
            self.route(node, &decisions);
            return;
        }
        if forced || plan.in_fwd[node].is_empty() || self.any_taken[node] {
            self.state[node] = State::Ready;
            self.ready.insert((plan.topo_pos[node], node));
            return;
        }
        let reason = self.skip_reason(node);
        self.emit(ExecutionEventKind::NodeSkipped {
            node_id: self.id(node).to_owned(),
            reason,
            iteration: self.visits[node],
        });
        self.state[node] = State::Skipped;
        let decisions = vec![false; self.setup.plan.out_edges[node].len()];
        self.route(node, &decisions);
    }

    fn skip_reason(&self, node: usize) -> String {
        let plan = &self.setup.plan;
        let mut sources: Vec<String> = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        for &e in &plan.in_fwd[node] {
            let edge = &plan.edges[e];
            let src = self.id(edge.source);
            let what = match self.state[edge.source] {
                State::Succeeded => format!("{src} succeeded"),
                State::Failed => format!("{src} failed"),
                State::Skipped => format!("{src} was skipped"),
                _ => format!("{src} did not finish"),
            };
            if !sources.contains(&what) {
                sources.push(what);
            }
            let mut path = format!("{src}.{}", edge.outcome.as_str());
            if let Some(c) = &edge.condition {
                path.push_str(&format!(" when {c}"));
            }
            paths.push(path);
        }
        let lead = if paths.len() == 1 { "leads" } else { "lead" };
        format!(
            "not reached: {} and only {} {lead} here",
            sources.join(", "),
            paths.join(", ")
        )
    }

    /// Applies loop re-entries and finishes groups, until nothing changes.
    fn settle(&mut self) {
        loop {
            let mut progressed = false;
            let mut i = 0;
            while i < self.reentries.len() {
                let e = self.reentries[i];
                let head = self.setup.plan.edges[e].target;
                let body = self.setup.plan.loop_body(head);
                if body
                    .iter()
                    .any(|&m| matches!(self.state[m], State::Running | State::Ready))
                {
                    i += 1;
                    continue;
                }
                self.reentries.swap_remove(i);
                self.reenter(head, &body);
                progressed = true;
            }
            while let Some(g) = self.group_check.pop() {
                if self.group_done[g] || self.group_unfinished[g] != 0 {
                    continue;
                }
                let members = &self.setup.plan.groups[g].members;
                let pending_loop = self
                    .reentries
                    .iter()
                    .any(|&e| members.contains(&self.setup.plan.edges[e].target));
                if pending_loop {
                    continue;
                }
                self.finish_group(g);
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
    }

    fn reenter(&mut self, head: usize, body: &[usize]) {
        // The loop's cap: the smallest `maxIterations` in the body, else in the whole cycle.
        let mut capped = body
            .iter()
            .filter_map(|&m| self.setup.plan.nodes[m].max_iterations.map(|c| (m, c)))
            .find(|&(m, cap)| self.visits[m] >= cap);
        if capped.is_none()
            && !body
                .iter()
                .any(|&m| self.setup.plan.nodes[m].max_iterations.is_some())
        {
            capped = self
                .setup
                .plan
                .scc_members(head)
                .into_iter()
                .filter_map(|m| self.setup.plan.nodes[m].max_iterations.map(|c| (m, c)))
                .find(|&(m, cap)| self.visits[m] >= cap);
        }
        // A hard stop for graphs that bypassed validation.
        const SAFETY_CAP: u32 = 100_000;
        if capped.is_none() && self.visits[head] >= SAFETY_CAP {
            capped = Some((head, SAFETY_CAP));
        }
        if let Some((m, _)) = capped {
            self.emit(ExecutionEventKind::IterationCapped {
                node_id: self.id(m).to_owned(),
                visits: self.visits[m],
            });
            if let Some(g) = self.setup.plan.group_of[head]
                && self.group_unfinished[g] == 0
            {
                self.group_check.push(g);
            }
            return;
        }
        self.reset(body);
        self.forced[head] = true;
        if self.unresolved[head] == 0 {
            self.consider(head);
        }
    }

    /// Puts nodes back to waiting, un-resolving the edges between them.
    fn reset(&mut self, members: &[usize]) {
        let plan = &self.setup.plan;
        let mut inside = vec![false; plan.nodes.len()];
        for &m in members {
            inside[m] = true;
        }
        for &m in members {
            if self.state[m].terminal()
                && let Some(g) = plan.group_of[m]
            {
                self.group_unfinished[g] += 1;
            }
            self.state[m] = State::Waiting;
            for &e in &plan.out_edges[m] {
                self.edge[e].decided = None;
            }
        }
        for &m in members {
            let mut unresolved = 0;
            let mut any = false;
            for &e in &plan.in_fwd[m] {
                if inside[plan.edges[e].source] {
                    self.edge[e] = EdgeState::default();
                }
                let st = self.edge[e];
                if !st.resolved {
                    unresolved += 1;
                }
                any |= st.taken;
            }
            self.unresolved[m] = unresolved;
            self.any_taken[m] = any;
        }
    }

    fn finish_group(&mut self, g: usize) {
        let group = &self.setup.plan.groups[g];
        let members = group.members.clone();
        if let GroupKind::SubFlow { retry } = group.kind {
            let failed = members.iter().any(|&m| self.state[m] == State::Failed);
            if failed && self.group_attempt[g] < retry {
                self.group_attempt[g] += 1;
                tracing::debug!(subflow = %group.id, attempt = self.group_attempt[g], "re-running sub-flow");
                self.reset(&members);
                for &m in &members {
                    if self.unresolved[m] == 0 && self.state[m] == State::Waiting {
                        self.consider(m);
                    }
                }
                return;
            }
            if members
                .iter()
                .any(|&m| self.state[m] == State::Failed && !self.has_fail_edge(m))
            {
                self.unhandled = true;
            }
        }
        self.group_done[g] = true;
        let exits: Vec<(usize, bool)> = self
            .setup
            .plan
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.exit_of == Some(g) && members.contains(&e.source))
            .map(|(i, _)| (i, self.edge[i].decided.unwrap_or(false)))
            .collect();
        for (e, taken) in exits {
            self.resolve(e, taken);
        }
    }

    /// Nodes still waiting when nothing else can happen (e.g. a sub-flow fed from its own
    /// downstream): skipped so every node gets a final event.
    fn skip_leftovers(&mut self) {
        for node in 0..self.state.len() {
            if self.state[node] == State::Waiting && self.visits[node] == 0 {
                self.emit(ExecutionEventKind::NodeSkipped {
                    node_id: self.id(node).to_owned(),
                    reason: "not reached: its predecessors never finished".to_owned(),
                    iteration: 0,
                });
                self.state[node] = State::Skipped;
            }
        }
    }
}

impl RunSetup {
    fn plan_data(&self, node: usize) -> Option<&Map<String, Value>> {
        self.plan.data.get(node)
    }
}

fn matches_outcome(edge: EdgeOutcome, outcome: Outcome) -> bool {
    matches!(
        (edge, outcome),
        (EdgeOutcome::Always, _)
            | (EdgeOutcome::Pass, Outcome::Success)
            | (EdgeOutcome::Fail, Outcome::Failure)
    )
}
