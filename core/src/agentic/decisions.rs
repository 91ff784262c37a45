//! Decisions on interceptions: accept the fix (the flow is saved with it as a new revision and
//! the waiting run re-runs the node), resume without it (the failure stands), or reject (the run
//! stops); and reverting an applied fix later. Each decision is audited and published.

use serde_json::json;

use super::audit::NewRecord;
use super::generator::Job;
use super::types::{
    AgenticEventKind, AuditKind, InterceptDecision, InterceptionStatus, MonitorInterception,
    ProposalStatus,
};
use crate::engine::Verdict;
use crate::{App, AppError, FlowEvent};

/// Carries out a decision on a waiting interception and hands the verdict to its run.
pub async fn decide(
    app: &App,
    interception_id: &str,
    decision: InterceptDecision,
) -> Result<MonitorInterception, AppError> {
    let store = app.agentic().interceptions();
    let mut interception = store.get(interception_id.to_owned()).await?;
    if !store.is_waiting(interception_id) {
        return Err(AppError::Conflict(format!(
            "interception `{interception_id}` is {}, not waiting for a decision",
            status_word(interception.status)
        )));
    }
    let verdict = match decision {
        InterceptDecision::Accept => {
            let data = apply_fix(app, &mut interception).await?;
            Verdict::Retry { data }
        }
        InterceptDecision::Resume => {
            decline_fix(app, &interception);
            interception.status = InterceptionStatus::Resumed;
            Verdict::Resume
        }
        InterceptDecision::Reject => {
            decline_fix(app, &interception);
            interception.status = InterceptionStatus::Stopped;
            Verdict::Stop
        }
    };
    interception.resolved_at = Some(now());
    store.put(&interception).await?;
    audit_decision(app, &interception, decision).await?;
    publish(app, &interception);
    app.publish(job(&interception).event(AgenticEventKind::Resolved {
        accepted: decision == InterceptDecision::Accept,
        revision: interception.revision_after,
    }));
    store.answer(interception_id, verdict)?;
    Ok(interception)
}

/// Saves the fix's flow as a new revision; returns the fixed node's fields for the re-run.
async fn apply_fix(
    app: &App,
    interception: &mut MonitorInterception,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let proposal_id = interception.proposal_id.clone().ok_or_else(|| {
        AppError::Conflict(match &interception.fix_error {
            Some(why) => format!("there is no fix to accept ({why}); resume or reject"),
            None => "the model is still planning the fix; wait for it, or resume or reject".into(),
        })
    })?;
    let (proposal, doc) = super::review::save_accepted(
        app,
        &proposal_id,
        "the flow changed since the fix was planned",
        "resume or reject",
    )
    .await?;
    let data = doc
        .graph
        .node(&interception.node_id)
        .map(|n| n.data.clone())
        .ok_or_else(|| {
            AppError::Internal(format!("the fixed flow lost `{}`", interception.node_id))
        })?;
    interception.status = InterceptionStatus::Fixed;
    interception.revision_before = Some(proposal.base_revision);
    interception.revision_after = Some(doc.revision);
    interception.dsl_before = Some(proposal.diff.from_dsl.clone());
    interception.dsl_after = Some(proposal.diff.to_dsl.clone());
    Ok(data)
}

/// Marks the interception's fix proposal (if any, still pending) rejected.
fn decline_fix(app: &App, interception: &MonitorInterception) {
    if let Some(id) = &interception.proposal_id
        && let Err(err) = app
            .agentic()
            .proposals()
            .decide(id, ProposalStatus::Rejected)
    {
        tracing::debug!(%err, "declining a fix that was already decided");
    }
}

/// Puts the flow back as it was before an applied fix (a new revision with the old graph), if
/// nothing changed it since.
pub async fn revert(app: &App, interception_id: &str) -> Result<MonitorInterception, AppError> {
    let store = app.agentic().interceptions();
    let mut interception = store.get(interception_id.to_owned()).await?;
    let (Some(before), Some(after), InterceptionStatus::Fixed) = (
        interception.revision_before,
        interception.revision_after,
        interception.status,
    ) else {
        return Err(AppError::Conflict(format!(
            "interception `{interception_id}` is {}: only an applied fix can be reverted",
            status_word(interception.status)
        )));
    };
    let current = app.flows().get(interception.flow_slug.clone()).await?;
    if current.revision != after {
        return Err(AppError::Conflict(format!(
            "the flow is at revision {} now, not the fix's {after}; restore revision {before} from its history instead",
            current.revision
        )));
    }
    let doc = app
        .flows()
        .restore(interception.flow_slug.clone(), before, after)
        .await?;
    app.publish(FlowEvent::FlowsChanged {
        slug: Some(doc.slug.clone()),
        revision: Some(doc.revision),
        change: "saved".into(),
    });
    interception.status = InterceptionStatus::Reverted;
    store.put(&interception).await?;
    app.agentic()
        .audit()
        .append(
            AuditKind::AgentEditRejected,
            record(
                &interception,
                format!(
                    "reverted the fix of {} (revision {after} → {})",
                    interception.node_id, doc.revision
                ),
                json!({
                    "interceptionId": interception.id,
                    "reverted": true,
                    "revisionBefore": after,
                    "revisionAfter": doc.revision,
                }),
            ),
        )
        .await?;
    publish(app, &interception);
    Ok(interception)
}

async fn audit_decision(
    app: &App,
    interception: &MonitorInterception,
    decision: InterceptDecision,
) -> Result<(), AppError> {
    let audit = app.agentic().audit();
    let accepted = decision == InterceptDecision::Accept;
    if interception.proposal_id.is_some() {
        audit
            .append(
                AuditKind::AiReviewResolved,
                record(
                    interception,
                    format!("{decision:?} on the fix of {}", interception.node_id).to_lowercase(),
                    json!({"interceptionId": interception.id, "approved": accepted, "decision": decision}),
                ),
            )
            .await?;
    }
    let (kind, summary) = match decision {
        InterceptDecision::Accept => (
            AuditKind::AgentEditApplied,
            format!(
                "applied the fix of {} as revision {}",
                interception.node_id,
                interception.revision_after.unwrap_or_default()
            ),
        ),
        InterceptDecision::Resume => (
            AuditKind::AgentEditRejected,
            format!("resumed without fixing {}", interception.node_id),
        ),
        InterceptDecision::Reject => (
            AuditKind::AgentEditRejected,
            format!(
                "rejected the fix of {} and stopped the run",
                interception.node_id
            ),
        ),
    };
    audit
        .append(
            kind,
            record(
                interception,
                summary,
                json!({
                    "interceptionId": interception.id,
                    "decision": decision,
                    "revisionBefore": interception.revision_before,
                    "revisionAfter": interception.revision_after,
                    "dslBefore": interception.dsl_before,
                    "dslAfter": interception.dsl_after,
                }),
            ),
        )
        .await
        .map(drop)
}

/// The audit record of an interception's step.
pub(super) fn record(
    interception: &MonitorInterception,
    summary: String,
    detail: serde_json::Value,
) -> NewRecord {
    NewRecord {
        flow_slug: Some(interception.flow_slug.clone()),
        execution_id: Some(interception.execution_id.clone()),
        node_id: Some(interception.node_id.clone()),
        job_id: Some(interception.id.clone()),
        summary,
        detail,
    }
}

/// The job an interception's events belong to.
pub(super) fn job(interception: &MonitorInterception) -> Job {
    Job {
        id: interception.id.clone(),
        flow_slug: interception.flow_slug.clone(),
        node_id: interception.node_id.clone(),
    }
}

/// Publishes the interception as it stands.
pub(super) fn publish(app: &App, interception: &MonitorInterception) {
    app.publish(job(interception).event(AgenticEventKind::Interception {
        interception: Box::new(interception.clone()),
    }));
}

/// Now, as the records stamp it.
pub(super) fn now() -> String {
    crate::timestamp::rfc3339(std::time::SystemTime::now())
}

fn status_word(status: InterceptionStatus) -> &'static str {
    match status {
        InterceptionStatus::Planning => "planning",
        InterceptionStatus::Pending => "pending",
        InterceptionStatus::Fixed => "fixed",
        InterceptionStatus::Resumed => "resumed",
        InterceptionStatus::Stopped => "stopped",
        InterceptionStatus::Abandoned => "abandoned (its run ended)",
        InterceptionStatus::Reverted => "reverted",
    }
}
