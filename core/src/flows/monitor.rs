//! Agentic nodes in monitor mode: once an agentic node's generated flow is applied, the node
//! stays in the flow to watch its runs but is left out of what executes, its predecessors
//! bridged to its successors (`A -> agent -> B` runs as `A -> B`).

use serde_json::Value;

use super::graph::{FlowEdge, FlowGraph, FlowNode};

/// The `data.mode` of an agentic node that already generated its flow.
pub const MONITOR_MODE: &str = "monitor";

/// Whether `node` is an agentic node in monitor mode.
pub fn is_monitor(node: &FlowNode) -> bool {
    node.node_type == "agentic"
        && node.data.get("mode").and_then(Value::as_str) == Some(MONITOR_MODE)
}

/// The graph that runs: every monitor-mode agentic node removed, each of its incoming edges
/// joined to each of its outgoing ones (the incoming edge's outcome and condition decide).
pub fn executable(mut graph: FlowGraph) -> FlowGraph {
    let monitors: Vec<String> = graph
        .nodes
        .iter()
        .filter(|n| is_monitor(n))
        .map(|n| n.id.clone())
        .collect();
    for id in &monitors {
        let (touching, mut edges): (Vec<FlowEdge>, Vec<FlowEdge>) = graph
            .edges
            .into_iter()
            .partition(|e| e.source == *id || e.target == *id);
        let incoming = touching
            .iter()
            .filter(|e| e.target == *id && e.source != *id);
        for into in incoming {
            for out in touching
                .iter()
                .filter(|e| e.source == *id && e.target != *id)
            {
                edges.push(FlowEdge {
                    source: into.source.clone(),
                    target: out.target.clone(),
                    outcome: into.outcome,
                    label: into.label.clone(),
                    condition: into.condition.clone(),
                });
            }
        }
        graph.edges = edges;
        graph.nodes.retain(|n| n.id != *id);
        for subflow in &mut graph.subflows {
            subflow.node_ids.retain(|m| m != id);
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::dsl;

    #[test]
    fn a_monitor_is_bridged_out_and_a_generator_stays() {
        let graph = dsl::parse(
            "flow \"F\"\na[utility: \"A\"]\nagent[agentic: \"Agent\"] {\n  mode: \"monitor\"\n}\nb[utility: \"B\"]\nc[utility: \"C\"]\nsubflow u[\"U\"] {\n  agent, b\n}\na.fail --> agent\nagent --> b\nagent --> c\n",
        )
        .unwrap();
        let run = executable(graph);
        let ids: Vec<&str> = run.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let edges: Vec<String> = run
            .edges
            .iter()
            .map(|e| format!("{}.{}->{}", e.source, e.outcome.as_str(), e.target))
            .collect();
        assert_eq!(edges, ["a.fail->b", "a.fail->c"]);
        assert_eq!(run.subflows[0].node_ids, ["b"]);

        let generator =
            dsl::parse("flow \"G\"\nagent[agentic: \"Agent\"] {\n  request: \"x\"\n}\n").unwrap();
        assert_eq!(executable(generator.clone()), generator);
    }
}
