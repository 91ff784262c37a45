//! Routing: what a node's result does to its out-edges (outcomes and `when` conditions), when an
//! edge resolves its target, and whether a node whose inputs are all resolved runs, reuses a
//! seeded output or is skipped.

use serde_json::Value;

use super::{Outcome, Run, State};
use crate::engine::adapter::AdapterError;
use crate::engine::events::ExecutionEventKind;
use crate::engine::intercept::UnhandledFailure;
use crate::engine::plan::{EdgeIndex, GroupKind, NodeIndex};
use crate::engine::template::{Scope, evaluate_condition};
use crate::flows::graph::EdgeOutcome;

impl Run {
    /// Records a node's result, emits its event, routes its edges.
    pub(super) fn complete(
        &mut self,
        node: NodeIndex,
        result: Result<Value, AdapterError>,
        duration_ms: f64,
    ) {
        let iteration = self.nodes[node].visits;
        self.nodes[node].visits += 1;
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
                        self.nodes[node].state = State::Succeeded;
                        self.route(node, &decisions);
                    }
                    Err(why) => {
                        self.fail(node, why, Some(output), iteration, duration_ms, false);
                    }
                }
            }
            Err(err) => {
                let output = match &err {
                    AdapterError::Failed { output, .. } => output.clone(),
                    _ => None,
                };
                // A person's "deny" and a cancel are decisions, not faults to fix.
                let fault = !matches!(err, AdapterError::Denied(_) | AdapterError::Cancelled);
                self.fail(node, err.to_string(), output, iteration, duration_ms, fault);
            }
        }
    }

    /// Records a failure; an unhandled `fault` in a monitored run is held for the monitor
    /// instead of routed (see [`Run::let_failure_stand`]).
    fn fail(
        &mut self,
        node: NodeIndex,
        error: String,
        output: Option<Value>,
        iteration: u32,
        duration_ms: f64,
        fault: bool,
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
            error: error.clone(),
            output: output.clone(),
            iteration,
            duration_ms,
        });
        if fault
            && self.is_unhandled(node)
            && self.setup.monitor.is_some()
            && !self.setup.control.is_cancelled()
        {
            // Held, not failed: nothing downstream moves until the monitor decides.
            self.nodes[node].state = State::Running;
            self.intercepts.push_back((
                node,
                UnhandledFailure {
                    node_id: self.id(node).to_owned(),
                    data: self.setup.plan.data[node].clone(),
                    error,
                    output,
                    iteration,
                },
            ));
            return;
        }
        self.let_failure_stand(node);
    }

    /// Whether a failure of `node` makes the run fail: no `fail` edge handles it, and it is not
    /// a sub-flow member (judged once the unit has used up its retries).
    fn is_unhandled(&self, node: NodeIndex) -> bool {
        let plan = &self.setup.plan;
        let in_subflow = plan.group_of[node]
            .is_some_and(|group| matches!(plan.groups[group].kind, GroupKind::SubFlow { .. }));
        !in_subflow && !self.has_fail_edge(node)
    }

    /// Routes a failure along the node's edges (its `fail` path, if any).
    pub(super) fn let_failure_stand(&mut self, node: NodeIndex) {
        self.nodes[node].state = State::Failed;
        if self.is_unhandled(node) {
            self.unhandled = true;
        }
        let decisions = self.decide(node, Outcome::Failure).unwrap_or_else(|_| {
            // A failing condition on a fail path: fall back to the bare outcomes.
            self.bare_decisions(node, Outcome::Failure)
        });
        self.route(node, &decisions);
    }

    pub(super) fn has_fail_edge(&self, node: NodeIndex) -> bool {
        let plan = &self.setup.plan;
        plan.out_edges[node]
            .iter()
            .any(|&edge| plan.edges[edge].outcome == EdgeOutcome::Fail)
    }

    fn bare_decisions(&self, node: NodeIndex, outcome: Outcome) -> Vec<bool> {
        let plan = &self.setup.plan;
        plan.out_edges[node]
            .iter()
            .map(|&edge| matches_outcome(plan.edges[edge].outcome, outcome))
            .collect()
    }

    /// Whether each out-edge is taken; a condition that cannot be evaluated is an error.
    fn decide(&self, node: NodeIndex, outcome: Outcome) -> Result<Vec<bool>, String> {
        let plan = &self.setup.plan;
        let mut decisions = Vec::with_capacity(plan.out_edges[node].len());
        for &index in &plan.out_edges[node] {
            let edge = &plan.edges[index];
            let mut taken = matches_outcome(edge.outcome, outcome);
            if taken && let Some(condition) = &edge.condition {
                let scope = Scope {
                    input: &self.setup.input,
                    outputs: &self.outputs,
                    memory: &self.memory,
                };
                taken = evaluate_condition(condition, scope).map_err(|err| {
                    format!(
                        "edge condition {} → {}: {}",
                        self.id(edge.source),
                        self.id(edge.target),
                        err.0
                    )
                })?;
            }
            decisions.push(taken);
        }
        Ok(decisions)
    }

    /// Applies a finished (or skipped) node's decisions to its out-edges.
    fn route(&mut self, node: NodeIndex, decisions: &[bool]) {
        for (position, &taken) in decisions.iter().enumerate() {
            let index = self.setup.plan.out_edges[node][position];
            let edge = &self.setup.plan.edges[index];
            if edge.back {
                if taken {
                    self.reentries.push(index);
                }
                continue;
            }
            match edge.exit_of {
                Some(group) if !self.groups[group].done => {
                    self.edges[index].decided = Some(taken);
                }
                _ => self.resolve(index, taken),
            }
        }
        if let Some(group) = self.setup.plan.group_of[node] {
            let progress = &mut self.groups[group];
            progress.unfinished = progress.unfinished.saturating_sub(1);
            if progress.unfinished == 0 {
                self.groups_to_check.push(group);
            }
        }
        self.settle();
    }

    /// Resolves an edge (once) and considers its target when that was its last open input; an
    /// edge into a closed sub-flow that was its last open entry opens it.
    pub(super) fn resolve(&mut self, index: EdgeIndex, taken: bool) {
        let edge = &mut self.edges[index];
        if edge.resolved {
            return;
        }
        edge.resolved = true;
        edge.taken = taken;
        let plan = &self.setup.plan;
        let target = plan.edges[index].target;
        let progress = &mut self.nodes[target];
        progress.any_input_taken |= taken;
        progress.unresolved_inputs = progress.unresolved_inputs.saturating_sub(1);
        if let Some(group) = plan.group_of[target]
            && !self.groups[group].open
            && plan.groups[group]
                .entry_edges
                .iter()
                .all(|&entry| self.edges[entry].resolved)
        {
            self.groups[group].open = true;
            let members = plan.groups[group].members.clone();
            for member in members {
                if self.nodes[member].unresolved_inputs == 0
                    && self.nodes[member].state == State::Waiting
                {
                    self.consider(member);
                }
            }
            return;
        }
        if self.nodes[target].unresolved_inputs == 0 && self.nodes[target].state == State::Waiting {
            self.consider(target);
        }
    }

    /// A node whose forward predecessors are all terminal: ready, seeded, or skipped.
    pub(super) fn consider(&mut self, node: NodeIndex) {
        if let Some(group) = self.setup.plan.group_of[node]
            && !self.groups[group].open
        {
            return;
        }
        let plan = &self.setup.plan;
        let forced = std::mem::take(&mut self.nodes[node].forced);
        if self.nodes[node].visits == 0 && self.setup.seeds.contains_key(&plan.nodes[node].id) {
            self.nodes[node].visits = 1;
            self.emit(ExecutionEventKind::NodeSkipped {
                node_id: self.id(node).to_owned(),
                reason: "reused the output of the earlier run".to_owned(),
                iteration: 0,
            });
            self.nodes[node].state = State::Succeeded;
            let decisions = self
                .decide(node, Outcome::Success)
                .unwrap_or_else(|_| self.bare_decisions(node, Outcome::Success));
            self.route(node, &decisions);
            return;
        }
        if forced || plan.forward_in_edges[node].is_empty() || self.nodes[node].any_input_taken {
            self.nodes[node].state = State::Ready;
            self.ready.insert((plan.topological_position[node], node));
            return;
        }
        let reason = self.skip_reason(node);
        self.emit(ExecutionEventKind::NodeSkipped {
            node_id: self.id(node).to_owned(),
            reason,
            iteration: self.nodes[node].visits,
        });
        self.nodes[node].state = State::Skipped;
        let decisions = vec![false; self.setup.plan.out_edges[node].len()];
        self.route(node, &decisions);
    }

    fn skip_reason(&self, node: NodeIndex) -> String {
        let plan = &self.setup.plan;
        let mut sources: Vec<String> = Vec::new();
        let mut paths: Vec<String> = Vec::new();
        for &index in &plan.forward_in_edges[node] {
            let edge = &plan.edges[index];
            let source = self.id(edge.source);
            let what = match self.nodes[edge.source].state {
                State::Succeeded => format!("{source} succeeded"),
                State::Failed => format!("{source} failed"),
                State::Skipped => format!("{source} was skipped"),
                _ => format!("{source} did not finish"),
            };
            if !sources.contains(&what) {
                sources.push(what);
            }
            let mut path = format!("{source}.{}", edge.outcome.as_str());
            if let Some(condition) = &edge.condition {
                path.push_str(&format!(" when {condition}"));
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

    /// Nodes still waiting when nothing else can happen (e.g. a sub-flow fed from its own
    /// downstream): skipped so every node gets a final event.
    pub(super) fn skip_leftovers(&mut self) {
        for node in self.nodes.indices() {
            if self.nodes[node].state == State::Waiting && self.nodes[node].visits == 0 {
                self.emit(ExecutionEventKind::NodeSkipped {
                    node_id: self.id(node).to_owned(),
                    reason: "not reached: its predecessors never finished".to_owned(),
                    iteration: 0,
                });
                self.nodes[node].state = State::Skipped;
            }
        }
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
