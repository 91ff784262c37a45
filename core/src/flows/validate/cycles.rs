//! Edges that point nowhere, and cycles no node bounds with `maxIterations`.

use std::collections::HashMap;

use serde_json::Value;

use super::ValidationIssue;
use crate::flows::graph::{FlowGraph, FlowNode};

pub(super) fn check(graph: &FlowGraph) -> Vec<ValidationIssue> {
    let mut issues = Vec::new();
    // First occurrence wins for duplicated ids (already reported as `duplicate-id`).
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        index.entry(node.id.as_str()).or_insert(i);
    }
    let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    let mut self_loop = vec![false; graph.nodes.len()];
    for (e, edge) in graph.edges.iter().enumerate() {
        let source = index.get(edge.source.as_str()).copied();
        let target = index.get(edge.target.as_str()).copied();
        match (source, target) {
            (Some(s), Some(t)) => {
                adjacency[s].push(t);
                if s == t {
                    self_loop[s] = true;
                }
            }
            _ => {
                let missing: Vec<&str> = [(source, &edge.source), (target, &edge.target)]
                    .into_iter()
                    .filter(|(found, _)| found.is_none())
                    .map(|(_, id)| id.as_str())
                    .collect();
                issues.push(
                    ValidationIssue::error(
                        "dangling-edge",
                        format!(
                            "Edge {} → {} points at `{}`, which is not a node in this flow",
                            edge.source,
                            edge.target,
                            missing.join("` and `")
                        ),
                    )
                    .edge(e),
                );
            }
        }
    }
    for mut component in strongly_connected(&adjacency) {
        let cyclic = component.len() > 1 || component.first().is_some_and(|&n| self_loop[n]);
        if !cyclic || component.iter().any(|&n| bounded(&graph.nodes[n])) {
            continue;
        }
        component.sort_unstable();
        let ids: Vec<&str> = component
            .iter()
            .map(|&n| graph.nodes[n].id.as_str())
            .collect();
        let message = if ids.len() == 1 {
            format!(
                "Node `{}` loops back to itself with no limit; set maxIterations on it",
                ids[0]
            )
        } else {
            format!(
                "Nodes {} form a cycle with no limit; set maxIterations on one of them",
                ids.iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        issues.push(ValidationIssue::error("unbounded-cycle", message).node(ids[0]));
    }
    issues
}

/// `data.maxIterations` is an integer ≥ 1.
fn bounded(node: &FlowNode) -> bool {
    match node.data.get("maxIterations") {
        Some(Value::Number(n)) => {
            n.as_u64().is_some_and(|v| v >= 1)
                || n.as_f64().is_some_and(|f| f.fract() == 0.0 && f >= 1.0)
        }
        _ => false,
    }
}

/// Tarjan's strongly connected components, iterative so a long chain cannot overflow the stack.
fn strongly_connected(adjacency: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let n = adjacency.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        // Each frame: (node, how many of its successors were already looked at).
        let mut frames = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(frame) = frames.last_mut() {
            let (v, child) = *frame;
            if let Some(&w) = adjacency[v].get(child) {
                frame.1 += 1;
                if index[w] == UNVISITED {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_components() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 → 3, 4 alone; plus a long chain.
        let adjacency = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![]];
        let mut comps: Vec<Vec<usize>> = strongly_connected(&adjacency)
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                c
            })
            .collect();
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3], vec![4]]);
        let chain: Vec<Vec<usize>> = (0..100_000).map(|i| vec![i + 1]).chain([vec![]]).collect();
        assert_eq!(strongly_connected(&chain).len(), 100_001);
    }
}
