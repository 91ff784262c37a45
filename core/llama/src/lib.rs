//! Flow's in-process model runtime (llama.cpp through `llama-cpp-2`): load, unload and evict
//! models, and generate chat answers on dedicated threads with token deltas on the event bus
//! (`llm-token`), so they reach SSE, WebSocket and IPC alike.
//!
//! It implements the core's [`ModelRuntime`](flow_core::llm::ModelRuntime); an edition hands
//! [`runtime()`] to [`AppConfig::with_model_runtime`](flow_core::AppConfig::with_model_runtime).
//! Kept out of `flow-core` so the core builds and tests without compiling llama.cpp.
//!
//! Inference never leaves the instance: the runtime reads GGUF files from `llms/` and opens no
//! network connection.

pub mod backend;
pub mod generation;
pub mod prompt;
pub mod resident;
pub mod runtime;
pub mod sampling;
pub mod threads;

use std::sync::Arc;

use flow_core::llm::{ModelRuntime, ModelRuntimeFactory};

pub use runtime::LlamaRuntime;

/// The factory that gives an app the llama.cpp runtime over its `llms/`.
pub fn runtime() -> ModelRuntimeFactory {
    ModelRuntimeFactory::new(|setup| {
        Arc::new(LlamaRuntime::new(setup.llms_dir, setup.bus)) as Arc<dyn ModelRuntime>
    })
}
