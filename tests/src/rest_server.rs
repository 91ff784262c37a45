//! A loopback REST server for the service-node tests: real HTTP on `127.0.0.1:0` with the
//! behaviours the adapter must handle: bearer, basic and API-key (header and query) auth, JSON,
//! 429 with `Retry-After`, 500s that recover, a huge body, a slow endpoint, a header echo, and
//! GitHub-, Slack- and OpenAI-shaped routes. It counts requests per path.
//!
//! Also compiled into `flow-core`'s own integration tests (`#[path]`), so it uses only crates
//! both have: axum, tokio, serde_json, base64, futures-util.

#![allow(dead_code, reason = "each test binary uses a subset")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The credentials the server accepts.
#[derive(Debug, Clone)]
pub struct FixtureSecrets {
    /// `Authorization: Bearer <bearer>`.
    pub bearer: String,
    /// Basic auth user.
    pub username: String,
    /// Basic auth password.
    pub password: String,
    /// `X-Key: <api_key>` or `?api_key=<api_key>`.
    pub api_key: String,
}

#[derive(Default)]
struct Counters {
    hits: HashMap<String, u32>,
}

struct Shared {
    secrets: FixtureSecrets,
    counters: Mutex<Counters>,
}

type S = State<Arc<Shared>>;

/// A running fixture server; stops when dropped.
pub struct RestFixture {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RestFixture {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RestFixture {
    /// Starts the server on a free loopback port (in the current tokio runtime).
    pub async fn start(secrets: FixtureSecrets) -> Self {
        let shared = Arc::new(Shared {
            secrets,
            counters: Mutex::new(Counters::default()),
        });
        let app = router(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fixture");
        let url = format!("http://{}", listener.local_addr().expect("fixture address"));
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("fixture server stopped: {err}");
            }
        });
        Self { url, shared, task }
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> u32 {
        let counters = self.shared.counters.lock().expect("counters");
        counters.hits.get(path).copied().unwrap_or(0)
    }
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

async fn count(State(shared): S, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    *shared
        .counters
        .lock()
        .expect("counters")
        .hits
        .entry(path)
        .or_default() += 1;
    next.run(request).await
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { Json(json!({"service": "fixture"})) }))
        .route("/bearer", get(bearer))
        .route("/user", get(bearer))
        .route("/basic", get(basic))
        .route("/key-header", get(key_header))
        .route("/key-query", get(key_query))
        .route(
            "/json",
            get(|| async { Json(json!({"items": [1, 2, 3], "name": "fixture"})) }),
        )
        .route("/flaky-429", get(flaky_429))
        .route("/flaky-500", get(flaky_500))
        .route("/always-500", get(always_500))
        .route("/always-401", get(always_401))
        .route("/oauth/token", post(oauth_token))
        .route("/status/{code}", get(status))
        .route("/huge", get(huge))
        .route("/slow", get(slow))
        .route("/echo", any(echo))
        .route("/repos/{owner}/{repo}", get(repo))
        .route(
            "/repos/{owner}/{repo}/issues",
            get(list_issues).post(create_issue),
        )
        .route("/auth.test", post(slack_auth_test))
        .route("/chat.postMessage", post(slack_post))
        .route("/conversations.list", get(slack_channels))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .layer(middleware::from_fn_with_state(shared.clone(), count))
        .with_state(shared)
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"message": "Bad credentials"})),
    )
        .into_response()
}

fn has_bearer(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(format!("Bearer {}", shared.secrets.bearer).as_str())
}

async fn bearer(State(shared): S, headers: HeaderMap) -> Response {
    if !has_bearer(&shared, &headers) {
        return unauthorized();
    }
    Json(json!({"ok": true, "auth": "bearer", "login": "fixture-user"})).into_response()
}

async fn basic(State(shared): S, headers: HeaderMap) -> Response {
    use base64::Engine as _;
    let pair = format!("{}:{}", shared.secrets.username, shared.secrets.password);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return unauthorized();
    }
    Json(json!({"ok": true, "auth": "basic"})).into_response()
}

async fn key_header(State(shared): S, headers: HeaderMap) -> Response {
    if headers.get("x-key").and_then(|v| v.to_str().ok()) != Some(shared.secrets.api_key.as_str()) {
        return unauthorized();
    }
    Json(json!({"ok": true, "auth": "apiKey header"})).into_response()
}

async fn key_query(State(shared): S, Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("api_key") != Some(&shared.secrets.api_key) {
        return unauthorized();
    }
    Json(json!({"ok": true, "auth": "apiKey query", "page": q.get("page")})).into_response()
}

fn hits(shared: &Shared, path: &str) -> u32 {
    shared
        .counters
        .lock()
        .expect("counters")
        .hits
        .get(path)
        .copied()
        .unwrap_or(0)
}

async fn flaky_429(State(shared): S) -> Response {
    if hits(&shared, "/flaky-429") == 1 {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            Json(json!({"message": "slow down"})),
        )
            .into_response();
    }
    Json(json!({"ok": true, "after": "429"})).into_response()
}

async fn flaky_500(State(shared): S) -> Response {
    if hits(&shared, "/flaky-500") <= 2 {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"message": "try again"})),
        )
            .into_response();
    }
    Json(json!({"ok": true, "after": "500"})).into_response()
}

async fn always_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"message": "it is broken"})),
    )
        .into_response()
}

async fn always_401() -> Response {
    unauthorized()
}

/// A token endpoint that honours one refresh token and refuses anything else.
async fn oauth_token(body: String) -> Response {
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let refresh = form.get("grant_type").map(String::as_str) == Some("refresh_token")
        && form.get("refresh_token").map(String::as_str) == Some(REFRESH_TOKEN);
    if refresh {
        Json(json!({"access_token": REFRESHED_TOKEN, "token_type": "bearer", "expires_in": 3600}))
            .into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response()
    }
}

async fn status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"message": format!("status {code}")}))).into_response()
}

async fn huge(Query(q): Query<HashMap<String, String>>) -> Response {
    let total: usize = q
        .get("bytes")
        .and_then(|b| b.parse().ok())
        .unwrap_or(11 * 1024 * 1024);
    let chunk = 64 * 1024;
    let chunks = total.div_ceil(chunk);
    // Streamed with no Content-Length, so the cap is enforced while reading.
    let stream = futures_util::stream::iter((0..chunks).map(move |i| {
        let len = chunk.min(total - i * chunk);
        Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; len]))
    }));
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from_stream(stream))
        .expect("huge response")
}

async fn slow(Query(q): Query<HashMap<String, String>>) -> Response {
    let ms: u64 = q.get("ms").and_then(|m| m.parse().ok()).unwrap_or(5_000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Json(json!({"ok": true, "slept": ms})).into_response()
}

async fn echo(request: Request) -> Response {
    let method = request.method().to_string();
    let uri = request.uri().to_string();
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    let body = axum::body::to_bytes(request.into_body(), 1024 * 1024)
        .await
        .unwrap_or_default();
    Json(json!({
        "method": method,
        "uri": uri,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    }))
    .into_response()
}

async fn repo(
    State(shared): S,
    headers: HeaderMap,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    if !has_bearer(&shared, &headers) {
        return unauthorized();
    }
    Json(json!({"full_name": format!("{owner}/{repo}")})).into_response()
}

async fn list_issues(
    State(shared): S,
    headers: HeaderMap,
    Path((owner, repo)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !has_bearer(&shared, &headers) {
        return unauthorized();
    }
    Json(
        json!([{"number": 1, "title": format!("First issue of {owner}/{repo}"),
        "state": q.get("state").cloned().unwrap_or_else(|| "open".into()),
        "per_page": q.get("per_page"),
        "accept": headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())}]),
    )
    .into_response()
}

async fn create_issue(State(shared): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !has_bearer(&shared, &headers) {
        return unauthorized();
    }
    (
        StatusCode::CREATED,
        Json(json!({"number": 2, "title": body["title"], "body": body["body"], "labels": body["labels"]})),
    )
        .into_response()
}

async fn slack_auth_test(State(shared): S, headers: HeaderMap) -> Response {
    if !has_bearer(&shared, &headers) {
        return Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
    }
    Json(json!({"ok": true, "team": "Fixture"})).into_response()
}

async fn slack_post(State(shared): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !has_bearer(&shared, &headers) {
        return Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
    }
    if body["channel"] == "nope" {
        return Json(json!({"ok": false, "error": "channel_not_found"})).into_response();
    }
    Json(json!({"ok": true, "channel": body["channel"], "message": {"text": body["text"]}}))
        .into_response()
}

async fn slack_channels(State(shared): S, headers: HeaderMap) -> Response {
    if !has_bearer(&shared, &headers) {
        return Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
    }
    Json(json!({"ok": true, "channels": [{"id": "C1", "name": "general"}]})).into_response()
}

async fn models(State(shared): S, headers: HeaderMap) -> Response {
    if !has_bearer(&shared, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "Incorrect API key provided"}})),
        )
            .into_response();
    }
    Json(json!({"object": "list", "data": [{"id": "fixture-model", "object": "model"}]}))
        .into_response()
}

/// The answer the chat route gives, in three deltas.
/// The refresh token `/oauth/token` accepts.
pub const REFRESH_TOKEN: &str = "refresh-Secret-2b8e6d4f";
/// The access token `/oauth/token` hands out for it.
pub const REFRESHED_TOKEN: &str = "refreshed-Secret-9a1c5e7b";
/// Streamed chat deltas.
pub const CHAT_DELTAS: [&str; 3] = ["Hello", ", ", "world!"];

async fn chat(State(shared): S, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if !has_bearer(&shared, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "Incorrect API key provided"}})),
        )
            .into_response();
    }
    let model = body["model"].as_str().unwrap_or("unknown").to_owned();
    if body["stream"] != json!(true) {
        return Json(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": CHAT_DELTAS.concat()}}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
        }))
        .into_response();
    }
    let mut frames: Vec<String> = CHAT_DELTAS
        .iter()
        .map(|d| {
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
                "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}]})
            .to_string()
        })
        .collect();
    frames.push(
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        .to_string(),
    );
    frames.push(
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
            "choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}})
        .to_string(),
    );
    frames.push("[DONE]".to_owned());
    let text: String = frames.iter().map(|f| format!("data: {f}\n\n")).collect();
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from(text))
        .expect("chat stream")
}
