//! The llama.cpp runtime: which models are resident, loading and evicting them, and running
//! chat requests through the inference queue on generation threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use flow_core::llm::queue::InferenceQueue;
use flow_core::llm::{
    ChatRequest, ChatResult, DEFAULT_MAX_TOKENS, FinishReason, Limits, LlmMemory, LlmStatus,
    MAX_TOKENS_LIMIT, ModelParams, ModelRuntime,
};
use flow_core::{AppError, EventBus, FlowEvent};
use futures_util::future::BoxFuture;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::backend::backend;
use crate::generation::{self, Job};
use crate::prompt;
use crate::resident::{self, ResidentModel};
use crate::sampling::SamplingPlan;
use crate::threads::GenerationThreads;

/// The model runtime of one app.
pub struct LlamaRuntime {
    llms_dir: PathBuf,
    bus: Arc<EventBus>,
    resident: Mutex<Vec<Arc<ResidentModel>>>,
    loading: tokio::sync::Mutex<()>,
    queue: InferenceQueue,
    requests: Mutex<HashMap<String, CancellationToken>>,
    next_request: AtomicU64,
    budget_bytes: u64,
    threads: GenerationThreads,
}

impl std::fmt::Debug for LlamaRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlamaRuntime")
            .field("llms_dir", &self.llms_dir)
            .field("budget_bytes", &self.budget_bytes)
            .finish_non_exhaustive()
    }
}

/// Removes a request from the cancel registry when its generation ends, however it ends.
struct Registered<'a> {
    runtime: &'a LlamaRuntime,
    id: String,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.runtime.requests().remove(&self.id);
    }
}

impl LlamaRuntime {
    /// A runtime over the models in `llms_dir`, with nothing loaded.
    pub fn new(llms_dir: PathBuf, bus: Arc<EventBus>) -> Self {
        Self {
            llms_dir,
            bus,
            resident: Mutex::new(Vec::new()),
            loading: tokio::sync::Mutex::new(()),
            queue: InferenceQueue::default(),
            requests: Mutex::new(HashMap::new()),
            next_request: AtomicU64::new(1),
            budget_bytes: resident::default_budget_bytes(),
            threads: GenerationThreads::default(),
        }
    }

    fn resident(&self) -> MutexGuard<'_, Vec<Arc<ResidentModel>>> {
        self.resident.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn requests(&self) -> MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The resident model named `file_name`, loading it (and evicting others) if needed.
    pub async fn load(
        &self,
        file_name: &str,
        params: Option<ModelParams>,
        max_loaded_models: u32,
    ) -> Result<Arc<ResidentModel>, AppError> {
        if let Some(found) = self.touch(file_name, params.as_ref()) {
            return Ok(found);
        }
        let _one_load_at_a_time = self.loading.lock().await;
        // Another caller may have loaded it while we waited.
        if let Some(found) = self.touch(file_name, params.as_ref()) {
            return Ok(found);
        }
        let params = params.unwrap_or_default();
        let path = self.llms_dir.join(file_name);
        let incoming = std::fs::metadata(&path)
            .map_err(|e| AppError::io(format!("reading {}", path.display()), e))?
            .len();
        let evicted = {
            let mut resident = self.resident();
            // A reload with other parameters replaces the resident copy.
            resident.retain(|m| m.name != file_name);
            let sizes: Vec<(String, u64)> = resident
                .iter()
                .map(|m| (m.name.clone(), m.size_bytes()))
                .collect();
            let evict = resident::to_evict(
                &sizes,
                incoming,
                max_loaded_models as usize,
                self.budget_bytes,
            );
            resident.retain(|m| !evict.contains(&m.name));
            evict
        };
        for name in evicted {
            tracing::info!(model = %name, "evicted (least recently used)");
            self.changed(&name, "evicted");
        }
        let name = file_name.to_owned();
        let loaded_params = params.clone();
        let model = tokio::task::spawn_blocking(move || load_weights(&path, &loaded_params))
            .await
            .map_err(|e| AppError::Internal(format!("loading {name} stopped: {e}")))??;
        let resident_model = Arc::new(ResidentModel::new(file_name.to_owned(), model, params));
        self.resident().insert(0, resident_model.clone());
        tracing::info!(model = %file_name, bytes = resident_model.size_bytes(), "model loaded");
        self.changed(file_name, "loaded");
        Ok(resident_model)
    }

    /// Moves a resident model to the front; `None` when it is not resident (or was loaded with
    /// other parameters than the ones asked for).
    fn touch(&self, file_name: &str, params: Option<&ModelParams>) -> Option<Arc<ResidentModel>> {
        let mut resident = self.resident();
        let at = resident
            .iter()
            .position(|m| m.name == file_name && params.is_none_or(|p| *p == m.params))?;
        let model = resident.remove(at);
        resident.insert(0, model.clone());
        Some(model)
    }

    /// Unloads one model, or every model when `file_name` is `None`; returns what was unloaded.
    /// Generations already running on it finish first, then its memory is freed.
    pub fn unload(&self, file_name: Option<&str>) -> Vec<String> {
        let gone: Vec<String> = {
            let mut resident = self.resident();
            let (go, stay): (Vec<_>, Vec<_>) = resident
                .drain(..)
                .partition(|m| file_name.is_none_or(|n| m.name == n));
            *resident = stay;
            go.into_iter().map(|m| m.name.clone()).collect()
        };
        for name in &gone {
            tracing::info!(model = %name, "model unloaded");
            self.changed(name, "unloaded");
        }
        gone
    }

    /// Whether a model is resident.
    pub fn is_loaded(&self, file_name: &str) -> bool {
        self.resident().iter().any(|m| m.name == file_name)
    }

    /// The runtime's state.
    pub fn status(&self, enabled: bool, max_loaded_models: u32) -> LlmStatus {
        let loaded: Vec<_> = self.resident().iter().map(|m| m.info()).collect();
        LlmStatus {
            enabled,
            memory: LlmMemory {
                resident_bytes: loaded.iter().map(|m| m.size_bytes).sum(),
                budget_bytes: self.budget_bytes as f64,
            },
            loaded,
            max_loaded_models,
            endpoint: "/v1".into(),
            generating: self.queue.active(),
            queued: self.queue.waiting(),
        }
    }

    /// Cancels a running or queued request; false when there is none by that id.
    pub fn cancel(&self, request_id: &str) -> bool {
        match self.requests().get(request_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Generates the next assistant message (see [`ModelRuntime::chat`]). The request waits
    /// for an inference slot, then loads its model if it is not resident.
    pub async fn chat(
        &self,
        file_name: String,
        request: ChatRequest,
        limits: Limits,
        sink: Option<mpsc::Sender<String>>,
        cancel: CancellationToken,
    ) -> Result<ChatResult, AppError> {
        let max_tokens = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        if !(1..=MAX_TOKENS_LIMIT).contains(&max_tokens) {
            return Err(AppError::InvalidInput(format!(
                "maxTokens must be between 1 and {MAX_TOKENS_LIMIT}, got {max_tokens}"
            )));
        }
        if request.messages.is_empty() {
            return Err(AppError::InvalidInput(
                "a chat request needs at least one message".into(),
            ));
        }
        let sampling = SamplingPlan::new(
            request.temperature,
            request.top_p,
            request.top_k,
            request.seed,
            request.json_schema.as_ref(),
        )?;
        let request_id = match request.request_id.clone() {
            Some(id) if id.trim().is_empty() || id.len() > 128 => {
                return Err(AppError::InvalidInput(
                    "requestId must be 1 to 128 characters".into(),
                ));
            }
            Some(id) => id,
            None => format!("chat-{}", self.next_request.fetch_add(1, Ordering::Relaxed)),
        };
        let _registered = {
            let mut requests = self.requests();
            if requests.contains_key(&request_id) {
                return Err(AppError::Conflict(format!(
                    "a request `{request_id}` is already running"
                )));
            }
            requests.insert(request_id.clone(), cancel.clone());
            Registered {
                runtime: self,
                id: request_id.clone(),
            }
        };
        // If the caller goes away (a dropped HTTP request), the generation stops too.
        let _stop_when_dropped = cancel.clone().drop_guard();

        let slot = tokio::select! {
            slot = self.queue.acquire(
                limits.concurrency,
                Duration::from_millis(u64::from(limits.queue_timeout_ms)),
            ) => slot.map_err(|e| AppError::Unavailable(e.to_string()))?,
            () = cancel.cancelled() => {
                return Ok(ChatResult {
                    request_id,
                    model: file_name,
                    text: String::new(),
                    finish_reason: FinishReason::Cancelled,
                    prompt_tokens: 0,
                    completion_tokens: 0,
                    time_to_first_token_ms: 0.0,
                    duration_ms: 0.0,
                    tokens_per_second: 0.0,
                });
            }
        };
        let model = self
            .load(&file_name, None, limits.max_loaded_models)
            .await?;
        let in_use = model.use_now();
        let prompt_text = prompt::render(&model.model, &request.messages)?;
        let job = Job {
            model,
            prompt: prompt_text,
            sampling,
            max_tokens,
            stop: request.stop.clone().unwrap_or_default(),
            cancel: cancel.clone(),
        };
        let (done_tx, done_rx) = oneshot::channel();
        let bus = self.bus.clone();
        let event_model = file_name.clone();
        let event_request = request_id.clone();
        self.threads.run(move || {
            let mut index = 0u32;
            let result = generation::run(&job, |delta| {
                bus.publish(FlowEvent::LlmToken {
                    request_id: event_request.clone(),
                    model: event_model.clone(),
                    delta: delta.to_owned(),
                    index,
                });
                index += 1;
                sink.as_ref()
                    .is_none_or(|tx| tx.blocking_send(delta.to_owned()).is_ok())
            });
            drop((in_use, slot));
            if done_tx.send(result).is_err() {
                tracing::debug!("a generation finished after its caller left");
            }
        })?;
        let generated = done_rx
            .await
            .map_err(|_| AppError::Internal("the generation thread stopped".into()))??;
        let after_first = generated.duration_ms - generated.ttft_ms;
        Ok(ChatResult {
            request_id,
            model: file_name,
            tokens_per_second: if generated.completion_tokens > 1 && after_first > 0.0 {
                f64::from(generated.completion_tokens - 1) * 1000.0 / after_first
            } else {
                0.0
            },
            text: generated.text,
            finish_reason: generated.finish,
            prompt_tokens: generated.prompt_tokens,
            completion_tokens: generated.completion_tokens,
            time_to_first_token_ms: generated.ttft_ms,
            duration_ms: generated.duration_ms,
        })
    }

    fn changed(&self, model: &str, change: &str) {
        self.bus.publish(FlowEvent::LlmChanged {
            model: model.to_owned(),
            change: change.to_owned(),
        });
    }
}

impl ModelRuntime for LlamaRuntime {
    fn status(&self, enabled: bool, max_loaded_models: u32) -> Result<LlmStatus, AppError> {
        Ok(LlamaRuntime::status(self, enabled, max_loaded_models))
    }

    fn load<'a>(
        &'a self,
        file_name: &'a str,
        params: Option<ModelParams>,
        max_loaded_models: u32,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            LlamaRuntime::load(self, file_name, params, max_loaded_models)
                .await
                .map(drop)
        })
    }

    fn unload(&self, file_name: Option<&str>) -> Result<Vec<String>, AppError> {
        Ok(LlamaRuntime::unload(self, file_name))
    }

    fn is_loaded(&self, file_name: &str) -> bool {
        LlamaRuntime::is_loaded(self, file_name)
    }

    fn chat<'a>(
        &'a self,
        file_name: String,
        request: ChatRequest,
        limits: Limits,
        sink: Option<mpsc::Sender<String>>,
        cancel: CancellationToken,
    ) -> BoxFuture<'a, Result<ChatResult, AppError>> {
        Box::pin(LlamaRuntime::chat(
            self, file_name, request, limits, sink, cancel,
        ))
    }

    fn cancel(&self, request_id: &str) -> Result<bool, AppError> {
        Ok(LlamaRuntime::cancel(self, request_id))
    }
}

fn load_weights(path: &Path, params: &ModelParams) -> Result<LlamaModel, AppError> {
    let mut model_params = LlamaModelParams::default();
    if let Some(layers) = params.gpu_layers {
        model_params = model_params.with_n_gpu_layers(layers);
    }
    LlamaModel::load_from_file(backend()?, path, &model_params).map_err(|e| {
        AppError::InvalidInput(format!(
            "{} could not be loaded as a model: {e}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ))
    })
}
