//! OpenAI's JSON shapes for models and chat completions, and their mapping to core requests.

use flow_core::AppError;
use flow_core::llm::{ChatMessage, ChatRequest, ChatResult, ChatRole, FinishReason};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /v1/models`.
#[derive(Serialize)]
pub(super) struct ModelList {
    pub object: &'static str,
    pub data: Vec<ModelObject>,
}

/// One model of the list.
#[derive(Serialize)]
pub(super) struct ModelObject {
    id: String,
    object: &'static str,
    created: u64,
    owned_by: &'static str,
}

impl ModelObject {
    pub fn new(file_name: String, created: u64) -> Self {
        Self {
            id: file_name,
            object: "model",
            created,
            owned_by: "flow",
        }
    }
}

/// `POST /v1/chat/completions`. Fields OpenAI clients send that do not apply here are ignored;
/// ones that would change the answer and are not supported are refused.
#[derive(Deserialize)]
pub(super) struct CompletionRequest {
    model: String,
    messages: Vec<WireMessage>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    max_completion_tokens: Option<u32>,
    #[serde(default)]
    temperature: Option<f32>,
    #[serde(default)]
    top_p: Option<f32>,
    #[serde(default)]
    seed: Option<i64>,
    #[serde(default)]
    stop: Option<Stop>,
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    #[serde(default)]
    response_format: Option<ResponseFormat>,
    #[serde(default)]
    n: Option<u32>,
    #[serde(default)]
    tools: Option<Vec<Value>>,
}

#[derive(Deserialize)]
pub(super) struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Deserialize)]
struct WireMessage {
    role: String,
    #[serde(default)]
    content: Option<Content>,
}

/// A message's content: a string, or parts of which only text is supported.
#[derive(Deserialize)]
#[serde(untagged)]
enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Deserialize)]
struct ContentPart {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchemaFormat },
}

#[derive(Deserialize)]
struct JsonSchemaFormat {
    #[serde(default)]
    schema: Option<Value>,
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::InvalidInput(msg.into())
}

impl CompletionRequest {
    /// The core request, with `request_id` as its id.
    pub fn into_chat(self, request_id: String) -> Result<ChatRequest, AppError> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(invalid("only n = 1 is supported"));
        }
        if self.tools.as_ref().is_some_and(|t| !t.is_empty()) {
            return Err(invalid("tool calls are not supported by local models here"));
        }
        let messages = self
            .messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let role = match m.role.as_str() {
                    "system" | "developer" => ChatRole::System,
                    "user" => ChatRole::User,
                    "assistant" => ChatRole::Assistant,
                    other => {
                        return Err(invalid(format!(
                            "messages[{i}].role `{other}` is not supported (system, developer, user, assistant)"
                        )));
                    }
                };
                let content = match m.content {
                    None => String::new(),
                    Some(Content::Text(text)) => text,
                    Some(Content::Parts(parts)) => parts
                        .into_iter()
                        .map(|p| match (p.kind.as_str(), p.text) {
                            ("text", Some(text)) => Ok(text),
                            (kind, _) => Err(invalid(format!(
                                "messages[{i}] has a `{kind}` part; only text is supported"
                            ))),
                        })
                        .collect::<Result<Vec<_>, _>>()?
                        .join(""),
                };
                Ok(ChatMessage { role, content })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let json_schema = match self.response_format {
            None | Some(ResponseFormat::Text) => None,
            Some(ResponseFormat::JsonObject) => Some(serde_json::json!({"type": "object"})),
            Some(ResponseFormat::JsonSchema { json_schema }) => Some(
                json_schema
                    .schema
                    .ok_or_else(|| invalid("response_format.json_schema.schema is required"))?,
            ),
        };
        let seed = self
            .seed
            .map(|s| u32::try_from(s.rem_euclid(1 << 32)).unwrap_or(0));
        Ok(ChatRequest {
            model: self.model,
            messages,
            max_tokens: self.max_completion_tokens.or(self.max_tokens),
            temperature: self.temperature,
            top_p: self.top_p,
            top_k: None,
            seed,
            stop: self.stop.map(|s| match s {
                Stop::One(s) => vec![s],
                Stop::Many(v) => v,
            }),
            json_schema: json_schema
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| invalid(format!("response_format schema: {e}")))?,
            request_id: Some(request_id),
        })
    }
}

/// OpenAI's name for why generation stopped.
pub(super) fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop | FinishReason::Cancelled => "stop",
        FinishReason::Length => "length",
    }
}

/// Token counts.
#[derive(Serialize)]
pub(super) struct Usage {
    prompt_tokens: u32,
    completion_tokens: u32,
    total_tokens: u32,
}

impl Usage {
    pub fn of(result: &ChatResult) -> Self {
        Self {
            prompt_tokens: result.prompt_tokens,
            completion_tokens: result.completion_tokens,
            total_tokens: result.prompt_tokens + result.completion_tokens,
        }
    }
}

/// Seconds since the epoch, for `created`.
pub(super) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
