//! The seam between the core and a model runtime: the [`ModelRuntime`] trait the `llm`
//! commands and the `ai` adapter call, the factory an edition hands the app to build one, and
//! [`NoModelRuntime`], what an app opened without one answers.
//!
//! The runtime itself (llama.cpp) lives in the `flow-llama` crate, so the core builds and
//! tests without compiling llama.cpp.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::types::{ChatRequest, ChatResult, LlmStatus, ModelParams};
use crate::{AppError, EventBus};

/// What the runtime reads from the settings on each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `max_loaded_models`.
    pub max_loaded_models: u32,
    /// `ai_inference_concurrency`.
    pub concurrency: u32,
    /// `ai_inference_queue_timeout_ms`.
    pub queue_timeout_ms: u32,
}

/// A model runtime: resident models, loading and evicting them, and chat generation.
///
/// Model names reaching it are already resolved to a file name under `llms/` (see
/// [`crate::llm::resolve`]); settings reach it as arguments, read on every call.
pub trait ModelRuntime: Send + Sync + std::fmt::Debug {
    /// The runtime's state, with the settings that shape it.
    fn status(&self, enabled: bool, max_loaded_models: u32) -> Result<LlmStatus, AppError>;

    /// Makes `file_name` resident (evicting others past the limits); a no-op when it already is
    /// with the same parameters.
    fn load<'a>(
        &'a self,
        file_name: &'a str,
        params: Option<ModelParams>,
        max_loaded_models: u32,
    ) -> BoxFuture<'a, Result<(), AppError>>;

    /// Unloads one model, or every model when `file_name` is `None`; returns what was unloaded.
    fn unload(&self, file_name: Option<&str>) -> Result<Vec<String>, AppError>;

    /// Whether a model is resident.
    fn is_loaded(&self, file_name: &str) -> bool;

    /// Generates the next assistant message with the model `file_name`. Each text delta is
    /// published as an `llm-token` event and, when `sink` is given, sent there too (a closed
    /// sink cancels); `cancel` stops the generation and it resolves with the text so far.
    fn chat<'a>(
        &'a self,
        file_name: String,
        request: ChatRequest,
        limits: Limits,
        sink: Option<mpsc::Sender<String>>,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<ChatResult, AppError>>;

    /// Cancels a running or queued request; false when there is none by that id.
    fn cancel(&self, request_id: &str) -> Result<bool, AppError>;
}

/// What a runtime is built from when the app opens.
#[derive(Clone)]
pub struct RuntimeSetup {
    /// Where the installed models lie (`<data dir>/llms`).
    pub llms_dir: PathBuf,
    /// The bus its `llm-changed` and `llm-token` events go to.
    pub bus: Arc<EventBus>,
}

type Build = dyn Fn(RuntimeSetup) -> Arc<dyn ModelRuntime> + Send + Sync;

/// Builds an app's model runtime once its models directory and bus exist (the editions pass
/// `flow_llama::runtime()`).
#[derive(Clone)]
pub struct ModelRuntimeFactory(Arc<Build>);

impl ModelRuntimeFactory {
    /// A factory calling `build`.
    pub fn new(
        build: impl Fn(RuntimeSetup) -> Arc<dyn ModelRuntime> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(build))
    }

    /// The runtime for one app.
    pub fn build(&self, setup: RuntimeSetup) -> Arc<dyn ModelRuntime> {
        (self.0)(setup)
    }
}

impl std::fmt::Debug for ModelRuntimeFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModelRuntimeFactory")
    }
}

/// The runtime of an app opened without one: nothing is ever loaded, and every call that
/// would need a model says so.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoModelRuntime;

impl NoModelRuntime {
    fn unavailable() -> AppError {
        AppError::Unavailable(
            "this build has no model runtime (the app was opened without `flow-llama`)".into(),
        )
    }
}

impl ModelRuntime for NoModelRuntime {
    fn status(&self, _enabled: bool, _max_loaded_models: u32) -> Result<LlmStatus, AppError> {
        Err(Self::unavailable())
    }

    fn load<'a>(
        &'a self,
        _file_name: &'a str,
        _params: Option<ModelParams>,
        _max_loaded_models: u32,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Err(Self::unavailable()) })
    }

    fn unload(&self, _file_name: Option<&str>) -> Result<Vec<String>, AppError> {
        Err(Self::unavailable())
    }

    fn is_loaded(&self, _file_name: &str) -> bool {
        false
    }

    fn chat<'a>(
        &'a self,
        _file_name: String,
        _request: ChatRequest,
        _limits: Limits,
        _sink: Option<mpsc::Sender<String>>,
        _cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<ChatResult, AppError>> {
        Box::pin(async { Err(Self::unavailable()) })
    }

    fn cancel(&self, _request_id: &str) -> Result<bool, AppError> {
        Err(Self::unavailable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ChatMessage;
    use crate::{App, AppConfig, Edition, commands};

    #[tokio::test]
    async fn an_app_without_a_runtime_says_so_and_still_deletes_models() {
        let dir = tempfile::tempdir().unwrap();
        let config = AppConfig::new(dir.path().join("data"), Edition::Server, dir.path());
        let app = App::open(config).unwrap();
        let file = app.models().llms_dir().join("some.gguf");
        std::fs::write(&file, b"GGUF").unwrap();

        let unavailable = |err: AppError| {
            assert_eq!(err.kind(), "Unavailable");
            assert!(err.message().contains("no model runtime"), "{err}");
        };
        unavailable(commands::llm_status(&app).await.unwrap_err());
        unavailable(commands::llm_unload(&app, None).await.unwrap_err());
        unavailable(commands::llm_cancel(&app, "x".into()).await.unwrap_err());
        unavailable(
            commands::llm_load(&app, Some("some".into()), None)
                .await
                .unwrap_err(),
        );
        let request = ChatRequest {
            model: "some.gguf".into(),
            messages: vec![ChatMessage {
                role: crate::llm::ChatRole::User,
                content: "Hi".into(),
            }],
            ..ChatRequest::default()
        };
        unavailable(commands::llm_chat(&app, request).await.unwrap_err());
        // A name that matches no installed file is still the caller's mistake.
        let err = commands::llm_load(&app, Some("missing".into()), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "NotFound");

        commands::model_delete(&app, "some.gguf".into())
            .await
            .unwrap();
        assert!(!file.exists());
    }
}
