//! The `ai` adapter: one chat request to a local model through the app's model runtime.
//!
//! The node's fields (`modelId`, `systemPrompt`, `prompt`, `maxTokens`, `temperature`, `seed`,
//! `outputSchema`) arrive with their `{{…}}` templates already filled in. The model is loaded
//! on first use, so a node whose branch never runs never loads one. Generated text streams
//! into the run as `node_token` events; a full inference queue past
//! `ai_inference_queue_timeout_ms` fails the node, which takes its `fail` path.
//!
//! `provider: "openai"` sends the same fields (with `model`, the provider's model name, and a
//! `connection`) to an OpenAI-compatible provider instead ([`openai`]), only while
//! `cloud_provider_allowed("openai")`.
//!
//! `mode: "agentic"` (local models) lets the model call tools on a workspace before it answers
//! (`workspace`, default the run's; `maxToolCalls`, default 8): the loop is [`tool_loop`], the
//! tools and the turn grammar [`tools`], and each call runs through the fs and shell adapters
//! themselves ([`dispatch`]).

pub mod dispatch;
pub mod openai;
mod tool_loop;
pub mod tools;

pub use tool_loop::{DEFAULT_MAX_TOOL_CALLS, MAX_TOOL_CALLS};

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::App;
use crate::engine::{Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation};
use crate::llm::{self, ChatMessage, ChatRequest, ChatResult, ChatRole, FinishReason};

/// Runs `ai` nodes.
#[derive(Debug, Default)]
pub struct AiAdapter;

impl Adapter for AiAdapter {
    fn name(&self) -> &'static str {
        "ai"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<Value, AdapterError>> {
        Box::pin(run(node, ctx))
    }
}

fn text<'a>(node: &'a NodeInvocation, key: &str) -> Option<&'a str> {
    node.data
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn request(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<ChatRequest, AdapterError> {
    let model = text(node, "modelId")
        .ok_or_else(|| AdapterError::Rejected("an ai node needs a `modelId`".into()))?;
    let prompt = text(node, "prompt")
        .ok_or_else(|| AdapterError::Rejected("an ai node needs a `prompt`".into()))?;
    let mut messages = Vec::new();
    if let Some(system) = text(node, "systemPrompt") {
        messages.push(ChatMessage {
            role: ChatRole::System,
            content: system.to_owned(),
        });
    }
    messages.push(ChatMessage {
        role: ChatRole::User,
        content: prompt.to_owned(),
    });
    let number = |key: &str| node.data.get(key).and_then(Value::as_f64);
    let whole = |key: &str| -> Result<Option<u32>, AdapterError> {
        match node.data.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    AdapterError::Rejected(format!("`{key}` must be a whole number, got {v}"))
                }),
        }
    };
    let json_schema = match node.data.get("outputSchema") {
        None | Some(Value::Null) => None,
        Some(schema @ Value::Object(_)) => Some(
            serde_json::from_value(schema.clone())
                .map_err(|e| AdapterError::Rejected(format!("`outputSchema`: {e}")))?,
        ),
        Some(other) => {
            return Err(AdapterError::Rejected(format!(
                "`outputSchema` must be a JSON Schema object, got {other}"
            )));
        }
    };
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
        max_tokens: Some(whole("maxTokens")?.unwrap_or(512)),
        temperature: number("temperature").map(|t| t as f32),
        seed: whole("seed")?,
        json_schema,
        request_id: Some(format!(
            "{}:{}:{}",
            ctx.execution_id, node.node_id, node.iteration
        )),
        ..ChatRequest::default()
    })
}

/// One chat request whose tokens stream into the run as the node's `node_token` events;
/// a cancelled generation is `Cancelled`.
async fn chat_streamed(
    app: &App,
    request: ChatRequest,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
) -> Result<ChatResult, AdapterError> {
    let (tx, mut rx) = mpsc::channel::<String>(256);
    let reporter = ctx.reporter.clone();
    let node_id = node.node_id.clone();
    let forward = tokio::spawn(async move {
        while let Some(delta) = rx.recv().await {
            reporter.emit(ExecutionEventKind::NodeToken {
                node_id: node_id.clone(),
                delta,
            });
        }
    });
    let result = llm::chat(app, request, Some(tx), ctx.cancel.child_token()).await;
    if let Err(err) = forward.await {
        tracing::warn!(%err, "forwarding an ai node's tokens stopped");
    }
    let result = result.map_err(|err| AdapterError::Failed {
        reason: err.to_string(),
        output: None,
    })?;
    if result.finish_reason == FinishReason::Cancelled {
        return Err(AdapterError::Cancelled);
    }
    Ok(result)
}

async fn run(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Value, AdapterError> {
    let provider = text(node, "provider").unwrap_or("local");
    let app = ctx
        .app
        .as_ref()
        .and_then(|weak| weak.upgrade())
        .ok_or_else(|| AdapterError::Rejected("ai nodes need the app's model runtime".into()))?;
    let agentic = match text(node, "mode").unwrap_or("answer") {
        "answer" => false,
        "agentic" => true,
        other => {
            return Err(AdapterError::Rejected(format!(
                "`mode` must be \"answer\" or \"agentic\", got {other:?}"
            )));
        }
    };
    if agentic && provider != "local" {
        // The tool results would leave the machine; the loop is local-only for now.
        return Err(AdapterError::Rejected(
            "`mode: \"agentic\"` runs on local models (`provider: \"local\"`)".into(),
        ));
    }
    if provider != "local" {
        let settings = app.settings().get().await;
        if let Some(why) = crate::flows::validate::egress::cloud_refusal(&settings, provider) {
            return Err(AdapterError::Rejected(why));
        }
        if provider == openai::PROVIDER {
            return openai::run(&app, node, ctx).await;
        }
        return Err(AdapterError::Rejected(format!(
            "the `{provider}` provider is not available in this build; use `local` or `{}`",
            openai::PROVIDER
        )));
    }
    if agentic {
        let base = request(node, ctx)?;
        let prompt = text(node, "prompt").unwrap_or_default();
        return tool_loop::run(&app, node, ctx, base, text(node, "systemPrompt"), prompt).await;
    }
    let request = request(node, ctx)?;
    let wants_json = request.json_schema.is_some();
    let result = chat_streamed(&app, request, node, ctx).await?;
    let mut output = json!({
        "text": result.text,
        "tokens": result.completion_tokens,
        "promptTokens": result.prompt_tokens,
        "model": result.model,
        "durationMs": result.duration_ms.round(),
        "finishReason": result.finish_reason,
    });
    if wants_json {
        match serde_json::from_str::<Value>(&result.text) {
            Ok(parsed) => output["json"] = parsed,
            Err(e) => {
                return Err(AdapterError::Failed {
                    reason: format!(
                        "the answer is not the JSON the output schema asks for ({e}); raise maxTokens if it was cut off"
                    ),
                    output: Some(output),
                });
            }
        }
    }
    Ok(output)
}
