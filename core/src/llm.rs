//! The in-process model runtime (llama.cpp through `llama-cpp-2`): load, unload and evict
//! models, and generate chat answers on dedicated threads with token deltas on the event bus
//! (`llm-token`), so they reach SSE, WebSocket and IPC alike.
//!
//! Inference never leaves the instance: the runtime reads GGUF files from `llms/` and opens no
//! network connection.

pub mod backend;
pub mod generation;
pub mod prompt;
pub mod queue;
pub mod resident;
pub mod runtime;
pub mod sampling;
pub mod threads;
pub mod types;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use runtime::{Limits, LlmRuntime};
pub use types::{
    ChatMessage, ChatRequest, ChatResult, ChatRole, FinishReason, LlmCancelled, LlmMemory,
    LlmStatus, LoadedModel, ModelParams,
};

use crate::{App, AppError};

/// Tokens generated when a request does not say.
pub const DEFAULT_MAX_TOKENS: u32 = 256;
/// The most tokens one request may ask for.
pub const MAX_TOKENS_LIMIT: u32 = 32_768;

async fn limits(app: &App) -> Limits {
    let settings = app.settings().get().await;
    Limits {
        max_loaded_models: settings.max_loaded_models,
        concurrency: settings.ai_inference_concurrency,
        queue_timeout_ms: settings.ai_inference_queue_timeout_ms,
    }
}

async fn ensure_enabled(app: &App) -> Result<(), AppError> {
    if app.settings().get().await.allow_local_ai {
        Ok(())
    } else {
        Err(AppError::Unavailable(
            "local models are turned off (setting `allow_local_ai`)".into(),
        ))
    }
}

/// The runtime's state, with the settings that shape it.
pub async fn status(app: &App) -> LlmStatus {
    let settings = app.settings().get().await;
    app.llm()
        .status(settings.allow_local_ai, settings.max_loaded_models)
}

/// Loads (warms up) a model so the first request does not wait for it.
pub async fn load(
    app: &App,
    model: &str,
    params: Option<ModelParams>,
) -> Result<LlmStatus, AppError> {
    ensure_enabled(app).await?;
    let runtime = app.llm();
    let file_name = runtime.resolve(app.models().catalog(), model)?;
    runtime
        .load(&file_name, params, limits(app).await.max_loaded_models)
        .await?;
    Ok(status(app).await)
}

/// Unloads one model, or all of them when `model` is `None`.
pub async fn unload(app: &App, model: Option<&str>) -> Result<LlmStatus, AppError> {
    let runtime = app.llm();
    if let Some(name) = model {
        let file_name = runtime.resolve(app.models().catalog(), name)?;
        if runtime.unload(Some(&file_name)).is_empty() {
            return Err(AppError::NotFound(format!("`{file_name}` is not loaded")));
        }
    } else {
        runtime.unload(None);
    }
    Ok(status(app).await)
}

/// Generates an answer (see [`LlmRuntime::chat`]).
pub async fn chat(
    app: &App,
    request: ChatRequest,
    sink: Option<mpsc::Sender<String>>,
    cancel: CancellationToken,
) -> Result<ChatResult, AppError> {
    ensure_enabled(app).await?;
    app.llm()
        .chat(
            request,
            app.models().catalog(),
            limits(app).await,
            sink,
            cancel,
        )
        .await
}
