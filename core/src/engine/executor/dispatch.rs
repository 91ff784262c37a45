//! Starting nodes: which ready node goes next within the parallel budget and the per-type caps,
//! its invocation (templates resolved, a merge's inputs gathered), the destructive gate, and the
//! task that runs it on its adapter with its timeout and retries.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::{AwaitingApproval, Finished, MERGE_INPUTS_KEY, Run, State};
use crate::engine::adapter::{AdapterError, NodeInvocation};
use crate::engine::events::ExecutionEventKind;
use crate::engine::gate::needs_confirmation;
use crate::engine::plan::{Exec, NodeIndex};
use crate::engine::request::PendingConfirmation;
use crate::engine::template::{Scope, resolve_map};

impl Run {
    /// Starts ready nodes while the budget allows; returns a node that waits for approval.
    pub(super) fn dispatch(&mut self) -> Option<AwaitingApproval> {
        while self.running < self.setup.max_parallel {
            let pick = self
                .ready
                .iter()
                .find(|&&(_, node)| self.within_type_limits(node))
                .copied();
            let Some(entry) = pick else { break };
            self.ready.remove(&entry);
            let node = entry.1;
            if let Exec::Unavailable(why) = &self.setup.plan.nodes[node].exec {
                let why = why.clone();
                self.start_event(node);
                self.complete(node, Err(AdapterError::Rejected(why)), 0.0);
                continue;
            }
            let invocation = match self.invocation(node) {
                Ok(invocation) => invocation,
                Err(why) => {
                    self.start_event(node);
                    self.complete(node, Err(AdapterError::Rejected(why)), 0.0);
                    continue;
                }
            };
            let spec = &self.setup.plan.nodes[node];
            if let Some(action) = needs_confirmation(
                self.setup.confirm_destructive,
                &spec.node_type,
                &invocation.data,
            ) {
                let pending = PendingConfirmation {
                    node_id: spec.id.clone(),
                    action: action.clone(),
                };
                let answer = self.setup.control.await_confirmation(pending);
                self.emit(ExecutionEventKind::AwaitingConfirmation {
                    node_id: spec.id.clone(),
                    action,
                });
                self.nodes[node].state = State::Running;
                return Some((node, invocation, answer));
            }
            self.spawn(node, invocation);
        }
        None
    }

    fn within_type_limits(&self, node: NodeIndex) -> bool {
        self.setup.plan.nodes[node].limit_keys.iter().all(|key| {
            self.setup
                .type_limits
                .get(key)
                .is_none_or(|&cap| self.running_by_key.get(key).copied().unwrap_or(0) < cap.max(1))
        })
    }

    fn invocation(&self, node: NodeIndex) -> Result<NodeInvocation, String> {
        let plan = &self.setup.plan;
        let spec = &plan.nodes[node];
        let Some(raw) = plan.data.get(node) else {
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
            let inputs: Map<String, Value> = plan.forward_in_edges[node]
                .iter()
                .map(|&edge| plan.edges[edge].source)
                .filter_map(|source| {
                    let id = self.id(source);
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
            iteration: self.nodes[node].visits,
        })
    }

    pub(super) fn start_event(&self, node: NodeIndex) {
        self.emit(ExecutionEventKind::NodeStarted {
            node_id: self.id(node).to_owned(),
            iteration: self.nodes[node].visits,
        });
    }

    pub(super) fn spawn(&mut self, node: NodeIndex, invocation: NodeInvocation) {
        let spec = &self.setup.plan.nodes[node];
        let Exec::Adapter(adapter) = &spec.exec else {
            return;
        };
        self.start_event(node);
        self.nodes[node].state = State::Running;
        self.running += 1;
        for key in &spec.limit_keys {
            *self.running_by_key.entry(key.clone()).or_default() += 1;
        }
        let adapter = adapter.clone();
        let ctx = self.setup.ctx.clone();
        let (timeout, retries, delay) = (spec.timeout_ms, spec.retries, spec.retry_delay_ms);
        let started = Instant::now();
        let handle = self.tasks.spawn(async move {
            let mut attempt = 0;
            let result = loop {
                let call = adapter.execute(&invocation, &ctx);
                let result = tokio::select! {
                    biased;
                    () = ctx.cancel.cancelled() => Err(AdapterError::Cancelled),
                    result = async {
                        match timeout {
                            Some(ms) => tokio::time::timeout(Duration::from_millis(ms), call)
                                .await
                                .unwrap_or(Err(AdapterError::TimedOut(ms))),
                            None => call.await,
                        }
                    } => result,
                };
                match result {
                    Err(AdapterError::Cancelled) => break Err(AdapterError::Cancelled),
                    Err(err) if attempt < retries => {
                        attempt += 1;
                        tracing::debug!(node = %invocation.node_id, attempt, %err, "retrying node");
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

    /// A node task ended: frees its place in the budget and completes the node.
    pub(super) fn finished(&mut self, done: Finished) {
        self.running = self.running.saturating_sub(1);
        for key in &self.setup.plan.nodes[done.node].limit_keys {
            if let Some(count) = self.running_by_key.get_mut(key) {
                *count = count.saturating_sub(1);
            }
        }
        let duration_ms = done.started.elapsed().as_secs_f64() * 1000.0;
        self.complete(done.node, done.result, duration_ms);
    }
}
