//! Re-running a recorded run, whole or from one node.

use std::collections::{HashMap, HashSet, VecDeque};

use super::types::{RunDetail, StepStatus};
use crate::engine::{RunOptions, RunRequest, RunStarted, RunTrigger};
use crate::{App, AppError};

/// Starts `execution_id`'s graph again (trigger `rerun`); with `from_node`, the outputs of the
/// nodes that succeeded and are neither `from_node` nor downstream of it are reused.
pub(crate) async fn rerun(
    app: &App,
    execution_id: String,
    from_node: Option<String>,
) -> Result<RunStarted, AppError> {
    app.history().flush().await;
    let detail = app.history().get(execution_id).await?;
    let seed_outputs = match from_node {
        Some(node) => rerun_seeds(&detail, &node)?,
        None => HashMap::new(),
    };
    tracing::info!(
        rerun_of = %detail.run.execution_id,
        seeded = seed_outputs.len(),
        "re-running a recorded run"
    );
    app.engine()
        .start(
            app,
            RunRequest {
                graph: detail.graph,
                flow_slug: detail.run.flow_slug,
                trigger: RunTrigger::Rerun,
                options: RunOptions::default(),
                seed_outputs,
            },
        )
        .await
}

/// The outputs a re-run from `from_node` starts with: every succeeded node that `from_node`
/// cannot reach over any edge (and is not `from_node`), with its latest visit's output.
pub fn rerun_seeds(
    detail: &RunDetail,
    from_node: &str,
) -> Result<HashMap<String, serde_json::Value>, AppError> {
    let graph = &detail.graph;
    if graph.node(from_node).is_none() {
        return Err(AppError::InvalidInput(format!(
            "run {} has no node {from_node:?} to re-run from",
            detail.run.execution_id
        )));
    }
    // Everything reachable from `from_node` runs again; loops make this a graph walk, not a
    // topological cut.
    let mut downstream: HashSet<&str> = HashSet::from([from_node]);
    let mut queue = VecDeque::from([from_node]);
    while let Some(node) = queue.pop_front() {
        for edge in graph.edges.iter().filter(|e| e.source == node) {
            if downstream.insert(edge.target.as_str()) {
                queue.push_back(edge.target.as_str());
            }
        }
    }
    let mut seeds = HashMap::new();
    // Steps are in start order, so a later visit's output replaces an earlier one's.
    for step in &detail.steps {
        if step.status == StepStatus::Succeeded
            && !downstream.contains(step.node_id.as_str())
            && graph.node(&step.node_id).is_some()
        {
            seeds.insert(
                step.node_id.clone(),
                step.output.clone().unwrap_or(serde_json::Value::Null),
            );
        }
    }
    Ok(seeds)
}
