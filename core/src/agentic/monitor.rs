//! The monitor: watches runs of a flow whose agentic node generated it. An unhandled failure
//! is intercepted: the model plans a surgical fix ([`super::fixer`]) while the run holds its
//! new work, and a person accepts it (the node re-runs with the fix), resumes without it, or
//! stops the run. An autonomous run accepts valid fixes itself until it passes or a budget
//! ([`super::budget`]) ends it, and says which.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::budget::{self, Spent};
use super::decisions::{self, job, now, publish, record};
use super::fixer::{self, MAX_FIX_TOKENS};
use super::types::{
    AgenticEventKind, AuditKind, AutonomousOutcome, InterceptDecision, InterceptionQuery,
    InterceptionStatus, MonitorInterception,
};
use crate::app::WeakApp;
use crate::engine::{Monitor, MonitoredRun, RunStatus, UnhandledFailure, Verdict};
use crate::{App, AppError};

/// What one monitored run has used, and what ended its autonomous loop.
#[derive(Debug, Default, Clone, Copy)]
struct RunUse {
    spent: Spent,
    ended_by: Option<AutonomousOutcome>,
}

type Uses = Arc<Mutex<HashMap<String, RunUse>>>;

/// The app's monitor (the engine's [`Monitor`]).
#[derive(Debug)]
pub struct AgenticMonitor {
    app: WeakApp,
    uses: Uses,
}

impl AgenticMonitor {
    /// A monitor for the app behind `app`.
    pub fn new(app: WeakApp) -> Self {
        Self {
            app,
            uses: Uses::default(),
        }
    }
}

impl std::fmt::Debug for WeakApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WeakApp")
    }
}

impl Monitor for AgenticMonitor {
    fn intercept(
        &self,
        run: &MonitoredRun,
        failure: UnhandledFailure,
    ) -> BoxFuture<'static, Verdict> {
        let app = self.app.upgrade();
        let uses = self.uses.clone();
        let run = run.clone();
        Box::pin(async move {
            let Some(app) = app else {
                return Verdict::Resume;
            };
            match intercept(&app, &run, failure, &uses).await {
                Ok(verdict) => verdict,
                Err(err) => {
                    tracing::warn!(%err, execution_id = %run.execution_id, "the monitor could not intercept; the failure stands");
                    Verdict::Resume
                }
            }
        })
    }

    fn finished(&self, run: &MonitoredRun, status: RunStatus) {
        let used = lock(&self.uses)
            .remove(&run.execution_id)
            .unwrap_or_default();
        let Some(app) = self.app.upgrade() else {
            return;
        };
        let run = run.clone();
        tokio::spawn(async move {
            if let Err(err) = wrap_up(&app, &run, status, used).await {
                tracing::warn!(%err, execution_id = %run.execution_id, "closing a monitored run's interceptions failed");
            }
        });
    }
}

fn lock(uses: &Uses) -> std::sync::MutexGuard<'_, HashMap<String, RunUse>> {
    uses.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn intercept(
    app: &App,
    run: &MonitoredRun,
    failure: UnhandledFailure,
    uses: &Uses,
) -> Result<Verdict, AppError> {
    let settings = app.settings().get().await;
    let doc = app.flows().get(run.flow_slug.clone()).await?;
    let store = app.agentic().interceptions();
    let mut interception = MonitorInterception {
        id: crate::fresh_id::fresh_id("fix"),
        execution_id: run.execution_id.clone(),
        flow_slug: doc.slug.clone(),
        node_id: failure.node_id.clone(),
        error: failure.error.clone(),
        autonomous: run.autonomous,
        status: InterceptionStatus::Planning,
        proposal_id: None,
        fix_error: None,
        revision_before: Some(doc.revision),
        revision_after: None,
        dsl_before: Some(crate::flows::dsl::serialize(&doc.graph)),
        dsl_after: None,
        created_at: now(),
        resolved_at: None,
    };
    // Registered before anything is stored, so a decision can never find no one waiting.
    let mut decision = store.wait(&interception.id);
    store.put(&interception).await?;
    publish(app, &interception);

    let spent = lock(uses)
        .entry(run.execution_id.clone())
        .or_default()
        .spent;
    let usage = budget::usage(&settings, spent, run.started);
    if run.autonomous {
        app.publish(budget_event(&interception, usage));
        if let Some(outcome) = budget::exhausted(&usage) {
            return end_loop(app, uses, &mut interception, outcome, &usage).await;
        }
    }
    let (max_tokens, deadline) = if run.autonomous {
        (
            budget::tokens_left(&usage),
            Duration::from_secs_f64(budget::seconds_left(&usage)),
        )
    } else {
        (
            settings.max_agentic_tokens.min(MAX_FIX_TOKENS),
            // A person is watching and may decide at any time; the model gets as long as the
            // wall-clock budget of an autonomous run.
            Duration::from_secs(u64::from(settings.max_agentic_seconds)),
        )
    };
    let cancel = CancellationToken::new();
    let fix_job = job(&interception);
    let planning = fixer::propose(
        app,
        run,
        &doc,
        &failure,
        &fix_job,
        max_tokens,
        cancel.clone(),
    );
    let planned = tokio::select! {
        biased;
        verdict = &mut decision => {
            // A person decided while the model was still planning.
            cancel.cancel();
            return Ok(verdict.unwrap_or(Verdict::Resume));
        }
        planned = tokio::time::timeout(deadline, planning) => planned,
    };
    let timed_out = planned.is_err();
    let planned = planned.unwrap_or_else(|_| {
        cancel.cancel();
        Err(AppError::Unavailable(format!(
            "the fix took longer than {} s",
            deadline.as_secs()
        )))
    });
    if let Ok(fix) = &planned {
        let mut used = lock(uses);
        let entry = used.entry(run.execution_id.clone()).or_default();
        entry.spent.tokens = entry.spent.tokens.saturating_add(fix.tokens);
    }
    interception.status = InterceptionStatus::Pending;
    let valid = match planned {
        Ok(fix) => {
            // The loop only applies a fix that changes something: re-running a step as it was
            // would spend a revision and a run on the same failure.
            let valid = fix.proposal.valid && !(run.autonomous && fix.changes_nothing);
            if run.autonomous && fix.changes_nothing {
                interception.fix_error =
                    Some("the model's fix changes none of the step's fields".into());
            }
            interception.proposal_id = Some(fix.proposal.id.clone());
            app.agentic().proposals().insert(fix.proposal.clone());
            app.agentic()
                .audit()
                .append(
                    AuditKind::AiReviewRequired,
                    record(
                        &interception,
                        format!("proposed a fix of {} for review", interception.node_id),
                        json!({
                            "proposalId": fix.proposal.id,
                            "dslBefore": fix.proposal.diff.from_dsl,
                            "dslAfter": fix.proposal.diff.to_dsl,
                            "tokens": fix.tokens,
                            "valid": valid,
                        }),
                    ),
                )
                .await?;
            app.publish(job(&interception).event(AgenticEventKind::Proposed {
                proposal: Box::new(fix.proposal),
            }));
            valid
        }
        Err(err) => {
            interception.fix_error = Some(err.to_string());
            app.publish(job(&interception).event(AgenticEventKind::Failed {
                error: err.to_string(),
            }));
            false
        }
    };
    if store.is_waiting(&interception.id) {
        store.put(&interception).await?;
        publish(app, &interception);
    }
    if run.autonomous {
        let spent = lock(uses)
            .entry(run.execution_id.clone())
            .or_default()
            .spent;
        let usage = budget::usage(&settings, spent, run.started);
        app.publish(budget_event(&interception, usage));
        if !valid {
            let outcome = if timed_out {
                AutonomousOutcome::SecondsExhausted
            } else {
                AutonomousOutcome::NoFix
            };
            return end_loop(app, uses, &mut interception, outcome, &usage).await;
        }
        match decisions::decide(app, &interception.id, InterceptDecision::Accept).await {
            Ok(_) => {
                let mut used = lock(uses);
                let entry = used.entry(run.execution_id.clone()).or_default();
                entry.spent.iterations += 1;
            }
            Err(err) => {
                tracing::warn!(%err, "an autonomous fix could not be applied");
                interception.fix_error = Some(err.to_string());
                return end_loop(
                    app,
                    uses,
                    &mut interception,
                    AutonomousOutcome::NoFix,
                    &usage,
                )
                .await;
            }
        }
    }
    Ok(decision.await.unwrap_or(Verdict::Resume))
}

/// Ends an autonomous loop at this interception: the failure stands.
async fn end_loop(
    app: &App,
    uses: &Uses,
    interception: &mut MonitorInterception,
    outcome: AutonomousOutcome,
    usage: &crate::agentic::BudgetUse,
) -> Result<Verdict, AppError> {
    lock(uses)
        .entry(interception.execution_id.clone())
        .or_default()
        .ended_by = Some(outcome);
    if interception.fix_error.is_none() {
        interception.fix_error = Some(budget::explain(outcome, usage));
    }
    app.agentic().interceptions().put(interception).await?;
    decisions::decide(app, &interception.id, InterceptDecision::Resume).await?;
    Ok(Verdict::Resume)
}

fn budget_event(
    interception: &MonitorInterception,
    usage: crate::agentic::BudgetUse,
) -> crate::FlowEvent {
    job(interception).event(AgenticEventKind::Budget {
        execution_id: interception.execution_id.clone(),
        usage,
    })
}

/// After a monitored run: interceptions nobody decided are abandoned, and an autonomous run
/// says how its loop ended.
async fn wrap_up(
    app: &App,
    run: &MonitoredRun,
    status: RunStatus,
    used: RunUse,
) -> Result<(), AppError> {
    let store = app.agentic().interceptions();
    let open = store
        .list(InterceptionQuery {
            execution_id: Some(run.execution_id.clone()),
            ..InterceptionQuery::default()
        })
        .await?;
    for mut interception in open {
        if matches!(
            interception.status,
            InterceptionStatus::Planning | InterceptionStatus::Pending
        ) {
            store.forget(&interception.id);
            interception.status = InterceptionStatus::Abandoned;
            interception.resolved_at = Some(now());
            store.put(&interception).await?;
            publish(app, &interception);
        }
    }
    if !run.autonomous {
        return Ok(());
    }
    let settings = app.settings().get().await;
    let usage = budget::usage(&settings, used.spent, run.started);
    let outcome = match (status, used.ended_by) {
        (RunStatus::Succeeded, _) => AutonomousOutcome::Converged,
        (_, Some(outcome)) => outcome,
        (RunStatus::Cancelled, None) => AutonomousOutcome::Stopped,
        _ => AutonomousOutcome::Failed,
    };
    app.publish(crate::FlowEvent::Agentic(crate::agentic::AgenticEvent {
        job_id: run.execution_id.clone(),
        flow_slug: run.flow_slug.clone(),
        node_id: run.monitor_node.clone(),
        kind: AgenticEventKind::Finished {
            execution_id: run.execution_id.clone(),
            outcome,
            usage,
        },
    }));
    app.agentic()
        .audit()
        .append(
            AuditKind::AiReviewResolved,
            super::audit::NewRecord {
                flow_slug: Some(run.flow_slug.clone()),
                execution_id: Some(run.execution_id.clone()),
                node_id: Some(run.monitor_node.clone()),
                job_id: None,
                summary: format!("autonomous run ended: {}", budget::explain(outcome, &usage)),
                detail: json!({"autonomous": true, "outcome": outcome, "usage": usage}),
            },
        )
        .await
        .map(drop)
}
