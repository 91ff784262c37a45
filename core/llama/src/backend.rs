//! The process-wide llama.cpp backend: initialised once, on first use, with its logs routed to
//! `tracing` (llama.cpp would otherwise print to stderr).

use std::sync::OnceLock;

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::{LogOptions, send_logs_to_tracing};

use flow_core::AppError;

static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

/// The backend, initialising it on the first call.
pub fn backend() -> Result<&'static LlamaBackend, AppError> {
    let result = BACKEND.get_or_init(|| {
        send_logs_to_tracing(LogOptions::default());
        LlamaBackend::init().map_err(|e| e.to_string())
    });
    result
        .as_ref()
        .map_err(|e| AppError::Unavailable(format!("the llama.cpp backend did not start: {e}")))
}
