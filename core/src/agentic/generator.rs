//! The generator: asks the local model for a flow that does an agentic node's request,
//! grounded in the workspace and constrained by the catalog's grammar, and holds the result as
//! a proposal until a person accepts or rejects it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::assemble;
use super::audit::NewRecord;
use super::types::{
    AgenticEvent, AgenticEventKind, AuditKind, GenerateOptions, Proposal, ProposalKind,
    ProposalStatus,
};
use super::workspace::{self, WorkspaceFacts};
use super::{prompt, schema};
use crate::flows::monitor::is_monitor;
use crate::flows::{FlowDocument, FlowNode, Severity};
use crate::llm::{self, ChatRequest, FinishReason};
use crate::privacy::SanitizeScope;
use crate::{App, AppError, FlowEvent};

/// Most tokens one generation may write (the settings' token budget may lower it).
pub const MAX_GENERATION_TOKENS: u32 = 2_048;
/// The seed a generation uses unless told otherwise, so the same request proposes the same flow.
const DEFAULT_SEED: u32 = 7;
/// The temperature a generation uses unless told otherwise.
const DEFAULT_TEMPERATURE: f32 = 0.2;

/// Generates a proposal for the agentic node `node_id` of the saved flow `slug`.
pub async fn generate(
    app: &App,
    slug: String,
    node_id: String,
    options: GenerateOptions,
) -> Result<Proposal, AppError> {
    let doc = app.flows().get(slug).await?;
    let node = agentic_node(&doc, &node_id)?;
    let request = options
        .request
        .clone()
        .or_else(|| text_field(node, "request"))
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            AppError::InvalidInput(format!(
                "the agentic node `{node_id}` has no request: say what the flow should do"
            ))
        })?;
    let root = workspace_root(app, &doc, node, options.workspace.as_deref())?;
    let facts = {
        let root = root.clone();
        tokio::task::spawn_blocking(move || workspace::scan(&root))
            .await
            .map_err(|e| AppError::Internal(format!("the workspace scan stopped: {e}")))??
    };
    let model = match options
        .model
        .clone()
        .or_else(|| text_field(node, "modelId"))
    {
        Some(model) => model,
        None => llm::default_model(app).await?,
    };
    let file_name = llm::resolve(app, &model)?;
    let settings = app.settings().get().await;
    let installed = app.nodes().installed();
    let entries = schema::usable_entries(&installed, super::binaries::on_path);

    let sanitizer = crate::privacy::Sanitizer::from_settings(&settings)?;
    let mut scope = sanitizer.scope();
    let clean_request = scope.sanitize(&request);
    let clean_facts = sanitize_facts(&mut scope, &facts);
    let messages = prompt::messages(
        prompt::system(&entries),
        prompt::user(&clean_facts, &clean_request),
    );
    let max_tokens = MAX_GENERATION_TOKENS.min(settings.max_agentic_tokens);
    let job_id = job_id();
    let job = Job {
        id: job_id.clone(),
        flow_slug: doc.slug.clone(),
        node_id: node_id.clone(),
    };
    let event = |kind| job.event(kind);
    app.publish(event(AgenticEventKind::Started {
        model: file_name.clone(),
        max_tokens,
    }));
    let record = |summary: String, detail: Value| NewRecord {
        flow_slug: Some(doc.slug.clone()),
        node_id: Some(node_id.clone()),
        job_id: Some(job_id.clone()),
        summary,
        detail,
        ..NewRecord::default()
    };
    app.agentic()
        .audit()
        .append(
            AuditKind::AiInvocation,
            record(
                format!("asked {file_name} for a flow"),
                json!({
                    "model": file_name,
                    "purpose": "generate",
                    "maxTokens": max_tokens,
                    "sanitized": scope.replacements().len(),
                    "messages": messages,
                }),
            ),
        )
        .await?;

    let chat = ChatRequest {
        model: file_name.clone(),
        messages,
        max_tokens: Some(max_tokens),
        temperature: Some(options.temperature.unwrap_or(DEFAULT_TEMPERATURE)),
        seed: Some(options.seed.unwrap_or(DEFAULT_SEED)),
        json_schema: Some(schema::flow_schema(
            &entries,
            std::slice::from_ref(&file_name),
        )),
        request_id: Some(job_id.clone()),
        ..ChatRequest::default()
    };
    let result = job
        .chat_streaming(app, chat, CancellationToken::new())
        .await;
    let built = match result {
        Ok(result) if result.finish_reason == FinishReason::Cancelled => {
            Err(AppError::Unavailable("the generation was cancelled".into()))
        }
        Ok(result) => {
            let cut_off = result.finish_reason == FinishReason::Length;
            let made = build_proposal(
                app,
                &doc,
                &node_id,
                &installed,
                &scope,
                &result.text,
                Built {
                    id: job_id.clone(),
                    request: request.clone(),
                    model: file_name.clone(),
                    workspace: facts.clone(),
                    root: root.clone(),
                    prompt_tokens: result.prompt_tokens,
                    completion_tokens: result.completion_tokens,
                    duration_ms: result.duration_ms,
                    sanitized: u32::try_from(scope.replacements().len()).unwrap_or(u32::MAX),
                },
            )
            .await;
            match made {
                Err(_) if cut_off => Err(AppError::Unavailable(format!(
                    "the model's answer was cut off at {max_tokens} tokens (setting `max_agentic_tokens`)"
                ))),
                other => other,
            }
        }
        Err(err) => Err(err),
    };
    let proposal = match built {
        Ok(proposal) => proposal,
        Err(err) => {
            app.publish(event(AgenticEventKind::Failed {
                error: err.to_string(),
            }));
            return Err(err);
        }
    };
    app.agentic().proposals().insert(proposal.clone());
    app.agentic()
        .audit()
        .append(
            AuditKind::AiReviewRequired,
            record(
                format!(
                    "proposed {} step(s) for review",
                    proposal.generated.nodes.len()
                ),
                json!({
                    "proposalId": proposal.id,
                    "baseRevision": proposal.base_revision,
                    "dslBefore": proposal.diff.from_dsl,
                    "dslAfter": proposal.diff.to_dsl,
                    "completionTokens": proposal.completion_tokens,
                    "valid": proposal.valid,
                }),
            ),
        )
        .await?;
    app.publish(event(AgenticEventKind::Proposed {
        proposal: Box::new(proposal.clone()),
    }));
    Ok(proposal)
}

/// The job an agentic job's events are about.
#[derive(Clone)]
pub(super) struct Job {
    pub id: String,
    pub flow_slug: String,
    pub node_id: String,
}

impl Job {
    /// Asks the model, publishing its text as the job's `token` events as it comes.
    pub async fn chat_streaming(
        &self,
        app: &App,
        chat: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<llm::ChatResult, AppError> {
        let (tx, mut rx) = mpsc::channel::<String>(256);
        let forward = {
            let app = app.clone();
            let job = self.clone();
            tokio::spawn(async move {
                while let Some(delta) = rx.recv().await {
                    app.publish(job.event(AgenticEventKind::Token { delta }));
                }
            })
        };
        let result = llm::chat(app, chat, Some(tx), cancel).await;
        if let Err(err) = forward.await {
            tracing::warn!(%err, job = %self.id, "forwarding a job's tokens stopped");
        }
        result
    }

    /// The bus event of one step of the job.
    pub fn event(&self, kind: AgenticEventKind) -> FlowEvent {
        FlowEvent::Agentic(AgenticEvent {
            job_id: self.id.clone(),
            flow_slug: self.flow_slug.clone(),
            node_id: self.node_id.clone(),
            kind,
        })
    }
}

/// What a proposal is made with besides the answer.
struct Built {
    id: String,
    request: String,
    model: String,
    workspace: WorkspaceFacts,
    root: PathBuf,
    prompt_tokens: u32,
    completion_tokens: u32,
    duration_ms: f64,
    sanitized: u32,
}

async fn build_proposal(
    app: &App,
    doc: &FlowDocument,
    node_id: &str,
    installed: &[crate::nodes::CatalogEntry],
    scope: &SanitizeScope,
    text: &str,
    built: Built,
) -> Result<Proposal, AppError> {
    let mut answer = assemble::parse_answer(text)?;
    // The model saw placeholders; the flow runs here, with the real values.
    answer.name = scope.restore(&answer.name);
    for step in &mut answer.steps {
        step.label = scope.restore(&step.label);
        for value in step.fields.values_mut() {
            restore_strings(scope, value);
        }
    }
    let taken: HashSet<String> = doc
        .graph
        .nodes
        .iter()
        .map(|n| n.id.clone())
        .chain(doc.graph.subflows.iter().map(|s| s.id.clone()))
        .collect();
    let generated = assemble::steps_graph(&answer, installed, &built.root, &taken)?;
    let graph = assemble::merge(&doc.graph, node_id, &generated);
    let context = crate::engine::validation_context(app).await?;
    let report = crate::flows::validate::validate(&graph, installed, &context);
    let diff =
        crate::flows::store::revisions::diff(doc.revision, doc.revision + 1, &doc.graph, &graph);
    Ok(Proposal {
        id: built.id,
        kind: ProposalKind::Generation,
        status: ProposalStatus::Pending,
        flow_slug: doc.slug.clone(),
        base_revision: doc.revision,
        node_id: node_id.to_owned(),
        execution_id: None,
        request: built.request,
        model: built.model,
        dsl: diff.to_dsl.clone(),
        valid: !report.issues.iter().any(|i| i.severity == Severity::Error),
        checks: report.issues,
        graph,
        generated,
        diff,
        workspace: built.workspace,
        prompt_tokens: built.prompt_tokens,
        completion_tokens: built.completion_tokens,
        duration_ms: built.duration_ms,
        sanitized: built.sanitized,
        created_at: crate::timestamp::rfc3339(SystemTime::now()),
    })
}

/// Maps the sanitizer's placeholders in every string of `value` back to the real text.
pub(super) fn restore_strings(scope: &SanitizeScope, value: &mut Value) {
    match value {
        Value::String(s) => *s = scope.restore(s),
        Value::Array(items) => items.iter_mut().for_each(|v| restore_strings(scope, v)),
        Value::Object(map) => map.values_mut().for_each(|v| restore_strings(scope, v)),
        _ => {}
    }
}

fn sanitize_facts(scope: &mut SanitizeScope, facts: &WorkspaceFacts) -> WorkspaceFacts {
    WorkspaceFacts {
        root: scope.sanitize(&facts.root),
        files: facts.files.iter().map(|f| scope.sanitize(f)).collect(),
        commands: facts.commands.iter().map(|c| scope.sanitize(c)).collect(),
        readme: facts.readme.as_deref().map(|r| scope.sanitize(r)),
        truncated: facts.truncated,
    }
}

/// The agentic node `node_id` of `doc`, still in generator mode.
fn agentic_node<'a>(doc: &'a FlowDocument, node_id: &str) -> Result<&'a FlowNode, AppError> {
    let node = doc.graph.node(node_id).ok_or_else(|| {
        AppError::NotFound(format!("flow `{}` has no node `{node_id}`", doc.slug))
    })?;
    if node.node_type != "agentic" {
        return Err(AppError::InvalidInput(format!(
            "`{node_id}` is a {} node, not an agentic one",
            node.node_type
        )));
    }
    if is_monitor(node) {
        return Err(AppError::Conflict(format!(
            "`{node_id}` already generated its flow and now monitors it; add a new agentic node to generate again"
        )));
    }
    Ok(node)
}

/// A node's non-empty text field.
pub(super) fn text_field(node: &FlowNode, key: &str) -> Option<String> {
    node.data
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The folder to ground in: the given one, else the node's `workspace`, resolved as a run of
/// the flow resolves its workspace (relative folders under the data dir's `workspaces/`, by
/// default the flow's own), so the proposal is grounded where its steps will run. The flow's
/// own is created, so a new flow has one.
fn workspace_root(
    app: &App,
    doc: &FlowDocument,
    node: &FlowNode,
    given: Option<&str>,
) -> Result<PathBuf, AppError> {
    let chosen = given
        .map(str::to_owned)
        .or_else(|| text_field(node, "workspace"));
    let defaulted = chosen.is_none();
    let options = crate::engine::RunOptions {
        workspace: chosen,
        ..crate::engine::RunOptions::default()
    };
    let dir = crate::engine::runner::workspace_dir(app, &doc.graph, Some(&doc.slug), &options);
    if defaulted {
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::io(format!("creating the workspace {}", dir.display()), e))?;
    }
    Ok(dir)
}

/// A fresh job id: `agentic-<unix ms>-<counter mixed with the clock>`.
fn job_id() -> String {
    crate::fresh_id::fresh_id("agentic")
}
