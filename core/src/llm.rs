//! Local models as the core sees them: the wire types, the [`ModelRuntime`] seam, the inference
//! queue runtimes share, and the app-level calls (status, load, unload, chat) that apply the
//! settings and resolve model names before reaching the runtime.
//!
//! The runtime itself (llama.cpp: resident models, generation threads, sampling) is the
//! `flow-llama` crate, injected by each edition through
//! [`AppConfig::model_runtime`](crate::AppConfig::model_runtime); an app opened without one
//! answers every model call with [`AppError::Unavailable`].

pub mod queue;
pub mod runtime;
pub mod types;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use runtime::{Limits, ModelRuntime, ModelRuntimeFactory, NoModelRuntime, RuntimeSetup};
pub use types::{
    ChatMessage, ChatRequest, ChatResult, ChatRole, FinishReason, LlmCancelled, LlmMemory,
    LlmStatus, LoadedModel, ModelParams,
};

use crate::models::catalog::is_bare_gguf_name;
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

/// The installed file a name refers to: a file name under `llms/`, the same without `.gguf`,
/// or a catalog id.
pub fn resolve(app: &App, name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::InvalidInput("no model named".into()));
    }
    let mut candidates = vec![name.to_owned(), format!("{name}.gguf")];
    if let Some(entry) = app.models().catalog().iter().find(|m| m.id == name) {
        candidates.push(entry.file_name.clone());
    }
    let llms_dir = app.models().llms_dir();
    candidates
        .into_iter()
        .find(|c| is_bare_gguf_name(c) && llms_dir.join(c).is_file())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no installed model `{name}`; download it from the Model Hub or import a GGUF file"
            ))
        })
}

/// The runtime's state, with the settings that shape it.
pub async fn status(app: &App) -> Result<LlmStatus, AppError> {
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
    let file_name = resolve(app, model)?;
    app.llm()
        .load(&file_name, params, limits(app).await.max_loaded_models)
        .await?;
    status(app).await
}

/// Unloads one model, or all of them when `model` is `None`.
pub async fn unload(app: &App, model: Option<&str>) -> Result<LlmStatus, AppError> {
    let runtime = app.llm();
    if let Some(name) = model {
        let file_name = resolve(app, name)?;
        if runtime.unload(Some(&file_name))?.is_empty() {
            return Err(AppError::NotFound(format!("`{file_name}` is not loaded")));
        }
    } else {
        runtime.unload(None)?;
    }
    status(app).await
}

/// The model to use when none is named: the one loaded (most recently used first), else the
/// first installed model that reads.
pub async fn default_model(app: &App) -> Result<String, AppError> {
    if let Some(resident) = status(app).await?.loaded.first() {
        return Ok(resident.model.clone());
    }
    crate::models::installed_models(app)
        .await?
        .into_iter()
        .find(|m| m.error.is_none())
        .map(|m| m.file_name)
        .ok_or_else(|| {
            AppError::NotFound(
                "no model is installed; download one from the Model Hub first".into(),
            )
        })
}

/// Generates an answer (see [`ModelRuntime::chat`]).
pub async fn chat(
    app: &App,
    request: ChatRequest,
    sink: Option<mpsc::Sender<String>>,
    cancel: CancellationToken,
) -> Result<ChatResult, AppError> {
    ensure_enabled(app).await?;
    let file_name = resolve(app, &request.model)?;
    app.llm()
        .chat(file_name, request, limits(app).await, sink, cancel)
        .await
}
