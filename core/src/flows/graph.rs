//! The flow graph: typed nodes joined by outcome-routed edges, plus named sub-flow groups.
//!
//! This is the one vocabulary shared by the DSL, the store, the validator, the executor and the
//! canvas. Node types and `data` keys are open-ended on purpose: a node of a type this build does
//! not know, or a key no catalog entry declares, is carried through every load and save untouched.

use serde::{Deserialize, Serialize};

use crate::JsonValue;

/// The version a flow gets when its document names none.
pub const DEFAULT_FLOW_VERSION: &str = "1.0.0";

/// The node types the engine knows; any other type string is kept but flagged by validation.
pub const KNOWN_NODE_TYPES: [&str; 5] = ["action", "ai", "agentic", "utility", "service"];

/// A flow: metadata, nodes, edges and sub-flow groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowGraph {
    /// Stable identifier (the slug of the name when the DSL created it).
    #[serde(default)]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Version text, kept verbatim (`"1"`, `"2.3.4"`).
    #[serde(default = "default_version")]
    pub version: String,
    /// Optional description (also part of the DSL header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Nodes, in document order.
    #[serde(default)]
    pub nodes: Vec<FlowNode>,
    /// Edges, in document order.
    #[serde(default)]
    pub edges: Vec<FlowEdge>,
    /// Named groups of member nodes that run (and retry) as a unit.
    #[serde(default)]
    pub subflows: Vec<SubFlow>,
}

fn default_version() -> String {
    DEFAULT_FLOW_VERSION.to_owned()
}

impl FlowGraph {
    /// An empty flow with this name (id = slug of the name, version 1.0.0).
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            id: crate::slug::slugify(&name),
            name,
            version: default_version(),
            description: None,
            nodes: Vec::new(),
            edges: Vec::new(),
            subflows: Vec::new(),
        }
    }

    /// The node with this id, if any.
    pub fn node(&self, id: &str) -> Option<&FlowNode> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// One node: its type picks how it executes, `data` holds catalog defaults plus user edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowNode {
    /// Unique within the flow: letters, digits, `-` and `_`.
    pub id: String,
    /// `action`, `ai`, `agentic`, `utility` or `service` (other strings are kept verbatim).
    #[serde(rename = "type")]
    pub node_type: String,
    /// Display label.
    #[serde(default)]
    pub label: String,
    /// The node's fields (adapter, actionId, command, …); any JSON, unknown keys kept.
    #[serde(default)]
    #[specta(type = std::collections::HashMap<String, JsonValue>)]
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Where the canvas draws it; not part of the DSL.
    #[serde(default)]
    pub position: Position,
}

/// A canvas position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Position {
    /// Horizontal, in canvas units.
    pub x: f64,
    /// Vertical, in canvas units.
    pub y: f64,
}

/// Which outcome of its source an edge follows.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum EdgeOutcome {
    /// Taken whatever the source's outcome.
    #[default]
    Always,
    /// Taken when the source succeeded.
    Pass,
    /// Taken when the source failed.
    Fail,
}

impl EdgeOutcome {
    /// The wire and DSL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }
}

/// A directed edge from `source` to `target`, routed on the source's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowEdge {
    /// The node the edge leaves.
    pub source: String,
    /// The node the edge enters.
    pub target: String,
    /// Which outcome of `source` takes this edge.
    #[serde(default)]
    pub outcome: EdgeOutcome,
    /// Optional display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Optional `when` condition, kept as text (e.g. `{{classify.label}} == 'retry'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A named group of member nodes that runs as a unit; members stay in [`FlowGraph::nodes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SubFlow {
    /// Unique among the flow's node and sub-flow ids.
    pub id: String,
    /// Display label.
    #[serde(default)]
    pub label: String,
    /// Member node ids, in order.
    #[serde(default)]
    pub node_ids: Vec<String>,
    /// How many times the whole unit is re-run after a failure (absent: run once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_and_data_keys_round_trip_through_json() {
        let json = serde_json::json!({
            "id": "f", "name": "F", "version": "2",
            "nodes": [{"id": "a", "type": "quantum", "label": "A",
                       "data": {"adapter": "x", "nested": {"deep": [1, {"k": null}]}},
                       "position": {"x": 1.5, "y": -2.0}}],
            "edges": [{"source": "a", "target": "a", "outcome": "fail", "condition": "x"}],
            "subflows": [{"id": "s", "label": "S", "nodeIds": ["a"], "retry": 2}]
        });
        let graph: FlowGraph = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(graph.nodes[0].node_type, "quantum");
        assert_eq!(serde_json::to_value(&graph).unwrap(), json);
    }

    #[test]
    fn missing_optional_fields_get_defaults() {
        let graph: FlowGraph = serde_json::from_value(serde_json::json!({
            "name": "Bare",
            "nodes": [{"id": "a", "type": "utility"}],
            "edges": [{"source": "a", "target": "a"}]
        }))
        .unwrap();
        assert_eq!(graph.version, DEFAULT_FLOW_VERSION);
        assert_eq!(graph.edges[0].outcome, EdgeOutcome::Always);
        assert_eq!(graph.nodes[0].position, Position::default());
    }
}
