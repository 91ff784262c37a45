//! An `ai` node in agentic mode: the model answers the request in turns, each one JSON object
//! held to [`turn_schema`] by a grammar: a tool call, run through the [`Toolbox`] and fed back,
//! or the answer, which ends the loop. After `maxToolCalls` calls one last turn may only answer.
//!
//! Privacy: everything the model reads (the request, the system prompt's workspace path, every
//! tool result) goes through one sanitize scope; the model's tool arguments and its answer are
//! mapped back to the real values before they run or leave the node.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::dispatch::{ToolOutcome, Toolbox};
use super::tools::{Turn, parse_turn, turn_schema};
use crate::App;
use crate::agentic::AuditKind;
use crate::agentic::audit::NewRecord;
use crate::engine::{AdapterCtx, AdapterError, NodeInvocation};
use crate::llm::{ChatMessage, ChatRequest, ChatRole, FinishReason};
use crate::privacy::{SanitizeScope, Sanitizer};

/// `maxToolCalls` when the node does not say.
pub const DEFAULT_MAX_TOOL_CALLS: u32 = 8;
/// The most `maxToolCalls` may be.
pub const MAX_TOOL_CALLS: u32 = 32;
/// The most of one tool result the model reads.
const MAX_RESULT_CHARS: usize = 2_000;
/// Past this many characters of conversation the oldest results are elided: the default
/// context holds 4,096 tokens, and the system prompt, the turns and the answer need room too.
const MAX_CONVERSATION_CHARS: usize = 9_000;
/// What an elided result reads.
const ELIDED: &str = "(an earlier tool result, left out to fit the context)";

/// The agentic fields of an `ai` node.
#[derive(Debug, Clone)]
struct Agentic {
    workspace: PathBuf,
    max_tool_calls: u32,
}

impl Agentic {
    fn parse(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Self, AdapterError> {
        let rejected = |why: String| AdapterError::Rejected(why);
        let workspace = match node.data.get("workspace") {
            None | Some(Value::Null) => ctx.workspace_root.clone(),
            Some(Value::String(s)) if s.trim().is_empty() => ctx.workspace_root.clone(),
            Some(Value::String(s)) if std::path::Path::new(s).is_absolute() => PathBuf::from(s),
            Some(other) => {
                return Err(rejected(format!(
                    "`workspace` must be an absolute folder, got {other}"
                )));
            }
        };
        let max_tool_calls = match node.data.get("maxToolCalls") {
            None | Some(Value::Null) => DEFAULT_MAX_TOOL_CALLS,
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=MAX_TOOL_CALLS).contains(n))
                .ok_or_else(|| {
                    rejected(format!(
                        "`maxToolCalls` must be a whole number from 1 to {MAX_TOOL_CALLS}, got {v}"
                    ))
                })?,
        };
        if node.data.get("outputSchema").is_some_and(|s| !s.is_null()) {
            return Err(rejected(
                "`outputSchema` applies to `mode: \"answer\"`; an agentic node answers in text"
                    .into(),
            ));
        }
        Ok(Self {
            workspace,
            max_tool_calls,
        })
    }
}

/// One call as the node's output lists it.
fn call_record(name: &str, args: Value, outcome: &ToolOutcome) -> Value {
    json!({
        "name": name,
        "args": args,
        "ok": outcome.ok,
        "refused": outcome.refused,
        "summary": outcome.summary,
    })
}

fn system_prompt(root: &str, max_calls: u32, extra: Option<&str>) -> String {
    let mut text = format!(
        "You answer a request about the files in a folder, the workspace: {root}\n\
         Reply with exactly one JSON object per turn. To look at the workspace first, call a tool:\n\
         {{\"tool\":\"list_dir\",\"path\":\".\"}} lists a folder (\".\" is the workspace).\n\
         {{\"tool\":\"read_file\",\"path\":\"README.md\"}} reads a text file.\n\
         {{\"tool\":\"grep\",\"pattern\":\"TODO\",\"path\":\".\"}} finds the lines holding a text.\n\
         {{\"tool\":\"run_shell\",\"command\":\"ls -la\"}} runs a shell command in the workspace; \
         commands that delete or overwrite are refused.\n\
         When you know enough, end with {{\"answer\":\"...\"}}.\n\
         Paths are relative to the workspace; nothing outside it can be read. \
         You may make at most {max_calls} tool calls."
    );
    if let Some(extra) = extra {
        text.push_str("\n\n");
        text.push_str(extra);
    }
    text
}

/// The first `MAX_RESULT_CHARS` characters of `text`, saying when there was more.
fn truncated(text: &str) -> String {
    let total = text.chars().count();
    if total <= MAX_RESULT_CHARS {
        return text.to_owned();
    }
    let kept: String = text.chars().take(MAX_RESULT_CHARS).collect();
    format!("{kept}\n(cut: {MAX_RESULT_CHARS} of {total} characters shown)")
}

/// Elides the oldest tool results (never the latest) until the conversation fits.
fn fit(messages: &mut [ChatMessage], results: &[usize]) {
    let mut size: usize = messages.iter().map(|m| m.content.len()).sum();
    let Some((_, older)) = results.split_last() else {
        return;
    };
    for &index in older {
        if size <= MAX_CONVERSATION_CHARS {
            break;
        }
        if let Some(message) = messages.get_mut(index)
            && message.content != ELIDED
        {
            size = size.saturating_sub(message.content.len()) + ELIDED.len();
            message.content = ELIDED.to_owned();
        }
    }
}

/// Totals over the turns.
#[derive(Debug, Default)]
struct Usage {
    turns: u32,
    tokens: u32,
    prompt_tokens: u32,
    duration_ms: f64,
    model: String,
    finish_reason: Option<FinishReason>,
}

impl Usage {
    fn output(&self, calls: &[Value]) -> Value {
        json!({
            "toolCalls": calls.len(),
            "calls": calls,
            "turns": self.turns,
            "tokens": self.tokens,
            "promptTokens": self.prompt_tokens,
            "model": self.model,
            "durationMs": self.duration_ms.round(),
            "finishReason": self.finish_reason,
        })
    }
}

/// One `ai_invocation` record per turn: what the model was sent this turn (the newest message,
/// sanitized as the model saw it), never the earlier ones again.
async fn audit_turn(
    app: &App,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
    model: &str,
    turn: u32,
    scope: &SanitizeScope,
    messages: &[ChatMessage],
) -> Result<(), AdapterError> {
    let sent = messages.last().map(|m| m.content.as_str()).unwrap_or("");
    app.agentic()
        .audit()
        .append(
            AuditKind::AiInvocation,
            NewRecord {
                execution_id: Some(ctx.execution_id.clone()),
                node_id: Some(node.node_id.clone()),
                summary: format!("agentic turn {turn} to {model}"),
                detail: json!({
                    "model": model,
                    "purpose": "tool-loop",
                    "turn": turn,
                    "sanitized": scope.replacements().len(),
                    "sent": sent,
                }),
                ..NewRecord::default()
            },
        )
        .await
        .map(drop)
        .map_err(|err| AdapterError::Failed {
            reason: format!("the model turn could not be audited: {err}"),
            output: None,
        })
}

/// Runs the loop; `base` is the node's request (model, sampling, token budget per turn).
pub(super) async fn run(
    app: &App,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
    base: ChatRequest,
    system: Option<&str>,
    prompt: &str,
) -> Result<Value, AdapterError> {
    let agentic = Agentic::parse(node, ctx)?;
    let toolbox = Toolbox::new(app.clone(), node, ctx, &agentic.workspace)?;
    let settings = app.settings().get().await;
    let sanitizer =
        Sanitizer::from_settings(&settings).map_err(|e| AdapterError::Rejected(e.to_string()))?;
    let mut scope: SanitizeScope = sanitizer.scope();
    let root = scope.sanitize(&toolbox.root().display().to_string());
    let extra = system.map(|s| scope.sanitize(s));
    let mut messages = vec![
        ChatMessage {
            role: ChatRole::System,
            content: system_prompt(&root, agentic.max_tool_calls, extra.as_deref()),
        },
        ChatMessage {
            role: ChatRole::User,
            content: scope.sanitize(prompt),
        },
    ];
    let mut results: Vec<usize> = Vec::new();
    let mut calls: Vec<Value> = Vec::new();
    let mut usage = Usage::default();
    loop {
        if ctx.cancel.is_cancelled() {
            return Err(AdapterError::Cancelled);
        }
        let answer_only = calls.len() >= agentic.max_tool_calls as usize;
        fit(&mut messages, &results);
        audit_turn(
            app,
            node,
            ctx,
            &base.model,
            usage.turns + 1,
            &scope,
            &messages,
        )
        .await?;
        let request = ChatRequest {
            messages: messages.clone(),
            json_schema: Some(turn_schema(answer_only)),
            ..base.clone()
        };
        let result = super::chat_streamed(app, request, node, ctx).await?;
        usage.turns += 1;
        usage.tokens += result.completion_tokens;
        usage.prompt_tokens += result.prompt_tokens;
        usage.duration_ms += result.duration_ms;
        usage.model.clone_from(&result.model);
        usage.finish_reason = Some(result.finish_reason);
        let turn = match parse_turn(&result.text) {
            Ok(turn) => turn,
            Err(err) => {
                return Err(AdapterError::Failed {
                    reason: format!(
                        "turn {} is not a tool call or an answer ({err}); raise maxTokens if it was cut off",
                        usage.turns
                    ),
                    output: Some(usage.output(&calls)),
                });
            }
        };
        let call = match turn {
            Turn::Answer(answer) => {
                let mut output = usage.output(&calls);
                output["text"] = json!(scope.restore(&answer));
                return Ok(output);
            }
            // The grammar offers only the answer once the calls are used up.
            Turn::Call(_) if answer_only => {
                return Err(AdapterError::Failed {
                    reason: "the model called a tool after its last allowed call".into(),
                    output: Some(usage.output(&calls)),
                });
            }
            Turn::Call(call) => call.restored(&scope),
        };
        let outcome = toolbox.call(&call).await?;
        calls.push(call_record(&call.event_name(), call.args(), &outcome));
        let shown = truncated(&scope.sanitize(&outcome.text));
        let next = if calls.len() >= agentic.max_tool_calls as usize {
            "That was your last tool call: answer now with {\"answer\":\"...\"}."
        } else {
            "Call another tool, or answer with {\"answer\":\"...\"}."
        };
        messages.push(ChatMessage {
            role: ChatRole::Assistant,
            content: result.text.trim().to_owned(),
        });
        messages.push(ChatMessage {
            role: ChatRole::User,
            content: format!("Result of {}:\n{shown}\n\n{next}", call.tool()),
        });
        results.push(messages.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(content: &str) -> ChatMessage {
        ChatMessage {
            role: ChatRole::User,
            content: content.to_owned(),
        }
    }

    #[test]
    fn long_results_are_cut_and_say_so() {
        let long = "x".repeat(MAX_RESULT_CHARS + 10);
        let shown = truncated(&long);
        assert!(shown.starts_with(&"x".repeat(MAX_RESULT_CHARS)));
        assert!(shown.ends_with(&format!(
            "(cut: {MAX_RESULT_CHARS} of {} characters shown)",
            MAX_RESULT_CHARS + 10
        )));
        assert_eq!(truncated("short"), "short");
    }

    #[test]
    fn the_oldest_results_are_elided_first_and_the_latest_never() {
        let big = "y".repeat(MAX_CONVERSATION_CHARS / 2);
        let mut messages = vec![
            message("system"),
            message("request"),
            message(&big),
            message(&big),
            message(&big),
        ];
        fit(&mut messages, &[2, 3, 4]);
        assert_eq!(messages[2].content, ELIDED);
        assert_eq!(messages[3].content, ELIDED);
        assert_eq!(messages[4].content, big);
        assert_eq!(messages[1].content, "request");
    }
}
