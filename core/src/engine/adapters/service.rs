//! The `service` adapter: one REST operation of a service descriptor, with the node's
//! connection's credentials.
//!
//! A node names its `service`, an `operation` of that service's descriptor (see
//! [`crate::services`]), a `connection` (empty only where the descriptor allows `none`) and the
//! operation's inputs. The adapter refuses while `allow_services` is off (validation refuses
//! first; this is the second lock), resolves the connection only now, sends the request with
//! the shared client, retries 429/5xx/connection errors (`retries`, default 2) with backoff,
//! bounds each attempt (`timeoutMs`, default 30 s) and the answer (`maxResponseBytes`, default
//! 10 MiB), and logs one line per attempt with secret query values masked. The output is
//! `{status, headers, body}`; a 4xx/5xx after retries, or a network failure, fails the node
//! (with the answer as its output when there was one) so its `fail` edge routes.

pub mod auth;
pub mod probe;
pub mod request;
pub mod response;
pub mod retry;

use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use crate::App;
use crate::engine::{Adapter, AdapterCtx, AdapterError, LogStream, NodeInvocation};
use crate::flows::validate::egress::SERVICES_OFF;
use crate::services::{Operation, ServiceIntegration};
use auth::Auth;
use request::{Body, Prepared};
use response::{Answer, ReadError};

/// An attempt's timeout when a node does not say.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// The most retries a node may ask for.
pub const MAX_RETRIES: u32 = 10;

/// Runs `service` nodes.
#[derive(Debug, Default)]
pub struct ServiceAdapter;

impl Adapter for ServiceAdapter {
    fn name(&self) -> &'static str {
        "service"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<Value, AdapterError>> {
        Box::pin(run(node, ctx))
    }
}

/// Per-node bounds on the exchange.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Each attempt, from connecting to the last body byte.
    pub timeout: Duration,
    /// Extra attempts after a 429, a 5xx or a connection error.
    pub retries: u32,
    /// The longest answer accepted.
    pub max_bytes: u64,
}

fn whole(data: &Map<String, Value>, key: &str) -> Result<Option<u64>, AdapterError> {
    let Some(value) = data.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    value
        .as_u64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        })
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
        .map(Some)
        .ok_or_else(|| {
            AdapterError::Rejected(format!("`{key}` must be a whole number, got {value}"))
        })
}

impl Limits {
    /// Reads `timeoutMs`, `retries` and `maxResponseBytes` from a node's data.
    pub fn from_data(data: &Map<String, Value>) -> Result<Self, AdapterError> {
        let timeout = whole(data, "timeoutMs")?
            .unwrap_or(DEFAULT_TIMEOUT_MS)
            .max(1);
        let retries = whole(data, "retries")?.map_or(retry::DEFAULT_RETRIES, |r| {
            u32::try_from(r).unwrap_or(MAX_RETRIES).min(MAX_RETRIES)
        });
        let max_bytes = whole(data, "maxResponseBytes")?
            .unwrap_or(response::DEFAULT_MAX_BYTES)
            .max(1);
        Ok(Self {
            timeout: Duration::from_millis(timeout),
            retries,
            max_bytes,
        })
    }
}

/// How an exchange ended without an answer to judge.
#[derive(Debug)]
pub enum Failure {
    /// The run was cancelled.
    Cancelled,
    /// No answer: DNS, connect, TLS, timeout, a broken body, an oversized one.
    Transport {
        /// Why, in words.
        reason: String,
        /// Status and headers when the failure came after they arrived (an oversized body).
        partial: Option<Value>,
    },
    /// The credentials could not be had (refresh refused, connection gone).
    Auth(AdapterError),
}

/// Text describing a transport error, without its URL (which may carry a key): the innermost
/// cause says what actually happened (`Connection refused`, a DNS or certificate error).
pub fn describe(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "too many redirects"
    } else if err.is_body() || err.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    let mut innermost = None;
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    match innermost {
        Some(cause) if cause != what => format!("{what}: {cause}"),
        _ => what.to_owned(),
    }
}

fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.as_str().to_owned(),
    }
}

fn millis(d: Duration) -> u128 {
    d.as_millis()
}

/// Sends `prepared` with `auth`, retrying as `limits` allow, logging one line per attempt
/// through `log`; a 401 on an OAuth 2 connection refreshes the token once (not counted as a
/// retry). Returns the answer it settled on, whatever its status.
pub async fn exchange(
    app: &App,
    prepared: &Prepared,
    auth: &mut Auth,
    limits: Limits,
    cancel: &CancellationToken,
    log: &(dyn Fn(LogStream, String) + Send + Sync),
) -> Result<(Answer, u32), Failure> {
    let client = crate::services::http_client().map_err(|e| Failure::Transport {
        reason: e.message().to_owned(),
        partial: None,
    })?;
    let host = host_of(&prepared.url);
    let attempts = limits.retries + 1;
    let mut attempt: u32 = 0;
    let mut refreshed = false;
    loop {
        attempt += 1;
        let shown = format!(
            "{} {}",
            prepared.method,
            auth.url_for_display(&prepared.url)
        );
        let mut request = client
            .request(prepared.method.clone(), auth.url_for_sending(&prepared.url))
            .headers(prepared.headers.clone())
            .timeout(limits.timeout);
        request = match &prepared.body {
            None => request,
            Some(Body::Json(value)) => request.json(value),
            Some(Body::Text(text)) => request.body(text.clone()),
        };
        request = auth.apply(request).map_err(Failure::Auth)?;
        let started = Instant::now();
        let sent = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Failure::Cancelled),
            sent = request.send() => sent,
        };
        let retry_note = |wait: Duration| {
            format!(
                "; retrying in {} ms (attempt {} of {attempts})",
                millis(wait),
                attempt + 1
            )
        };
        let response = match sent {
            Ok(response) => response,
            Err(err) => {
                let why = if err.is_timeout() {
                    format!("no answer from {host} within {} ms", millis(limits.timeout))
                } else {
                    format!("{host}: {}", describe(&err))
                };
                let elapsed = millis(started.elapsed());
                if err.is_connect() && attempt < attempts {
                    let wait = retry::delay(attempt - 1, None);
                    log(
                        LogStream::Stderr,
                        format!("{shown} -> {why} in {elapsed} ms{}", retry_note(wait)),
                    );
                    sleep(wait, cancel).await?;
                    continue;
                }
                log(
                    LogStream::Stderr,
                    format!("{shown} -> {why} in {elapsed} ms"),
                );
                let attempts_note = if attempt > 1 {
                    format!(" (after {attempt} attempts)")
                } else {
                    String::new()
                };
                return Err(Failure::Transport {
                    reason: format!("{why}{attempts_note}"),
                    partial: None,
                });
            }
        };
        let status = response.status();
        let head = format!("{shown} -> {}", status.as_u16());
        if status == reqwest::StatusCode::UNAUTHORIZED && auth.refreshable() && !refreshed {
            refreshed = true;
            attempt -= 1;
            log(
                LogStream::Stderr,
                format!(
                    "{head} in {} ms; refreshing the access token",
                    millis(started.elapsed())
                ),
            );
            auth.refresh(app).await.map_err(Failure::Auth)?;
            continue;
        }
        if retry::retryable(status) && attempt < attempts {
            let asked = retry::retry_after(response.headers(), SystemTime::now());
            let wait = retry::delay(attempt - 1, asked);
            log(
                LogStream::Stderr,
                format!(
                    "{head} in {} ms{}",
                    millis(started.elapsed()),
                    retry_note(wait)
                ),
            );
            drop(response);
            sleep(wait, cancel).await?;
            continue;
        }
        let read = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Failure::Cancelled),
            read = response::read(response, limits.max_bytes) => read,
        };
        let elapsed = millis(started.elapsed());
        return match read {
            Ok(answer) => {
                let stream = if status.is_success() {
                    LogStream::Stdout
                } else {
                    LogStream::Stderr
                };
                log(stream, format!("{head} in {elapsed} ms"));
                Ok((answer, attempt))
            }
            Err(err) => {
                log(LogStream::Stderr, format!("{head} in {elapsed} ms; {err}"));
                let partial = matches!(err, ReadError::TooLarge { .. })
                    .then(|| json!({"status": status.as_u16()}));
                Err(Failure::Transport {
                    reason: format!("{host}: {err}"),
                    partial,
                })
            }
        };
    }
}

async fn sleep(wait: Duration, cancel: &CancellationToken) -> Result<(), Failure> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(Failure::Cancelled),
        () = tokio::time::sleep(wait) => Ok(()),
    }
}

fn text<'a>(data: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    data.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// The operation a node picked (the only one, when the descriptor has one and none is named).
pub fn operation<'a>(
    integration: &'a ServiceIntegration,
    data: &Map<String, Value>,
) -> Result<&'a Operation, AdapterError> {
    match text(data, "operation") {
        Some(id) => integration.operation(id).ok_or_else(|| {
            let ids: Vec<&str> = integration
                .operations
                .iter()
                .map(|o| o.id.as_str())
                .collect();
            AdapterError::Rejected(format!(
                "{} has no operation `{id}` (it has {})",
                integration.name,
                ids.join(", ")
            ))
        }),
        None => match integration.operations.as_slice() {
            [only] => Ok(only),
            _ => Err(AdapterError::Rejected(format!(
                "pick an operation of {}",
                integration.name
            ))),
        },
    }
}

/// Judges an answer: 2xx (and the descriptor's `ok` flag) is the node's output, anything else
/// fails it with the service's words and the answer as output.
fn judge(
    answer: &Answer,
    op: &Operation,
    url: &reqwest::Url,
    attempts: u32,
) -> Result<Value, AdapterError> {
    let output = answer.output(&op.response);
    if answer.succeeded(&op.response) {
        return Ok(output);
    }
    let host = host_of(url);
    let said = answer
        .error_text(&op.response)
        .map(|t| format!(": {t}"))
        .unwrap_or_default();
    let reason = if (200..300).contains(&answer.status) {
        format!("{host} refused the call{said}")
    } else {
        let phrase = reqwest::StatusCode::from_u16(answer.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        let after = if attempts > 1 {
            format!(" (after {attempts} attempts)")
        } else {
            String::new()
        };
        format!("{host} answered {}{phrase}{said}{after}", answer.status)
    };
    Err(AdapterError::Failed {
        reason,
        output: Some(output),
    })
}

async fn run(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Value, AdapterError> {
    let app = ctx
        .app
        .as_ref()
        .and_then(|weak| weak.upgrade())
        .ok_or_else(|| AdapterError::Rejected("service nodes need the app".into()))?;
    if !app.settings().get().await.allow_services {
        return Err(AdapterError::Rejected(SERVICES_OFF.into()));
    }
    let service = text(&node.data, "service")
        .ok_or_else(|| AdapterError::Rejected("a service node needs a `service`".into()))?;
    let integration = app.nodes().service_integration(service).ok_or_else(|| {
        AdapterError::Rejected(format!(
            "no installed node describes the `{service}` service; install it from the Node Hub"
        ))
    })?;
    let op = operation(&integration, &node.data)?;
    let limits = Limits::from_data(&node.data)?;
    let connection = text(&node.data, "connection").unwrap_or_default();
    let resolved = auth::resolve(&app, connection, &integration).await?;
    let base = resolved
        .base_url
        .as_deref()
        .or(integration.base_url.as_deref());
    let prepared =
        request::prepare(&integration, op, &node.data, base).map_err(AdapterError::Rejected)?;
    let mut auth = resolved.auth;
    let node_id = node.node_id.clone();
    let log = move |stream: LogStream, line: String| ctx.log(&node_id, stream, line);
    let redactor = app.credentials().redactor().clone();
    let result = match exchange(&app, &prepared, &mut auth, limits, &ctx.cancel, &log).await {
        Ok((answer, attempts)) => judge(&answer, op, &prepared.url, attempts),
        Err(Failure::Cancelled) => Err(AdapterError::Cancelled),
        Err(Failure::Auth(err)) => Err(err),
        Err(Failure::Transport { reason, partial }) => Err(AdapterError::Failed {
            reason,
            output: partial,
        }),
    };
    // The reporter masks every event too; masking here keeps secrets out of the run memory
    // that later nodes' templates read.
    match result {
        Ok(mut output) => {
            redactor.redact_json(&mut output);
            Ok(output)
        }
        Err(AdapterError::Failed { reason, mut output }) => {
            if let Some(output) = output.as_mut() {
                redactor.redact_json(output);
            }
            Err(AdapterError::Failed {
                reason: redactor.redact(&reason).into_owned(),
                output,
            })
        }
        Err(other) => Err(other),
    }
}
