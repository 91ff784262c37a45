//! `POST /v1/chat/completions`. Without `stream`, one `chat.completion` object. With it, SSE
//! `chat.completion.chunk` frames (the role, then one per text delta, then the finish reason,
//! then usage when `stream_options.include_usage`), ended by `data: [DONE]`.
//!
//! A streamed request's errors before the first token (unknown model, bad options, a full
//! queue) are plain JSON errors with the right status, because the response starts only once
//! the first token or the result is in. A client that disconnects cancels its generation.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use flow_core::llm::{ChatRequest, ChatResult};
use flow_core::{App, AppError, commands};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::OpenAiError;
use super::wire::{CompletionRequest, Usage, finish_reason, now_secs};
use crate::events_sse::keep_alive;
use crate::json_body::parse;
use crate::router::HttpState;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn completion_id() -> String {
    format!(
        "chatcmpl-{:x}{:04x}",
        now_secs(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}

pub(super) async fn completions(
    State(state): State<HttpState>,
    body: Bytes,
) -> Result<Response, OpenAiError> {
    let request: CompletionRequest = parse(&body)?;
    let stream = request.stream;
    let include_usage = request
        .stream_options
        .as_ref()
        .is_some_and(|o| o.include_usage);
    let id = completion_id();
    let chat = request.into_chat(id.clone())?;
    if !stream {
        let result = commands::llm_chat(&state.app, chat).await?;
        return Ok(axum::Json(completion(&id, &result)).into_response());
    }
    streamed(&state, state.app.clone(), chat, id, include_usage).await
}

fn completion(id: &str, result: &ChatResult) -> Value {
    json!({
        "id": id,
        "object": "chat.completion",
        "created": now_secs(),
        "model": result.model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": result.text},
            "finish_reason": finish_reason(result.finish_reason),
        }],
        "usage": Usage::of(result),
    })
}

/// Where the generation stood when the response started.
enum Outcome {
    /// It ended before producing any text.
    Done(ChatResult),
    /// Text is flowing.
    Running(tokio::task::JoinHandle<Result<ChatResult, AppError>>),
}

fn chunk(id: &str, model: &str, delta: Value, finish: Option<&str>) -> Event {
    data(&json!({
        "id": id,
        "object": "chat.completion.chunk",
        "created": now_secs(),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }))
}

fn data(value: &Value) -> Event {
    Event::default().data(value.to_string())
}

async fn streamed(
    state: &HttpState,
    app: App,
    chat: ChatRequest,
    id: String,
    include_usage: bool,
) -> Result<Response, OpenAiError> {
    let model_name = chat.model.clone();
    let (tx, mut deltas) = mpsc::channel::<String>(256);
    let cancel = CancellationToken::new();
    let generation = tokio::spawn({
        let cancel = cancel.clone();
        async move { commands::llm_chat_stream(&app, chat, tx, cancel).await }
    });
    // The sink closes when generation ends, so `None` here means it ended before any text.
    let first = deltas.recv().await;
    let outcome = match first {
        None => Outcome::Done(
            generation
                .await
                .map_err(|e| AppError::Internal(format!("the generation task stopped: {e}")))??,
        ),
        Some(_) => Outcome::Running(generation),
    };
    let model = match &outcome {
        Outcome::Done(result) => result.model.clone(),
        Outcome::Running(_) => model_name,
    };

    let (frames, out) = mpsc::channel::<Result<Event, Infallible>>(64);
    tokio::spawn(async move {
        // Dropping this (the client went away and a send failed) cancels the generation.
        let _cancel_when_gone = cancel.drop_guard();
        let send = |event: Event| {
            let frames = frames.clone();
            async move { frames.send(Ok(event)).await.is_ok() }
        };
        if !send(chunk(
            &id,
            &model,
            json!({"role": "assistant", "content": ""}),
            None,
        ))
        .await
        {
            return;
        }
        let result = match outcome {
            Outcome::Done(result) => Ok(result),
            Outcome::Running(generation) => {
                let mut next = first;
                while let Some(delta) = next {
                    if !send(chunk(&id, &model, json!({"content": delta}), None)).await {
                        return;
                    }
                    next = deltas.recv().await;
                }
                generation
                    .await
                    .map_err(|e| AppError::Internal(format!("the generation task stopped: {e}")))
                    .and_then(|r| r)
            }
        };
        match result {
            Ok(result) => {
                let reason = finish_reason(result.finish_reason);
                if !send(chunk(&id, &model, json!({}), Some(reason))).await {
                    return;
                }
                if include_usage {
                    let usage = json!({
                        "id": id,
                        "object": "chat.completion.chunk",
                        "created": now_secs(),
                        "model": model,
                        "choices": [],
                        "usage": Usage::of(&result),
                    });
                    if !send(data(&usage)).await {
                        return;
                    }
                }
            }
            Err(err) => {
                let body = json!({"error": {"message": err.message(), "type": "server_error", "code": err.kind()}});
                if !send(data(&body)).await {
                    return;
                }
            }
        }
        if !send(Event::default().data("[DONE]")).await {
            tracing::debug!("the client left before [DONE]");
        }
    });
    Ok(Sse::new(ReceiverStream::new(out))
        .keep_alive(keep_alive(state))
        .into_response())
}
