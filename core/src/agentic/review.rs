//! A person's decision on a proposal: accepting saves the flow with it (a new revision, so it
//! can be reverted from the flow's history), rejecting changes nothing. Both are audited.

use serde_json::json;

use super::audit::NewRecord;
use super::types::{
    AgenticEvent, AgenticEventKind, AuditKind, Proposal, ProposalKind, ProposalStatus,
};
use crate::flows::{FlowDocument, SaveFlowInput};
use crate::{App, AppError, FlowEvent};

/// Accepts a pending proposal: the flow is saved with it, unless it changed since the proposal
/// was made (a conflict; the proposal stays pending).
pub async fn accept(app: &App, proposal_id: &str) -> Result<FlowDocument, AppError> {
    if app.agentic().proposals().get(proposal_id)?.kind == ProposalKind::Fix {
        // A fix belongs to a waiting run: accepting it also lets the run re-run the node.
        let interception =
            super::decisions::decide(app, proposal_id, super::types::InterceptDecision::Accept)
                .await?;
        return app.flows().get(interception.flow_slug).await;
    }
    let (proposal, doc) = save_accepted(
        app,
        proposal_id,
        "the flow changed since this proposal was made",
        "generate again",
    )
    .await?;
    resolved(app, &proposal, true, Some(doc.revision)).await?;
    app.agentic()
        .audit()
        .append(
            AuditKind::AgentEditApplied,
            record(
                &proposal,
                format!(
                    "applied {} generated step(s) as revision {}",
                    proposal.generated.nodes.len(),
                    doc.revision
                ),
                json!({
                    "proposalId": proposal.id,
                    "revisionBefore": proposal.base_revision,
                    "revisionAfter": doc.revision,
                    "dslBefore": proposal.diff.from_dsl,
                    "dslAfter": proposal.diff.to_dsl,
                }),
            ),
        )
        .await?;
    Ok(doc)
}

/// Marks a pending proposal accepted and saves its flow as a new revision on the one it was made
/// from. A flow that moved on since is a conflict (`changed (why); what_to_do`), and the proposal
/// stays pending. Returns the proposal as it was and the saved flow.
pub(super) async fn save_accepted(
    app: &App,
    proposal_id: &str,
    changed: &str,
    what_to_do: &str,
) -> Result<(Proposal, FlowDocument), AppError> {
    let proposals = app.agentic().proposals();
    let proposal = proposals.decide(proposal_id, ProposalStatus::Accepted)?;
    let saved = app
        .flows()
        .save(SaveFlowInput {
            slug: Some(proposal.flow_slug.clone()),
            base_revision: Some(proposal.base_revision),
            collection: None,
            graph: proposal.graph.clone(),
        })
        .await;
    let doc = match saved {
        Ok(doc) => doc,
        Err(err) => {
            proposals.reopen(proposal_id);
            return Err(match err {
                AppError::Conflict(why) => {
                    AppError::Conflict(format!("{changed} ({why}); {what_to_do}"))
                }
                other => other,
            });
        }
    };
    app.publish(FlowEvent::FlowsChanged {
        slug: Some(doc.slug.clone()),
        revision: Some(doc.revision),
        change: "saved".into(),
    });
    Ok((proposal, doc))
}

/// Rejects a pending proposal; the flow stays as it is.
pub async fn reject(app: &App, proposal_id: &str) -> Result<Proposal, AppError> {
    if app.agentic().proposals().get(proposal_id)?.kind == ProposalKind::Fix {
        return Err(AppError::InvalidInput(format!(
            "`{proposal_id}` is a fix for a failed run: decide it with agentic_intercept_decide \
             (resume without the fix, or reject and stop the run)"
        )));
    }
    let mut proposal = app
        .agentic()
        .proposals()
        .decide(proposal_id, ProposalStatus::Rejected)?;
    proposal.status = ProposalStatus::Rejected;
    resolved(app, &proposal, false, None).await?;
    app.agentic()
        .audit()
        .append(
            AuditKind::AgentEditRejected,
            record(
                &proposal,
                "rejected the generated flow".into(),
                json!({"proposalId": proposal.id, "dslProposed": proposal.diff.to_dsl}),
            ),
        )
        .await?;
    Ok(proposal)
}

async fn resolved(
    app: &App,
    proposal: &Proposal,
    accepted: bool,
    revision: Option<u32>,
) -> Result<(), AppError> {
    app.publish(FlowEvent::Agentic(AgenticEvent {
        job_id: proposal.id.clone(),
        flow_slug: proposal.flow_slug.clone(),
        node_id: proposal.node_id.clone(),
        kind: AgenticEventKind::Resolved { accepted, revision },
    }));
    app.agentic()
        .audit()
        .append(
            AuditKind::AiReviewResolved,
            record(
                proposal,
                if accepted { "accepted" } else { "rejected" }.into(),
                json!({"proposalId": proposal.id, "approved": accepted}),
            ),
        )
        .await
        .map(drop)
}

fn record(proposal: &Proposal, summary: String, detail: serde_json::Value) -> NewRecord {
    NewRecord {
        flow_slug: Some(proposal.flow_slug.clone()),
        node_id: Some(proposal.node_id.clone()),
        job_id: Some(proposal.id.clone()),
        summary,
        detail,
        ..NewRecord::default()
    }
}
