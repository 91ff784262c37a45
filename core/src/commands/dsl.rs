//! Flow DSL commands: text to graph and back, and pre-run validation.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

pub use crate::engine::validation_context;
use crate::flows::{FlowGraph, ValidationReport};
use crate::{App, AppError};

pub async fn dsl_parse(_app: &App, source: String) -> Result<FlowGraph, AppError> {
    crate::flows::dsl::parse(&source).map_err(|err| AppError::InvalidInput(err.to_string()))
}

pub async fn dsl_serialize(_app: &App, graph: FlowGraph) -> Result<String, AppError> {
    Ok(crate::flows::dsl::serialize(&graph))
}

pub async fn flow_validate(app: &App, graph: FlowGraph) -> Result<ValidationReport, AppError> {
    let installed = crate::commands::nodes_installed(app).await?;
    let ctx = validation_context(app).await?;
    Ok(crate::flows::validate::validate(&graph, &installed, &ctx))
}
