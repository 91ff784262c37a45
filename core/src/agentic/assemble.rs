//! From a model's answer to a flow: reading the answer, turning its steps into nodes of their
//! catalog types, and putting them where the agentic node stood.
//!
//! The generated steps run in order on success (`pass` edges). The agentic node's incoming
//! edges move to the first step and its outgoing edges to the last, and the node itself stays,
//! edgeless, in monitor mode: it watches the runs of what it generated. Steps are pinned to the
//! workspace (`cwd` for commands, `workspaceRoot` for file operations, `workspace` for an agentic
//! `ai` step), whatever the model wrote.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::AppError;
use crate::flows::monitor::MONITOR_MODE;
use crate::flows::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position};
use crate::nodes::CatalogEntry;

/// One step of an answer: its catalog slug, label and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The catalog entry's slug.
    pub node: String,
    /// Display label.
    pub label: String,
    /// Its fields as the model wrote them.
    pub fields: Map<String, Value>,
}

/// A whole answer: the flow's name and its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// What the model called the flow.
    pub name: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Reads a generation's answer (the JSON the flow schema describes).
pub fn parse_answer(text: &str) -> Result<Answer, AppError> {
    let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
        AppError::Unavailable(format!(
            "the model's answer is not a flow ({e}); it may have been cut off"
        ))
    })?;
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Generated flow")
        .trim()
        .to_owned();
    let steps = value
        .get("steps")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::Unavailable("the model's answer has no steps".into()))?;
    let steps = steps
        .iter()
        .map(step_of)
        .collect::<Result<Vec<_>, AppError>>()?;
    if steps.is_empty() {
        return Err(AppError::Unavailable(
            "the model's answer has no steps".into(),
        ));
    }
    Ok(Answer { name, steps })
}

/// Reads a surgical fix's answer: one step (the JSON a step schema describes).
pub fn parse_step(text: &str) -> Result<Step, AppError> {
    let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
        AppError::Unavailable(format!(
            "the model's answer is not a step ({e}); it may have been cut off"
        ))
    })?;
    step_of(&value)
}

fn step_of(step: &Value) -> Result<Step, AppError> {
    let mut fields = step.as_object().cloned().unwrap_or_default();
    let node = take_string(&mut fields, "node").ok_or_else(|| {
        AppError::Unavailable("a step of the model's answer names no node type".into())
    })?;
    let label = take_string(&mut fields, "label").unwrap_or_else(|| node.clone());
    Ok(Step {
        node,
        label,
        fields,
    })
}

/// A node with a fix's fields written over its own: what says what the node is (identity)
/// and where it works (pinned to the workspace) stays as it was.
pub fn fixed_node(node: &FlowNode, entry: &CatalogEntry, step: &Step) -> FlowNode {
    let mut fixed = node.clone();
    for (key, value) in &step.fields {
        if !entry.identity.contains_key(key) && !super::schema::is_pinned(key) {
            fixed.data.insert(key.clone(), value.clone());
        }
    }
    if !step.label.is_empty() {
        fixed.label = step.label.clone();
    }
    fixed
}

/// A node as the model is shown it for a fix: `{node: <slug>, label, <writable fields>}`.
pub fn step_view(node: &FlowNode, entry: &CatalogEntry) -> Value {
    let mut view = Map::new();
    view.insert("node".into(), Value::String(entry.slug.clone()));
    view.insert("label".into(), Value::String(node.label.clone()));
    for (key, value) in &node.data {
        if !entry.identity.contains_key(key) && !super::schema::is_pinned(key) {
            view.insert(key.clone(), value.clone());
        }
    }
    Value::Object(view)
}

fn take_string(fields: &mut Map<String, Value>, key: &str) -> Option<String> {
    match fields.remove(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// The steps as nodes of their catalog types, chained on `pass`, with ids not in `taken`.
pub fn steps_graph(
    answer: &Answer,
    entries: &[CatalogEntry],
    workspace: &Path,
    taken: &HashSet<String>,
) -> Result<FlowGraph, AppError> {
    let mut graph = FlowGraph::new(if answer.name.is_empty() {
        "Generated flow"
    } else {
        &answer.name
    });
    let mut used = taken.clone();
    for (i, step) in answer.steps.iter().enumerate() {
        let entry = entries
            .iter()
            .find(|e| e.slug == step.node)
            .ok_or_else(|| {
                AppError::Unavailable(format!(
                    "the model used `{}`, which is not an installed node type",
                    step.node
                ))
            })?;
        let id = unique_id(&step.label, i, &mut used);
        let mut data = entry.defaults.clone();
        data.extend(entry.identity.clone());
        for (key, value) in &step.fields {
            // Identity fields say what the node is; the model may not change them.
            if !entry.identity.contains_key(key) {
                data.insert(key.clone(), value.clone());
            }
        }
        pin_to_workspace(entry, &mut data, workspace);
        graph.nodes.push(FlowNode {
            id,
            node_type: entry.node_type.clone(),
            label: step.label.clone(),
            data,
            position: Position::default(),
        });
    }
    graph.edges = graph
        .nodes
        .windows(2)
        .map(|pair| FlowEdge {
            source: pair[0].id.clone(),
            target: pair[1].id.clone(),
            outcome: EdgeOutcome::Pass,
            label: None,
            condition: None,
        })
        .collect();
    Ok(graph)
}

/// Commands run in the workspace and file operations are jailed to it.
fn pin_to_workspace(entry: &CatalogEntry, data: &mut Map<String, Value>, workspace: &Path) {
    let declares = |field: &str| {
        entry
            .schema
            .get("properties")
            .and_then(|p| p.get(field))
            .is_some()
    };
    let root = Value::String(workspace.display().to_string());
    if declares("cwd") {
        data.insert("cwd".into(), root.clone());
    }
    // An agentic `ai` step's tools are confined to the same workspace.
    if declares("workspace") && data.get("mode").and_then(Value::as_str) == Some("agentic") {
        data.insert("workspace".into(), root.clone());
    }
    if data.get("adapter").and_then(Value::as_str) == Some("fs") {
        data.insert("workspaceRoot".into(), root);
    }
}

/// A node id from a label (`run-tests`), unique against `used`, which it joins.
fn unique_id(label: &str, index: usize, used: &mut HashSet<String>) -> String {
    let base = crate::slug::slugify(label);
    let base = if base.is_empty() {
        format!("step-{}", index + 1)
    } else {
        base.chars().take(40).collect()
    };
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

/// `flow` with `generated` in place of the agentic node `agentic_id`, which stays, edgeless,
/// in monitor mode; sub-flow membership is inherited.
pub fn merge(flow: &FlowGraph, agentic_id: &str, generated: &FlowGraph) -> FlowGraph {
    let mut merged = flow.clone();
    let (Some(first), Some(last)) = (generated.nodes.first(), generated.nodes.last()) else {
        return merged;
    };
    let origin = flow
        .node(agentic_id)
        .map(|n| n.position)
        .unwrap_or_default();
    let mut edges = Vec::with_capacity(flow.edges.len() + generated.edges.len());
    for edge in &flow.edges {
        let mut edge = edge.clone();
        match (edge.source == agentic_id, edge.target == agentic_id) {
            (true, true) => continue,
            (false, true) => edge.target = first.id.clone(),
            (true, false) => edge.source = last.id.clone(),
            (false, false) => {}
        }
        edges.push(edge);
    }
    edges.extend(generated.edges.iter().cloned());
    merged.edges = edges;

    let at = merged
        .nodes
        .iter()
        .position(|n| n.id == agentic_id)
        .map_or(merged.nodes.len(), |i| i + 1);
    let placed = generated.nodes.iter().enumerate().map(|(i, node)| {
        let mut node = node.clone();
        node.position = Position {
            x: origin.x + 240.0 * (i as f64 + 1.0),
            y: origin.y + 120.0,
        };
        node
    });
    merged.nodes.splice(at..at, placed);
    if let Some(agentic) = merged.nodes.iter_mut().find(|n| n.id == agentic_id) {
        agentic
            .data
            .insert("mode".into(), Value::String(MONITOR_MODE.into()));
    }
    for subflow in &mut merged.subflows {
        if let Some(i) = subflow.node_ids.iter().position(|m| m == agentic_id) {
            let members = generated.nodes.iter().map(|n| n.id.clone());
            subflow.node_ids.splice(i + 1..i + 1, members);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::dsl;
    use crate::flows::monitor::is_monitor;

    fn entries() -> Vec<CatalogEntry> {
        crate::nodes::builtin_entries().to_vec()
    }

    const ANSWER: &str = r#"{"name": "Test it", "steps": [
        {"node": "shell-run-command", "label": "Run tests", "command": "npm test", "adapter": "fs"},
        {"node": "fs-read-file", "label": "Run tests", "path": "report.txt"}
    ]}"#;

    #[test]
    fn steps_become_catalog_nodes_pinned_to_the_workspace() {
        let answer = parse_answer(ANSWER).unwrap();
        let taken = HashSet::from(["run-tests".to_owned()]);
        let graph = steps_graph(&answer, &entries(), Path::new("/work/app"), &taken).unwrap();
        let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["run-tests-2", "run-tests-3"]);
        let shell = &graph.nodes[0];
        assert_eq!(shell.node_type, "action");
        assert_eq!(
            shell.data["adapter"], "shell",
            "identity wins over the model"
        );
        assert_eq!(shell.data["command"], "npm test");
        assert_eq!(shell.data["cwd"], "/work/app");
        assert_eq!(shell.data["timeoutMs"], 60000, "catalog defaults kept");
        assert_eq!(graph.nodes[1].data["workspaceRoot"], "/work/app");
        assert_eq!(graph.edges.len(), 1);
        assert_eq!(graph.edges[0].outcome, EdgeOutcome::Pass);
    }

    #[test]
    fn an_unknown_type_or_a_broken_answer_is_refused() {
        let answer = parse_answer(r#"{"name":"x","steps":[{"node":"quantum"}]}"#).unwrap();
        let err = steps_graph(&answer, &entries(), Path::new("/w"), &HashSet::new()).unwrap_err();
        assert!(err.to_string().contains("`quantum`"), "{err}");
        assert!(parse_answer(r#"{"name":"x","steps":[]}"#).is_err());
        assert!(parse_answer(r#"{"name":"x","steps":[{"lab"#).is_err());
    }

    #[test]
    fn the_generated_steps_take_the_agentic_nodes_place() {
        let flow = dsl::parse(
            "flow \"F\"\nstart[utility: \"Start\"]\nagent[agentic: \"Agent\"] {\n  request: \"x\"\n}\nend[utility: \"End\"]\nsubflow unit[\"U\"] {\n  agent\n}\nstart --> agent\nagent.pass --> end\n",
        )
        .unwrap();
        let answer = parse_answer(ANSWER).unwrap();
        let taken = flow.nodes.iter().map(|n| n.id.clone()).collect();
        let generated = steps_graph(&answer, &entries(), Path::new("/w"), &taken).unwrap();
        let merged = merge(&flow, "agent", &generated);
        let edges: Vec<(String, String, EdgeOutcome)> = merged
            .edges
            .iter()
            .map(|e| (e.source.clone(), e.target.clone(), e.outcome))
            .collect();
        assert_eq!(
            edges,
            [
                ("start".into(), "run-tests".into(), EdgeOutcome::Always),
                ("run-tests-2".into(), "end".into(), EdgeOutcome::Pass),
                ("run-tests".into(), "run-tests-2".into(), EdgeOutcome::Pass),
            ]
        );
        let agent = merged.node("agent").unwrap();
        assert!(is_monitor(agent));
        let order: Vec<&str> = merged.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(order, ["start", "agent", "run-tests", "run-tests-2", "end"]);
        assert_eq!(
            merged.subflows[0].node_ids,
            ["agent", "run-tests", "run-tests-2"]
        );
        // The original is untouched.
        assert!(!is_monitor(flow.node("agent").unwrap()));
    }
}
