//! Graph analysis done once per run: indices, forward and back edges, topological positions,
//! loop bodies and sub-flow units, and each node's execution policy.
//!
//! Back-edges are found by a depth-first search in document order (an edge into a node still on
//! the search stack closes a cycle). Every other edge is "forward": readiness counts forward
//! in-edges only, so a loop head does not wait for its own back-edge.

mod index;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use serde_json::Value;

pub(crate) use index::{EdgeIndex, GroupIndex, IndexVec, NodeIndex};

use super::Adapter;
use super::template::has_template;
use crate::flows::graph::{EdgeOutcome, FlowGraph};

/// How a node executes.
#[derive(Clone)]
pub(crate) enum Exec {
    /// Through this adapter.
    Adapter(Arc<dyn Adapter>),
    /// Not runnable in this build: the node fails with this message.
    Unavailable(String),
}

/// One node, pre-digested for the executor.
pub(crate) struct NodeSpec {
    pub id: String,
    pub node_type: String,
    pub action_id: String,
    pub exec: Exec,
    /// Keys `node_type_limits` may cap it under: its type and its adapter name.
    pub limit_keys: Vec<String>,
    pub timeout_ms: Option<u64>,
    pub retries: u32,
    pub retry_delay_ms: u64,
    pub max_iterations: Option<u32>,
    pub has_templates: bool,
    pub is_set_variable: bool,
    pub is_merge: bool,
}

/// One edge with resolved endpoints.
pub(crate) struct EdgeSpec {
    pub source: NodeIndex,
    pub target: NodeIndex,
    pub outcome: EdgeOutcome,
    pub condition: Option<String>,
    /// Closes a cycle: taking it re-enters a loop instead of resolving the target.
    pub back: bool,
    /// Leaves this group: resolved only once the group has finished.
    pub exit_of: Option<GroupIndex>,
}

/// What kind of unit a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// A sub-flow: opens when every outside predecessor is terminal; re-runs on failure.
    SubFlow { retry: u32 },
    /// A bounded loop (a strongly connected component).
    Loop,
}

/// A set of nodes whose outgoing edges resolve together when the set is finished.
pub(crate) struct Group {
    pub id: String,
    pub kind: GroupKind,
    pub members: Vec<NodeIndex>,
    /// Forward edges entering a member from outside (sub-flows open when all resolved).
    pub entry_edges: Vec<EdgeIndex>,
}

/// The analysed graph.
pub(crate) struct Plan {
    pub nodes: IndexVec<NodeIndex, NodeSpec>,
    /// Each node's `data` as written (templates unresolved).
    pub data: IndexVec<NodeIndex, serde_json::Map<String, Value>>,
    pub edges: IndexVec<EdgeIndex, EdgeSpec>,
    pub out_edges: IndexVec<NodeIndex, Vec<EdgeIndex>>,
    /// Forward in-edges only (back-edges left out).
    pub forward_in_edges: IndexVec<NodeIndex, Vec<EdgeIndex>>,
    /// Position in a topological order of the forward edges (document order on ties).
    pub topological_position: IndexVec<NodeIndex, usize>,
    pub groups: IndexVec<GroupIndex, Group>,
    pub group_of: IndexVec<NodeIndex, Option<GroupIndex>>,
    /// Strongly connected component of each node (cyclic ones only).
    pub scc_of: IndexVec<NodeIndex, Option<usize>>,
}

/// Picks the adapter a node runs on.
pub(crate) fn exec_for(
    node_type: &str,
    data: &serde_json::Map<String, Value>,
    adapters: &HashMap<&'static str, Arc<dyn Adapter>>,
) -> (Exec, Option<String>) {
    let adapter = data.get("adapter").and_then(Value::as_str);
    let name = match (node_type, adapter) {
        (_, Some("mock")) => "mock",
        ("utility", _) => "utility",
        ("ai", _) => "ai",
        ("service", _) => "service",
        ("action", Some(name)) => name,
        ("action", None) => {
            return (
                Exec::Unavailable("action node has no `adapter` field".to_owned()),
                None,
            );
        }
        (other @ "agentic", _) => {
            return (
                Exec::Unavailable(format!(
                    "an {other} node generates its flow before it runs: press Run in the editor to review a proposal, or call `agentic_generate`"
                )),
                None,
            );
        }
        (other, _) => {
            return (
                Exec::Unavailable(format!("unknown node type `{other}`")),
                None,
            );
        }
    };
    match adapters.get(name) {
        Some(a) => (Exec::Adapter(a.clone()), Some(name.to_owned())),
        None => (
            Exec::Unavailable(format!("adapter '{name}' not found")),
            Some(name.to_owned()),
        ),
    }
}

fn u64_field(data: &serde_json::Map<String, Value>, key: &str) -> Option<u64> {
    data.get(key).and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    })
}

impl Plan {
    /// Analyses `graph`; dangling edges (refused by validation) are ignored.
    pub(crate) fn new(
        graph: &FlowGraph,
        adapters: &HashMap<&'static str, Arc<dyn Adapter>>,
    ) -> Self {
        let node_count = graph.nodes.len();
        let mut by_id: HashMap<String, NodeIndex> = HashMap::with_capacity(node_count);
        let mut nodes = IndexVec::default();
        for node in &graph.nodes {
            let (exec, adapter) = exec_for(&node.node_type, &node.data, adapters);
            let action_id = node
                .data
                .get("actionId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut limit_keys = vec![node.node_type.clone()];
            if let Some(name) = adapter.clone().filter(|name| *name != node.node_type) {
                limit_keys.push(name);
            }
            let is_utility = node.node_type == "utility";
            // The service adapter reads `timeoutMs` (per attempt) and `retries` (429/5xx and
            // connection errors only) itself; the generic ones would stack on top of it and
            // retry a 404 or cut its backoff short.
            let owns_retries = adapter.as_deref() == Some("service");
            let index = nodes.push(NodeSpec {
                id: node.id.clone(),
                node_type: node.node_type.clone(),
                is_set_variable: is_utility && action_id == "set-variable",
                is_merge: is_utility && action_id == "merge",
                action_id,
                exec,
                limit_keys,
                timeout_ms: u64_field(&node.data, "timeoutMs").filter(|t| *t > 0 && !owns_retries),
                retries: u64_field(&node.data, "retries")
                    .filter(|_| !owns_retries)
                    .map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX)),
                retry_delay_ms: u64_field(&node.data, "retryDelayMs").unwrap_or(0),
                max_iterations: u64_field(&node.data, "maxIterations")
                    .filter(|m| *m >= 1)
                    .map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
                has_templates: node.data.values().any(has_template),
            });
            by_id.entry(node.id.clone()).or_insert(index);
        }
        let mut edges: IndexVec<EdgeIndex, EdgeSpec> = IndexVec::default();
        let mut out_edges = IndexVec::filled(Vec::new(), node_count);
        for edge in &graph.edges {
            let (Some(&source), Some(&target)) = (by_id.get(&edge.source), by_id.get(&edge.target))
            else {
                continue;
            };
            let index = edges.push(EdgeSpec {
                source,
                target,
                outcome: edge.outcome,
                condition: edge.condition.clone().filter(|c| !c.trim().is_empty()),
                back: false,
                exit_of: None,
            });
            out_edges[source].push(index);
        }
        mark_back_edges(&out_edges, &mut edges);
        let mut forward_in_edges = IndexVec::filled(Vec::new(), node_count);
        for (index, edge) in edges.iter_enumerated() {
            if !edge.back {
                forward_in_edges[edge.target].push(index);
            }
        }
        let topological_position = topological_positions(&out_edges, &forward_in_edges, &edges);
        let scc_of = cyclic_components(&out_edges, &edges);

        // Groups: sub-flows first (they win for nodes in both), then loops.
        let mut groups: IndexVec<GroupIndex, Group> = IndexVec::default();
        let mut group_of: IndexVec<NodeIndex, Option<GroupIndex>> =
            IndexVec::filled(None, node_count);
        for subflow in &graph.subflows {
            let members: Vec<NodeIndex> = subflow
                .node_ids
                .iter()
                .filter_map(|id| by_id.get(id).copied())
                .filter(|&member| group_of[member].is_none())
                .collect();
            if members.is_empty() {
                continue;
            }
            let group = groups.push(Group {
                id: subflow.id.clone(),
                kind: GroupKind::SubFlow {
                    retry: subflow.retry.unwrap_or(0),
                },
                members,
                entry_edges: Vec::new(),
            });
            for &member in &groups[group].members {
                group_of[member] = Some(group);
            }
        }
        let mut loop_of_component: HashMap<usize, GroupIndex> = HashMap::new();
        for (node, component) in scc_of.iter_enumerated() {
            let Some(component) = component else { continue };
            if group_of[node].is_some() {
                continue;
            }
            let group = *loop_of_component.entry(*component).or_insert_with(|| {
                groups.push(Group {
                    id: format!("loop at {}", nodes[node].id),
                    kind: GroupKind::Loop,
                    members: Vec::new(),
                    entry_edges: Vec::new(),
                })
            });
            groups[group].members.push(node);
            group_of[node] = Some(group);
        }
        for (index, edge) in edges.iter_enumerated_mut() {
            if edge.back {
                continue;
            }
            let (source_group, target_group) = (group_of[edge.source], group_of[edge.target]);
            if let Some(group) = source_group.filter(|g| target_group != Some(*g)) {
                edge.exit_of = Some(group);
            }
            if let Some(group) = target_group.filter(|g| source_group != Some(*g)) {
                groups[group].entry_edges.push(index);
            }
        }
        Self {
            nodes,
            data: graph.nodes.iter().map(|n| n.data.clone()).collect(),
            edges,
            out_edges,
            forward_in_edges,
            topological_position,
            groups,
            group_of,
            scc_of,
        }
    }

    /// The members of `head`'s cycle reachable from it over forward edges: what re-runs when a
    /// back-edge re-enters `head`.
    pub(crate) fn loop_body(&self, head: NodeIndex) -> Vec<NodeIndex> {
        let Some(component) = self.scc_of[head] else {
            return vec![head];
        };
        let mut seen = IndexVec::filled(false, self.nodes.len());
        let mut stack = vec![head];
        let mut body = Vec::new();
        seen[head] = true;
        while let Some(node) = stack.pop() {
            body.push(node);
            for &edge in &self.out_edges[node] {
                let target = self.edges[edge].target;
                if !self.edges[edge].back && !seen[target] && self.scc_of[target] == Some(component)
                {
                    seen[target] = true;
                    stack.push(target);
                }
            }
        }
        body
    }

    /// Every member of `node`'s cycle.
    pub(crate) fn scc_members(&self, node: NodeIndex) -> Vec<NodeIndex> {
        match self.scc_of[node] {
            Some(component) => self
                .nodes
                .indices()
                .filter(|&member| self.scc_of[member] == Some(component))
                .collect(),
            None => vec![node],
        }
    }
}

/// Where a depth-first search has got to with a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    Unvisited,
    OnStack,
    Done,
}

/// Iterative DFS in document order; an edge into a node on the stack is a back-edge.
fn mark_back_edges(
    out_edges: &IndexVec<NodeIndex, Vec<EdgeIndex>>,
    edges: &mut IndexVec<EdgeIndex, EdgeSpec>,
) {
    let mut visit = IndexVec::filled(Visit::Unvisited, out_edges.len());
    for root in out_edges.indices() {
        if visit[root] != Visit::Unvisited {
            continue;
        }
        // (node, how many of its out-edges were followed)
        let mut stack: Vec<(NodeIndex, usize)> = vec![(root, 0)];
        visit[root] = Visit::OnStack;
        while let Some(&mut (node, ref mut followed)) = stack.last_mut() {
            if let Some(&edge) = out_edges[node].get(*followed) {
                *followed += 1;
                let target = edges[edge].target;
                match visit[target] {
                    Visit::Unvisited => {
                        visit[target] = Visit::OnStack;
                        stack.push((target, 0));
                    }
                    Visit::OnStack => edges[edge].back = true,
                    Visit::Done => {}
                }
            } else {
                visit[node] = Visit::Done;
                stack.pop();
            }
        }
    }
}

/// Kahn's algorithm over forward edges, smallest document index first.
fn topological_positions(
    out_edges: &IndexVec<NodeIndex, Vec<EdgeIndex>>,
    forward_in_edges: &IndexVec<NodeIndex, Vec<EdgeIndex>>,
    edges: &IndexVec<EdgeIndex, EdgeSpec>,
) -> IndexVec<NodeIndex, usize> {
    let mut indegree: IndexVec<NodeIndex, usize> = forward_in_edges.iter().map(Vec::len).collect();
    let mut heap: BinaryHeap<Reverse<NodeIndex>> = indegree
        .iter_enumerated()
        .filter(|(_, degree)| **degree == 0)
        .map(|(node, _)| Reverse(node))
        .collect();
    let mut position = IndexVec::filled(usize::MAX, out_edges.len());
    let mut next = 0;
    while let Some(Reverse(node)) = heap.pop() {
        position[node] = next;
        next += 1;
        for &edge in &out_edges[node] {
            if edges[edge].back {
                continue;
            }
            let target = edges[edge].target;
            indegree[target] -= 1;
            if indegree[target] == 0 {
                heap.push(Reverse(target));
            }
        }
    }
    position
}

/// Kosaraju's algorithm, iteratively; only components that are actual cycles get an id.
fn cyclic_components(
    out_edges: &IndexVec<NodeIndex, Vec<EdgeIndex>>,
    edges: &IndexVec<EdgeIndex, EdgeSpec>,
) -> IndexVec<NodeIndex, Option<usize>> {
    let node_count = out_edges.len();
    if !edges.iter().any(|e| e.back) {
        return IndexVec::filled(None, node_count);
    }
    let mut visited = IndexVec::filled(false, node_count);
    let mut finish_order = Vec::with_capacity(node_count);
    for root in out_edges.indices() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (node, ref mut followed)) = stack.last_mut() {
            if let Some(&edge) = out_edges[node].get(*followed) {
                *followed += 1;
                let target = edges[edge].target;
                if !visited[target] {
                    visited[target] = true;
                    stack.push((target, 0));
                }
            } else {
                finish_order.push(node);
                stack.pop();
            }
        }
    }
    let mut sources: IndexVec<NodeIndex, Vec<NodeIndex>> = IndexVec::filled(Vec::new(), node_count);
    for edge in edges.iter() {
        sources[edge.target].push(edge.source);
    }
    let mut component: IndexVec<NodeIndex, Option<usize>> = IndexVec::filled(None, node_count);
    let mut count = 0;
    for &root in finish_order.iter().rev() {
        if component[root].is_some() {
            continue;
        }
        let mut stack = vec![root];
        component[root] = Some(count);
        while let Some(node) = stack.pop() {
            for &source in &sources[node] {
                if component[source].is_none() {
                    component[source] = Some(count);
                    stack.push(source);
                }
            }
        }
        count += 1;
    }
    let mut size = vec![0usize; count];
    for id in component.iter().flatten() {
        size[*id] += 1;
    }
    let mut self_loop = IndexVec::filled(false, node_count);
    for edge in edges.iter() {
        if edge.source == edge.target {
            self_loop[edge.source] = true;
        }
    }
    component
        .iter_enumerated()
        .map(|(node, id)| id.filter(|id| size[*id] > 1 || self_loop[node]))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::index::Idx;
    use super::*;

    fn plan(graph: serde_json::Value) -> Plan {
        let graph: FlowGraph = serde_json::from_value(graph).unwrap();
        let adapters = crate::engine::adapters::builtin()
            .into_iter()
            .map(|a| (a.name(), a))
            .collect();
        Plan::new(&graph, &adapters)
    }

    #[test]
    fn finds_back_edges_loops_and_topological_order() {
        let p = plan(json!({
            "name": "L",
            "nodes": [
                {"id": "a", "type": "utility"}, {"id": "check", "type": "utility"},
                {"id": "fix", "type": "utility", "data": {"maxIterations": 3}},
                {"id": "done", "type": "utility"}
            ],
            "edges": [
                {"source": "a", "target": "check"},
                {"source": "check", "target": "fix", "outcome": "fail"},
                {"source": "fix", "target": "check"},
                {"source": "check", "target": "done", "outcome": "pass"}
            ]
        }));
        assert!(p.edges[EdgeIndex::new(2)].back);
        assert!(!p.edges[EdgeIndex::new(1)].back);
        assert_eq!(p.topological_position, IndexVec::from_iter([0, 1, 2, 3]));
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.groups[GroupIndex::new(0)].kind, GroupKind::Loop);
        assert_eq!(p.edges[EdgeIndex::new(3)].exit_of, Some(GroupIndex::new(0)));
        let mut body = p.loop_body(NodeIndex::new(1));
        body.sort_unstable();
        assert_eq!(body, vec![NodeIndex::new(1), NodeIndex::new(2)]);
        assert_eq!(p.nodes[NodeIndex::new(2)].max_iterations, Some(3));
    }
}
