//! Model runtime commands: status, load, unload, chat and cancel. Generated text streams as
//! [`FlowEvent::LlmToken`](crate::FlowEvent::LlmToken) events while `llm_chat` runs.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::llm::{self, ChatRequest, ChatResult, LlmCancelled, LlmStatus, ModelParams};
use crate::{App, AppError};

pub async fn llm_status(app: &App) -> Result<LlmStatus, AppError> {
    llm::status(app).await
}

pub async fn llm_load(
    app: &App,
    model: Option<String>,
    params: Option<ModelParams>,
) -> Result<LlmStatus, AppError> {
    let model = match model {
        Some(model) => model,
        None => llm::default_model(app).await?,
    };
    llm::load(app, &model, params).await
}

pub async fn llm_unload(app: &App, model: Option<String>) -> Result<LlmStatus, AppError> {
    llm::unload(app, model.as_deref()).await
}

pub async fn llm_chat(app: &App, request: ChatRequest) -> Result<ChatResult, AppError> {
    llm::chat(app, request, None, CancellationToken::new()).await
}

/// Generates the next assistant message for a transport that streams it its own way: each text
/// delta goes to `deltas` (closed when generation ends) and `cancel` stops it (a client that
/// went away). Not in the command table.
pub async fn llm_chat_stream(
    app: &App,
    request: ChatRequest,
    deltas: mpsc::Sender<String>,
    cancel: CancellationToken,
) -> Result<ChatResult, AppError> {
    llm::chat(app, request, Some(deltas), cancel).await
}

pub async fn llm_cancel(app: &App, request_id: String) -> Result<LlmCancelled, AppError> {
    let cancelled = app.llm().cancel(&request_id)?;
    Ok(LlmCancelled {
        request_id,
        cancelled,
    })
}
