//! `ai` nodes on an OpenAI-compatible provider: `POST {baseUrl}/chat/completions` with the
//! bearer key of the node's `openai` connection (from the credential store only, never from the
//! flow). `config.baseUrl` defaults to `https://api.openai.com/v1`, so any compatible endpoint
//! works. With `stream` (the default) the answer arrives as SSE and each delta becomes a
//! `node_token` event. The output has the local path's shape:
//! `{text, tokens, promptTokens, model, durationMs, finishReason}` (+ `json` with an
//! `outputSchema`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use crate::App;
use crate::credentials::AuthKind;
use crate::engine::adapters::service::{auth, describe, response, retry};
use crate::engine::{AdapterCtx, AdapterError, ExecutionEventKind, LogStream, NodeInvocation};
use crate::services::ServiceIntegration;
use crate::services::{Fields, Headers, Method, Operation, ResponseSpec, ServiceAuth};

/// The provider name nodes and connections use.
pub const PROVIDER: &str = "openai";
/// Where requests go when the connection names no base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// A whole answer's time limit when the node gives no `timeoutMs`.
const DEFAULT_TIMEOUT_MS: u64 = 120_000;
/// Tokens asked for when the node does not say (as the local path).
const DEFAULT_MAX_TOKENS: u64 = 512;
/// The longest non-streamed answer (or error body) read.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// The provider as a service descriptor, so connections to it resolve and test like any
/// service's (`GET /models` is its test).
pub fn integration() -> ServiceIntegration {
    ServiceIntegration {
        service: PROVIDER.into(),
        name: "OpenAI".into(),
        base_url: Some(DEFAULT_BASE_URL.into()),
        auth: ServiceAuth {
            kinds: vec![AuthKind::Bearer],
            default: Some(AuthKind::Bearer),
            api_key: None,
            oauth2: None,
        },
        help_url: Some("https://platform.openai.com/api-keys".into()),
        test_operation: Some("list-models".into()),
        headers: BTreeMap::new(),
        operations: vec![Operation {
            id: "list-models".into(),
            name: "List models".into(),
            method: Method::Get,
            path: "/models".into(),
            query: Fields::None,
            body: Fields::None,
            headers: Headers::default(),
            input: json!({"type": "object", "properties": {}}),
            response: ResponseSpec::default(),
        }],
    }
}

fn text<'a>(data: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    data.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn whole(data: &Map<String, Value>, key: &str) -> Result<Option<u64>, AdapterError> {
    match data.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            AdapterError::Rejected(format!("`{key}` must be a whole number, got {v}"))
        }),
    }
}

/// The chat completion request body for a node.
fn body(data: &Map<String, Value>, stream: bool) -> Result<Value, AdapterError> {
    let model = text(data, "model")
        .ok_or_else(|| AdapterError::Rejected("an openai ai node needs a `model`".into()))?;
    let prompt = text(data, "prompt")
        .ok_or_else(|| AdapterError::Rejected("an ai node needs a `prompt`".into()))?;
    let mut messages = Vec::new();
    if let Some(system) = text(data, "systemPrompt") {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": prompt}));
    let mut body = json!({
        "model": model,
        "messages": messages,
        "max_tokens": whole(data, "maxTokens")?.unwrap_or(DEFAULT_MAX_TOKENS),
        "stream": stream,
    });
    if stream {
        body["stream_options"] = json!({"include_usage": true});
    }
    if let Some(t) = data.get("temperature").and_then(Value::as_f64) {
        body["temperature"] = json!(t);
    }
    match data.get("outputSchema") {
        None | Some(Value::Null) => {}
        Some(schema @ Value::Object(_)) => {
            body["response_format"] = json!({"type": "json_schema",
                "json_schema": {"name": "output", "schema": schema}});
        }
        Some(other) => {
            return Err(AdapterError::Rejected(format!(
                "`outputSchema` must be a JSON Schema object, got {other}"
            )));
        }
    }
    Ok(body)
}

/// What the provider answered, gathered from a stream or a whole body.
#[derive(Debug, Default)]
struct Gathered {
    text: String,
    model: Option<String>,
    finish_reason: Option<String>,
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    deltas: u64,
}

impl Gathered {
    fn take_usage(&mut self, chunk: &Value) {
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.prompt_tokens = usage["prompt_tokens"].as_u64().or(self.prompt_tokens);
            self.completion_tokens = usage["completion_tokens"]
                .as_u64()
                .or(self.completion_tokens);
        }
        if let Some(model) = chunk["model"].as_str() {
            self.model = Some(model.to_owned());
        }
        if let Some(reason) = chunk
            .pointer("/choices/0/finish_reason")
            .and_then(Value::as_str)
        {
            self.finish_reason = Some(reason.to_owned());
        }
    }
}

fn failed(reason: String, output: Option<Value>) -> AdapterError {
    AdapterError::Failed { reason, output }
}

/// Runs one `ai` node on the provider (the caller checked `cloud_provider_allowed`).
pub async fn run(
    app: &App,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
) -> Result<Value, AdapterError> {
    let id = text(&node.data, "connection").ok_or_else(|| {
        AdapterError::Rejected(
            "an openai ai node needs a `connection` (an OpenAI API key saved in Settings → Connections)"
                .into(),
        )
    })?;
    let stream = node
        .data
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let body = body(&node.data, stream)?;
    let wants_json = body.get("response_format").is_some();
    let integration = integration();
    let resolved = auth::resolve(app, id, &integration).await?;
    let base = resolved.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
    let url = reqwest::Url::parse(&format!("{}/chat/completions", base.trim_end_matches('/')))
        .map_err(|e| AdapterError::Rejected(format!("the connection's base URL: {e}")))?;
    let timeout = Duration::from_millis(
        whole(&node.data, "timeoutMs")?
            .unwrap_or(DEFAULT_TIMEOUT_MS)
            .max(1),
    );
    let client = crate::services::http_client()
        .map_err(|e| AdapterError::Rejected(e.message().to_owned()))?;
    let redactor = app.credentials().redactor().clone();
    let started = Instant::now();

    // Retries cover the request until its answer starts: 429, 5xx, connection errors.
    let mut attempt: u32 = 0;
    let response = loop {
        attempt += 1;
        let request = client.post(url.clone()).json(&body).timeout(timeout);
        let request = resolved.auth.apply(request)?;
        let sent_at = Instant::now();
        let sent = tokio::select! {
            biased;
            () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
            sent = request.send() => sent,
        };
        let elapsed = sent_at.elapsed().as_millis();
        let shown = format!("POST {url}");
        let can_retry = attempt <= retry::DEFAULT_RETRIES;
        match sent {
            Ok(response) if retry::retryable(response.status()) && can_retry => {
                let wait = retry::delay(
                    attempt - 1,
                    retry::retry_after(response.headers(), SystemTime::now()),
                );
                ctx.log(
                    &node.node_id,
                    LogStream::Stderr,
                    format!(
                        "{shown} -> {} in {elapsed} ms; retrying in {} ms",
                        response.status().as_u16(),
                        wait.as_millis()
                    ),
                );
                tokio::select! {
                    biased;
                    () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
                    () = tokio::time::sleep(wait) => {}
                }
            }
            Ok(response) => {
                let stream = if response.status().is_success() {
                    LogStream::Stdout
                } else {
                    LogStream::Stderr
                };
                ctx.log(
                    &node.node_id,
                    stream,
                    format!("{shown} -> {} in {elapsed} ms", response.status().as_u16()),
                );
                break response;
            }
            Err(err) if err.is_connect() && can_retry => {
                let wait = retry::delay(attempt - 1, None);
                ctx.log(
                    &node.node_id,
                    LogStream::Stderr,
                    format!(
                        "{shown} -> {} in {elapsed} ms; retrying in {} ms",
                        describe(&err),
                        wait.as_millis()
                    ),
                );
                tokio::select! {
                    biased;
                    () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
                    () = tokio::time::sleep(wait) => {}
                }
            }
            Err(err) => {
                let why = if err.is_timeout() {
                    format!(
                        "no answer from the provider within {} ms",
                        timeout.as_millis()
                    )
                } else {
                    describe(&err)
                };
                ctx.log(
                    &node.node_id,
                    LogStream::Stderr,
                    format!("{shown} -> {why} in {elapsed} ms"),
                );
                return Err(failed(redactor.redact(&why).into_owned(), None));
            }
        }
    };

    let status = response.status();
    if !status.is_success() {
        let answer = response::read(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| failed(e.to_string(), None))?;
        let said = answer
            .error_text(&ResponseSpec::default())
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        let mut output = json!({"status": answer.status, "body": answer.body});
        redactor.redact_json(&mut output);
        return Err(failed(
            redactor
                .redact(&format!("the provider answered {}{said}", status.as_u16()))
                .into_owned(),
            Some(output),
        ));
    }

    let mut got = Gathered::default();
    if stream && !response::is_json(response.headers()) {
        let mut events = response.bytes_stream().eventsource();
        loop {
            let next = tokio::select! {
                biased;
                () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
                next = events.next() => next,
            };
            let Some(event) = next else { break };
            let event =
                event.map_err(|e| failed(format!("the provider's stream broke off: {e}"), None))?;
            if event.data.trim() == "[DONE]" {
                break;
            }
            let Ok(chunk) = serde_json::from_str::<Value>(&event.data) else {
                continue;
            };
            if let Some(message) = chunk.pointer("/error/message").and_then(Value::as_str) {
                return Err(failed(
                    redactor
                        .redact(&format!("the provider stopped: {message}"))
                        .into_owned(),
                    None,
                ));
            }
            got.take_usage(&chunk);
            if let Some(delta) = chunk
                .pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
                && !delta.is_empty()
            {
                got.text.push_str(delta);
                got.deltas += 1;
                ctx.reporter.emit(ExecutionEventKind::NodeToken {
                    node_id: node.node_id.clone(),
                    delta: delta.to_owned(),
                });
            }
        }
    } else {
        let answer = tokio::select! {
            biased;
            () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
            read = response::read(response, MAX_ANSWER_BYTES) => read,
        }
        .map_err(|e| failed(e.to_string(), None))?;
        got.take_usage(&answer.body);
        got.text = answer
            .body
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
    }

    let model = got
        .model
        .clone()
        .or_else(|| text(&node.data, "model").map(str::to_owned));
    let mut output = json!({
        "text": got.text,
        "tokens": got.completion_tokens.unwrap_or(got.deltas),
        "promptTokens": got.prompt_tokens.unwrap_or(0),
        "model": model,
        "durationMs": (started.elapsed().as_secs_f64() * 1000.0).round(),
        "finishReason": got.finish_reason.unwrap_or_else(|| "stop".into()),
    });
    if wants_json {
        match serde_json::from_str::<Value>(&got.text) {
            Ok(parsed) => output["json"] = parsed,
            Err(e) => {
                redactor.redact_json(&mut output);
                return Err(failed(
                    format!(
                        "the answer is not the JSON the output schema asks for ({e}); raise maxTokens if it was cut off"
                    ),
                    Some(output),
                ));
            }
        }
    }
    redactor.redact_json(&mut output);
    Ok(output)
}
