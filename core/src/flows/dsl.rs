//! The Flow DSL: text to [`FlowGraph`] and back.

use super::graph::FlowGraph;

/// A parse failure: where (1-based line and column) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct DslError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What was expected and what was found.
    pub message: String,
}

/// Parses DSL text into a graph.
pub fn parse(source: &str) -> Result<FlowGraph, DslError> {
    let _ = source;
    Err(DslError {
        line: 1,
        column: 1,
        message: "the DSL parser is not written yet".to_owned(),
    })
}

/// Writes a graph as canonical DSL text.
pub fn serialize(graph: &FlowGraph) -> String {
    format!("flow {:?} v{}\n", graph.name, graph.version)
}
