//! Loops and sub-flows: a taken back-edge re-runs its loop body once nothing in it is running
//! (bounded by `maxIterations`), a failed sub-flow re-runs up to its `retry`, and a finished
//! group resolves its exit edges with each source's last decision.

use super::{EdgeProgress, Run, State};
use crate::engine::events::ExecutionEventKind;
use crate::engine::plan::{EdgeIndex, GroupIndex, GroupKind, IndexVec, NodeIndex};

/// A hard stop for loops in graphs that bypassed validation.
const SAFETY_CAP: u32 = 100_000;

impl Run {
    /// Applies loop re-entries and finishes groups, until nothing changes.
    pub(super) fn settle(&mut self) {
        loop {
            let mut progressed = false;
            let mut position = 0;
            while position < self.reentries.len() {
                let back_edge = self.reentries[position];
                let head = self.setup.plan.edges[back_edge].target;
                let body = self.setup.plan.loop_body(head);
                if body.iter().any(|&member| {
                    matches!(self.nodes[member].state, State::Running | State::Ready)
                }) {
                    position += 1;
                    continue;
                }
                self.reentries.swap_remove(position);
                self.reenter(head, &body);
                progressed = true;
            }
            while let Some(group) = self.groups_to_check.pop() {
                if self.groups[group].done || self.groups[group].unfinished != 0 {
                    continue;
                }
                let plan = &self.setup.plan;
                let members = &plan.groups[group].members;
                let pending_loop = self
                    .reentries
                    .iter()
                    .any(|&back_edge| members.contains(&plan.edges[back_edge].target));
                if pending_loop {
                    continue;
                }
                self.finish_group(group);
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
    }

    /// Re-runs `head`'s loop body, unless a member reached its `maxIterations`.
    fn reenter(&mut self, head: NodeIndex, body: &[NodeIndex]) {
        let plan = &self.setup.plan;
        let reached_cap = |member: NodeIndex| {
            plan.nodes[member]
                .max_iterations
                .filter(|&cap| self.nodes[member].visits >= cap)
                .map(|_| member)
        };
        // The loop's cap: the smallest `maxIterations` in the body, else in the whole cycle.
        let mut capped = body.iter().find_map(|&member| reached_cap(member));
        if capped.is_none()
            && !body
                .iter()
                .any(|&member| plan.nodes[member].max_iterations.is_some())
        {
            capped = plan.scc_members(head).into_iter().find_map(reached_cap);
        }
        if capped.is_none() && self.nodes[head].visits >= SAFETY_CAP {
            capped = Some(head);
        }
        if let Some(member) = capped {
            self.emit(ExecutionEventKind::IterationCapped {
                node_id: self.id(member).to_owned(),
                visits: self.nodes[member].visits,
            });
            if let Some(group) = self.setup.plan.group_of[head]
                && self.groups[group].unfinished == 0
            {
                self.groups_to_check.push(group);
            }
            return;
        }
        self.reset(body);
        self.nodes[head].forced = true;
        if self.nodes[head].unresolved_inputs == 0 {
            self.consider(head);
        }
    }

    /// Puts nodes back to waiting, un-resolving the edges between them.
    fn reset(&mut self, members: &[NodeIndex]) {
        let plan = &self.setup.plan;
        let mut inside = IndexVec::filled(false, plan.nodes.len());
        for &member in members {
            inside[member] = true;
        }
        for &member in members {
            if self.nodes[member].state.terminal()
                && let Some(group) = plan.group_of[member]
            {
                self.groups[group].unfinished += 1;
            }
            self.nodes[member].state = State::Waiting;
            for &edge in &plan.out_edges[member] {
                self.edges[edge].decided = None;
            }
        }
        for &member in members {
            let mut unresolved = 0;
            let mut any_taken = false;
            for &edge in &plan.forward_in_edges[member] {
                if inside[plan.edges[edge].source] {
                    self.edges[edge] = EdgeProgress::default();
                }
                let progress = self.edges[edge];
                if !progress.resolved {
                    unresolved += 1;
                }
                any_taken |= progress.taken;
            }
            self.nodes[member].unresolved_inputs = unresolved;
            self.nodes[member].any_input_taken = any_taken;
        }
    }

    /// A group whose members have all finished: re-runs a failed sub-flow that has retries left,
    /// otherwise marks it done and resolves its exit edges.
    fn finish_group(&mut self, group: GroupIndex) {
        let spec = &self.setup.plan.groups[group];
        let members = spec.members.clone();
        if let GroupKind::SubFlow { retry } = spec.kind {
            let failed = members
                .iter()
                .any(|&member| self.nodes[member].state == State::Failed);
            if failed && self.groups[group].attempt < retry {
                self.groups[group].attempt += 1;
                tracing::debug!(subflow = %spec.id, attempt = self.groups[group].attempt, "re-running sub-flow");
                self.reset(&members);
                for &member in &members {
                    if self.nodes[member].unresolved_inputs == 0
                        && self.nodes[member].state == State::Waiting
                    {
                        self.consider(member);
                    }
                }
                return;
            }
            if members.iter().any(|&member| {
                self.nodes[member].state == State::Failed && !self.has_fail_edge(member)
            }) {
                self.unhandled = true;
            }
        }
        self.groups[group].done = true;
        let exits: Vec<(EdgeIndex, bool)> = self
            .setup
            .plan
            .edges
            .iter_enumerated()
            .filter(|(_, edge)| edge.exit_of == Some(group) && members.contains(&edge.source))
            .map(|(index, _)| (index, self.edges[index].decided.unwrap_or(false)))
            .collect();
        for (index, taken) in exits {
            self.resolve(index, taken);
        }
    }
}
