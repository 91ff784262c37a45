//! The runtime's wire types: chat requests and results, status, and per-model parameters.

use serde::{Deserialize, Serialize};

use crate::json::JsonValue;

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// Instructions that frame the conversation.
    System,
    /// The person asking.
    User,
    /// The model's earlier answers.
    Assistant,
}

impl ChatRole {
    /// The role's name as chat templates spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ChatMessage {
    /// Who wrote it.
    pub role: ChatRole,
    /// What it says.
    pub content: String,
}

/// A request to generate the next assistant message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatRequest {
    /// An installed model: its file name under `llms/`, that name without `.gguf`, or its
    /// catalog id.
    pub model: String,
    /// The conversation so far; the last message is usually the user's.
    pub messages: Vec<ChatMessage>,
    /// Most tokens to generate (default 256; clamped to what the context leaves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature, 0–2 (default 0.7); 0 picks the most likely token every time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches this (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Keep only the this many most likely tokens (default 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Sampling seed: the same seed, request and model give the same text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
    /// Strings that end the answer when generated (not included in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Vec<String>>,
    /// A JSON Schema the answer must match; generation is constrained by a grammar built from it.
    /// Kept as `serde_json` so its key order (which the grammar, hence the answer, follows) is
    /// the caller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<JsonValue>)]
    pub json_schema: Option<serde_json::Value>,
    /// The caller's name for this request: it tags the `llm-token` events and is what
    /// `llm_cancel` takes. One is made up when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum FinishReason {
    /// The model ended its answer or produced a stop string.
    Stop,
    /// `maxTokens` (or the context) ran out.
    Length,
    /// The request was cancelled.
    Cancelled,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatResult {
    /// The request's id (the caller's or a made-up one).
    pub request_id: String,
    /// The model's file name.
    pub model: String,
    /// The generated text.
    pub text: String,
    /// Why it stopped.
    pub finish_reason: FinishReason,
    /// Tokens in the templated prompt.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
    /// Milliseconds from the request reaching the model to the first generated token.
    pub time_to_first_token_ms: f64,
    /// Milliseconds the whole generation took (queue wait and model load excluded).
    pub duration_ms: f64,
    /// Generated tokens per second after the first.
    pub tokens_per_second: f64,
}

/// Per-model runtime parameters, given when a model is loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelParams {
    /// Context window in tokens (default: the model's training context, at most 4096).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size: Option<u32>,
    /// CPU threads for generation and prompt processing (default: every core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<u32>,
    /// Layers offloaded to a GPU when the build has one (default 0: CPU only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_layers: Option<u32>,
}

/// A model resident in memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LoadedModel {
    /// Its file name under `llms/`.
    pub model: String,
    /// Bytes of weights in memory.
    pub size_bytes: f64,
    /// Parameter count.
    pub parameters: f64,
    /// The context length it was trained with.
    pub context_length: u32,
    /// The parameters it was loaded with.
    pub params: ModelParams,
    /// When it was loaded (RFC 3339).
    pub loaded_at: String,
    /// When a request last used it (RFC 3339).
    pub last_used_at: String,
    /// Generations running on it now.
    pub active_requests: u32,
}

/// Memory the runtime accounts for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LlmMemory {
    /// Bytes of weights of the loaded models.
    pub resident_bytes: f64,
    /// The most the loaded models may take together; loading past it evicts the least
    /// recently used model.
    pub budget_bytes: f64,
}

/// The in-process model runtime's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LlmStatus {
    /// Whether local inference is allowed (the `allow_local_ai` setting).
    pub enabled: bool,
    /// Models in memory, most recently used first.
    pub loaded: Vec<LoadedModel>,
    /// How many may stay loaded (the `max_loaded_models` setting).
    pub max_loaded_models: u32,
    /// The OpenAI-compatible endpoint's path on this server.
    pub endpoint: String,
    /// Memory use and budget.
    pub memory: LlmMemory,
    /// Generations running now.
    pub generating: u32,
    /// Requests waiting for an inference slot.
    pub queued: u32,
}

/// Whether `llm_cancel` found the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LlmCancelled {
    /// The request.
    pub request_id: String,
    /// False when no such request was running (it may have finished already).
    pub cancelled: bool,
}
