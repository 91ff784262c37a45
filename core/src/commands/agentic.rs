//! Agentic commands: generate a flow for an agentic node, list and decide proposals, read the AI
//! audit log. Live progress streams as [`FlowEvent::Agentic`](crate::FlowEvent::Agentic) events.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::agentic::{
    AuditQuery, AuditRecord, GenerateOptions, InterceptDecision, InterceptionQuery,
    MonitorInterception, Proposal, decisions, generator, review,
};
use crate::flows::FlowDocument;
use crate::{App, AppError};

pub async fn agentic_generate(
    app: &App,
    slug: String,
    node_id: String,
    options: Option<GenerateOptions>,
) -> Result<Proposal, AppError> {
    generator::generate(app, slug, node_id, options.unwrap_or_default()).await
}

pub async fn agentic_proposals(app: &App, slug: Option<String>) -> Result<Vec<Proposal>, AppError> {
    Ok(app.agentic().proposals().list(slug.as_deref()))
}

pub async fn agentic_proposal(app: &App, proposal_id: String) -> Result<Proposal, AppError> {
    app.agentic().proposals().get(&proposal_id)
}

pub async fn agentic_accept(app: &App, proposal_id: String) -> Result<FlowDocument, AppError> {
    review::accept(app, &proposal_id).await
}

pub async fn agentic_reject(app: &App, proposal_id: String) -> Result<Proposal, AppError> {
    review::reject(app, &proposal_id).await
}

pub async fn agentic_audit(
    app: &App,
    query: Option<AuditQuery>,
) -> Result<Vec<AuditRecord>, AppError> {
    app.agentic().audit().list(query.unwrap_or_default()).await
}

pub async fn agentic_interceptions(
    app: &App,
    query: Option<InterceptionQuery>,
) -> Result<Vec<MonitorInterception>, AppError> {
    app.agentic()
        .interceptions()
        .list(query.unwrap_or_default())
        .await
}

pub async fn agentic_interception(
    app: &App,
    interception_id: String,
) -> Result<MonitorInterception, AppError> {
    app.agentic().interceptions().get(interception_id).await
}

pub async fn agentic_intercept_decide(
    app: &App,
    interception_id: String,
    decision: InterceptDecision,
) -> Result<MonitorInterception, AppError> {
    decisions::decide(app, &interception_id, decision).await
}

pub async fn agentic_interception_revert(
    app: &App,
    interception_id: String,
) -> Result<MonitorInterception, AppError> {
    decisions::revert(app, &interception_id).await
}
