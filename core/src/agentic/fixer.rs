//! The surgical fix: when a monitored run's node fails, the model is shown the flow, that node
//! alone, its error and the end of what it printed, and answers with the node corrected: one
//! step of the node's own type, constrained by that type's grammar. The fix is a proposal like
//! a generation's (diff, checks), held until it is accepted.

use std::time::SystemTime;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::audit::NewRecord;
use super::generator::{Job, restore_strings, text_field};
use super::types::{AgenticEventKind, AuditKind, Proposal, ProposalKind, ProposalStatus};
use super::workspace::{self, WorkspaceFacts};
use super::{assemble, prompt, schema};
use crate::engine::{MonitoredRun, UnhandledFailure};
use crate::flows::{FlowDocument, FlowGraph, Severity, ValidationIssue};
use crate::llm::{self, ChatRequest, FinishReason};
use crate::{App, AppError};

/// Most tokens one fix may write (the budget left may lower it).
pub const MAX_FIX_TOKENS: u32 = 1_024;
/// The seed a fix uses, so the same failure proposes the same fix.
const SEED: u32 = 11;
/// A low temperature: a fix should change little.
const TEMPERATURE: f32 = 0.2;

/// A fix proposal and what it cost.
#[derive(Debug)]
pub struct Fix {
    /// The proposal (kind `fix`), not yet kept.
    pub proposal: Proposal,
    /// Prompt and answer tokens together.
    pub tokens: u32,
    /// The fix leaves every field as it was (a re-run as is, not a repair).
    pub changes_nothing: bool,
}

/// Asks the model to fix `failure` in the saved flow `doc`; `job` names the interception.
pub(super) async fn propose(
    app: &App,
    run: &MonitoredRun,
    doc: &FlowDocument,
    failure: &UnhandledFailure,
    job: &Job,
    max_tokens: u32,
    cancel: CancellationToken,
) -> Result<Fix, AppError> {
    let node = doc.graph.node(&failure.node_id).ok_or_else(|| {
        AppError::NotFound(format!(
            "`{}` is not in the saved flow `{}` (was the run started with unsaved edits?)",
            failure.node_id, doc.slug
        ))
    })?;
    let installed = app.nodes().installed();
    let entry = crate::flows::validate::matching::entry_for(node, &installed).ok_or_else(|| {
        AppError::Unavailable(format!(
            "`{}` is of no installed node type, so there is no grammar to fix it with",
            failure.node_id
        ))
    })?;
    let model = match doc
        .graph
        .node(&run.monitor_node)
        .and_then(|m| text_field(m, "modelId"))
    {
        Some(model) => model,
        None => llm::default_model(app).await?,
    };
    let file_name = llm::resolve(app, &model)?;
    let facts = {
        let root = run.workspace.clone();
        tokio::task::spawn_blocking(move || {
            if root.is_dir() {
                workspace::scan(&root)
            } else {
                Ok(WorkspaceFacts::default())
            }
        })
        .await
        .map_err(|e| AppError::Internal(format!("the workspace scan stopped: {e}")))??
    };
    let settings = app.settings().get().await;
    let sanitizer = crate::privacy::Sanitizer::from_settings(&settings)?;
    let mut scope = sanitizer.scope();
    let clean_facts = WorkspaceFacts {
        files: facts.files.iter().map(|f| scope.sanitize(f)).collect(),
        commands: facts.commands.iter().map(|c| scope.sanitize(c)).collect(),
        ..WorkspaceFacts::default()
    };
    let flow_dsl = scope.sanitize(&crate::flows::dsl::serialize(&doc.graph));
    let step = scope.sanitize(&assemble::step_view(node, entry).to_string());
    let error = scope.sanitize(&failure.error);
    let printed = scope.sanitize(&prompt::printed(failure.output.as_ref()));
    let messages = prompt::messages(
        prompt::fix_system(entry),
        prompt::fix_user(
            &clean_facts,
            &flow_dsl,
            &serde_json::Value::String(step),
            &error,
            &printed,
        ),
    );
    let max_tokens = max_tokens.clamp(1, MAX_FIX_TOKENS);
    app.publish(job.event(AgenticEventKind::Started {
        model: file_name.clone(),
        max_tokens,
    }));
    app.agentic()
        .audit()
        .append(
            AuditKind::AiInvocation,
            NewRecord {
                flow_slug: Some(doc.slug.clone()),
                execution_id: Some(run.execution_id.clone()),
                node_id: Some(failure.node_id.clone()),
                job_id: Some(job.id.clone()),
                summary: format!("asked {file_name} to fix {}", failure.node_id),
                detail: json!({
                    "model": file_name,
                    "purpose": "fix",
                    "maxTokens": max_tokens,
                    "sanitized": scope.replacements().len(),
                    "messages": messages,
                }),
            },
        )
        .await?;
    let chat = ChatRequest {
        model: file_name.clone(),
        messages,
        max_tokens: Some(max_tokens),
        temperature: Some(TEMPERATURE),
        seed: Some(SEED),
        json_schema: Some(schema::step_schema(entry, std::slice::from_ref(&file_name))),
        request_id: Some(job.id.clone()),
        ..ChatRequest::default()
    };
    let result = job.chat_streaming(app, chat, cancel).await?;
    match result.finish_reason {
        FinishReason::Cancelled => {
            return Err(AppError::Unavailable("the fix was cancelled".into()));
        }
        FinishReason::Length => {
            return Err(AppError::Unavailable(format!(
                "the model's fix was cut off at {max_tokens} tokens"
            )));
        }
        _ => {}
    }
    let mut answer = assemble::parse_step(&result.text)?;
    answer.label = scope.restore(&answer.label);
    for value in answer.fields.values_mut() {
        restore_strings(&scope, value);
    }
    let fixed = assemble::fixed_node(node, entry, &answer);
    let changes_nothing = fixed.data == node.data;
    let mut graph = doc.graph.clone();
    if let Some(slot) = graph.nodes.iter_mut().find(|n| n.id == fixed.id) {
        *slot = fixed.clone();
    }
    let context = crate::engine::validation_context(app).await?;
    let report = crate::flows::validate::validate(&graph, &installed, &context);
    let diff =
        crate::flows::store::revisions::diff(doc.revision, doc.revision + 1, &doc.graph, &graph);
    let mut generated = FlowGraph::new(format!("Fix for {}", failure.node_id));
    generated.nodes.push(fixed);
    let mut checks: Vec<_> = report
        .issues
        .into_iter()
        .filter(|i| i.node_id.as_deref().is_none_or(|n| n == failure.node_id))
        .collect();
    if changes_nothing {
        checks.push(ValidationIssue {
            severity: Severity::Warning,
            code: "fix-changes-nothing".into(),
            message: "this fix changes none of the step's fields: accepting runs it again as it is"
                .into(),
            node_id: Some(failure.node_id.clone()),
            field: None,
            edge_index: None,
        });
    }
    let proposal = Proposal {
        id: job.id.clone(),
        kind: ProposalKind::Fix,
        status: ProposalStatus::Pending,
        flow_slug: doc.slug.clone(),
        base_revision: doc.revision,
        node_id: failure.node_id.clone(),
        execution_id: Some(run.execution_id.clone()),
        request: format!("fix `{}`: {}", failure.node_id, failure.error),
        model: file_name,
        dsl: diff.to_dsl.clone(),
        valid: !checks.iter().any(|i| i.severity == Severity::Error),
        checks,
        graph,
        generated,
        diff,
        workspace: WorkspaceFacts::default(),
        prompt_tokens: result.prompt_tokens,
        completion_tokens: result.completion_tokens,
        duration_ms: result.duration_ms,
        sanitized: u32::try_from(scope.replacements().len()).unwrap_or(u32::MAX),
        created_at: crate::timestamp::rfc3339(SystemTime::now()),
    };
    Ok(Fix {
        tokens: result
            .prompt_tokens
            .saturating_add(result.completion_tokens),
        changes_nothing,
        proposal,
    })
}
