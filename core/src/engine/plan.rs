//! Graph analysis done once per run: indices, forward and back edges, topological positions,
//! loop bodies and sub-flow units, and each node's execution policy.
//!
//! Back-edges are found by a depth-first search in document order (an edge into a node still on
//! the search stack closes a cycle). Every other edge is "forward": readiness counts forward
//! in-edges only, so a loop head does not wait for its own back-edge.

use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use serde_json::Value;

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
    pub source: usize,
    pub target: usize,
    pub outcome: EdgeOutcome,
    pub condition: Option<String>,
    /// Closes a cycle: taking it re-enters a loop instead of resolving the target.
    pub back: bool,
    /// Leaves this group: resolved only once the group has finished.
    pub exit_of: Option<usize>,
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
    pub members: Vec<usize>,
    /// Forward edges entering a member from outside (sub-flows open when all resolved).
    pub entry_edges: Vec<usize>,
}

/// The analysed graph.
pub(crate) struct Plan {
    pub nodes: Vec<NodeSpec>,
    /// Each node's `data` as written (templates unresolved).
    pub data: Vec<serde_json::Map<String, Value>>,
    pub edges: Vec<EdgeSpec>,
    pub out_edges: Vec<Vec<usize>>,
    /// Forward in-edges only.
    pub in_fwd: Vec<Vec<usize>>,
    /// Position in a topological order of the forward edges (document order on ties).
    pub topo_pos: Vec<usize>,
    pub groups: Vec<Group>,
    pub group_of: Vec<Option<usize>>,
    /// Strongly connected component of each node (cyclic ones only).
    pub scc_of: Vec<Option<usize>>,
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
                Exec::Unavailable(format!("{other} nodes are not available yet")),
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
        let n = graph.nodes.len();
        let mut index = HashMap::with_capacity(n);
        let mut nodes = Vec::with_capacity(n);
        for (i, node) in graph.nodes.iter().enumerate() {
            index.entry(node.id.clone()).or_insert(i);
            let (exec, adapter) = exec_for(&node.node_type, &node.data, adapters);
            let action_id = node
                .data
                .get("actionId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut limit_keys = vec![node.node_type.clone()];
            if let Some(a) = adapter.clone().filter(|a| *a != node.node_type) {
                limit_keys.push(a);
            }
            let is_utility = node.node_type == "utility";
            // The service adapter reads `timeoutMs` (per attempt) and `retries` (429/5xx and
            // connection errors only) itself; the generic ones would stack on top of it and
            // retry a 404 or cut its backoff short.
            let owns_retries = adapter.as_deref() == Some("service");
            nodes.push(NodeSpec {
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
        }
        let mut edges = Vec::with_capacity(graph.edges.len());
        let mut out_edges = vec![Vec::new(); n];
        for edge in &graph.edges {
            let (Some(&s), Some(&t)) = (index.get(&edge.source), index.get(&edge.target)) else {
                continue;
            };
            out_edges[s].push(edges.len());
            edges.push(EdgeSpec {
                source: s,
                target: t,
                outcome: edge.outcome,
                condition: edge.condition.clone().filter(|c| !c.trim().is_empty()),
                back: false,
                exit_of: None,
            });
        }
        mark_back_edges(n, &out_edges, &mut edges);
        let mut in_fwd = vec![Vec::new(); n];
        for (e, edge) in edges.iter().enumerate() {
            if !edge.back {
                in_fwd[edge.target].push(e);
            }
        }
        let topo_pos = topological_positions(n, &out_edges, &in_fwd, &edges);
        let scc_of = cyclic_components(n, &out_edges, &edges);

        // Groups: sub-flows first (they win for nodes in both), then loops.
        let mut groups = Vec::new();
        let mut group_of = vec![None; n];
        for sub in &graph.subflows {
            let members: Vec<usize> = sub
                .node_ids
                .iter()
                .filter_map(|id| index.get(id).copied())
                .filter(|&m| group_of[m].is_none())
                .collect();
            if members.is_empty() {
                continue;
            }
            for &m in &members {
                group_of[m] = Some(groups.len());
            }
            groups.push(Group {
                id: sub.id.clone(),
                kind: GroupKind::SubFlow {
                    retry: sub.retry.unwrap_or(0),
                },
                members,
                entry_edges: Vec::new(),
            });
        }
        let mut loop_group: HashMap<usize, usize> = HashMap::new();
        for (m, scc) in scc_of.iter().enumerate() {
            let Some(scc) = scc else { continue };
            if group_of[m].is_some() {
                continue;
            }
            let g = *loop_group.entry(*scc).or_insert_with(|| {
                groups.push(Group {
                    id: format!("loop at {}", nodes[m].id),
                    kind: GroupKind::Loop,
                    members: Vec::new(),
                    entry_edges: Vec::new(),
                });
                groups.len() - 1
            });
            groups[g].members.push(m);
            group_of[m] = Some(g);
        }
        for (e, edge) in edges.iter_mut().enumerate() {
            if edge.back {
                continue;
            }
            let (gs, gt) = (group_of[edge.source], group_of[edge.target]);
            if let Some(g) = gs.filter(|g| gt != Some(*g)) {
                edge.exit_of = Some(g);
            }
            if let Some(g) = gt.filter(|g| gs != Some(*g)) {
                groups[g].entry_edges.push(e);
            }
        }
        Self {
            nodes,
            data: graph.nodes.iter().map(|n| n.data.clone()).collect(),
            edges,
            out_edges,
            in_fwd,
            topo_pos,
            groups,
            group_of,
            scc_of,
        }
    }

    /// The members of `head`'s cycle reachable from it over forward edges: what re-runs when a
    /// back-edge re-enters `head`.
    pub(crate) fn loop_body(&self, head: usize) -> Vec<usize> {
        let Some(scc) = self.scc_of[head] else {
            return vec![head];
        };
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![head];
        let mut body = Vec::new();
        seen[head] = true;
        while let Some(n) = stack.pop() {
            body.push(n);
            for &e in &self.out_edges[n] {
                let t = self.edges[e].target;
                if !self.edges[e].back && !seen[t] && self.scc_of[t] == Some(scc) {
                    seen[t] = true;
                    stack.push(t);
                }
            }
        }
        body
    }

    /// Every member of `node`'s cycle.
    pub(crate) fn scc_members(&self, node: usize) -> Vec<usize> {
        match self.scc_of[node] {
            Some(scc) => (0..self.nodes.len())
                .filter(|&m| self.scc_of[m] == Some(scc))
                .collect(),
            None => vec![node],
        }
    }
}

/// Iterative DFS in document order; an edge into a node on the stack is a back-edge.
fn mark_back_edges(n: usize, out_edges: &[Vec<usize>], edges: &mut [EdgeSpec]) {
    // 0 = unvisited, 1 = on stack, 2 = done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out_edges[node].get(*next) {
                *next += 1;
                let t = edges[e].target;
                match state[t] {
                    0 => {
                        state[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => edges[e].back = true,
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

/// Kahn's algorithm over forward edges, smallest document index first.
fn topological_positions(
    n: usize,
    out_edges: &[Vec<usize>],
    in_fwd: &[Vec<usize>],
    edges: &[EdgeSpec],
) -> Vec<usize> {
    let mut indegree: Vec<usize> = in_fwd.iter().map(Vec::len).collect();
    let mut heap: BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut pos = vec![usize::MAX; n];
    let mut next = 0;
    while let Some(std::cmp::Reverse(i)) = heap.pop() {
        pos[i] = next;
        next += 1;
        for &e in &out_edges[i] {
            if edges[e].back {
                continue;
            }
            let t = edges[e].target;
            indegree[t] -= 1;
            if indegree[t] == 0 {
                heap.push(std::cmp::Reverse(t));
            }
        }
    }
    pos
}

/// Kosaraju's algorithm, iteratively; only components that are actual cycles get an id.
fn cyclic_components(n: usize, out_edges: &[Vec<usize>], edges: &[EdgeSpec]) -> Vec<Option<usize>> {
    if !edges.iter().any(|e| e.back) {
        return vec![None; n];
    }
    let mut visited = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out_edges[node].get(*next) {
                *next += 1;
                let t = edges[e].target;
                if !visited[t] {
                    visited[t] = true;
                    stack.push((t, 0));
                }
            } else {
                order.push(node);
                stack.pop();
            }
        }
    }
    let mut in_all = vec![Vec::new(); n];
    for e in edges {
        in_all[e.target].push(e.source);
    }
    let mut comp = vec![usize::MAX; n];
    let mut count = 0;
    for &root in order.iter().rev() {
        if comp[root] != usize::MAX {
            continue;
        }
        let mut stack = vec![root];
        comp[root] = count;
        while let Some(node) = stack.pop() {
            for &s in &in_all[node] {
                if comp[s] == usize::MAX {
                    comp[s] = count;
                    stack.push(s);
                }
            }
        }
        count += 1;
    }
    let mut size = vec![0usize; count];
    for &c in &comp {
        size[c] += 1;
    }
    let self_loop: Vec<bool> = {
        let mut v = vec![false; n];
        for e in edges {
            if e.source == e.target {
                v[e.source] = true;
            }
        }
        v
    };
    (0..n)
        .map(|i| (size[comp[i]] > 1 || self_loop[i]).then_some(comp[i]))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
        assert!(p.edges[2].back);
        assert!(!p.edges[1].back);
        assert_eq!(p.topo_pos, vec![0, 1, 2, 3]);
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.groups[0].kind, GroupKind::Loop);
        assert_eq!(p.edges[3].exit_of, Some(0));
        let mut body = p.loop_body(1);
        body.sort_unstable();
        assert_eq!(body, vec![1, 2]);
        assert_eq!(p.nodes[2].max_iterations, Some(3));
    }
}
