//! Service nodes in process against a real loopback REST server: every auth kind, retries
//! (429 with `Retry-After`, 500s), failures routed to `fail` edges with the answer, the size
//! cap, timeouts, connect errors, cancellation, masked secrets in output/logs/history, the
//! egress gates (validation and the adapter), the GitHub and Slack descriptors, a descriptor
//! added as a file, the OpenAI-compatible provider, and `connection_test`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;
#[path = "../../tests/src/rest_server.rs"]
mod rest_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Env, edge, env, graph, run_to_end, start, utility};
use flow_core::credentials::{AuthKind, ConnectionConfig, ConnectionInput, KeyPlacement};
use flow_core::engine::adapters::service::ServiceAdapter;
use flow_core::engine::{
    Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation, NodeReporter,
    RunOptions, RunStatus,
};
use flow_core::settings::SettingsPatch;
use flow_core::{App, AppError, commands};
use rest_server::{CHAT_DELTAS, FixtureSecrets, RestFixture, closed_port};
use serde_json::{Value, json};

const BEARER: &str = "bearer-Secret-7f3a9c1d";
const PASSWORD: &str = "basic-Pass-4b8e2a6f";
/// Holds characters a query string encodes (a space is `+` there, `%20` elsewhere).
const API_KEY: &str = "apikey Value/9d1c+5e3b";

fn secrets() -> FixtureSecrets {
    FixtureSecrets {
        bearer: BEARER.into(),
        username: "fixture".into(),
        password: PASSWORD.into(),
        api_key: API_KEY.into(),
    }
}

async fn allow(app: &App, services: bool, cloud: bool) {
    commands::settings_update(
        app,
        SettingsPatch {
            allow_services: Some(services),
            allow_cloud_ai: Some(cloud),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn save(
    app: &App,
    name: &str,
    service: &str,
    auth: AuthKind,
    config: ConnectionConfig,
    secret: Option<&str>,
) -> String {
    commands::connection_save(
        app,
        ConnectionInput {
            id: None,
            name: name.into(),
            service: service.into(),
            auth,
            config,
            secret: secret.map(str::to_owned),
        },
    )
    .await
    .unwrap()
    .id
}

fn base(url: &str) -> ConnectionConfig {
    ConnectionConfig {
        base_url: Some(url.into()),
        ..Default::default()
    }
}

/// An HTTP Request node.
fn http(id: &str, data: Value) -> Value {
    let mut d = json!({"service": "http", "operation": "request"});
    d.as_object_mut()
        .unwrap()
        .extend(data.as_object().unwrap().clone());
    json!({"id": id, "type": "service", "data": d})
}

fn output_of(w: &common::Watch, node: &str) -> Value {
    w.kinds_of(node)
        .iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output.clone()),
            ExecutionEventKind::NodeFailed { output, .. } => output.clone(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no output for {node}: {:?}", w.events))
}

fn logs_of(w: &common::Watch, node: &str) -> Vec<String> {
    w.kinds_of(node)
        .iter()
        .filter_map(|k| match k {
            ExecutionEventKind::NodeLog { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

async fn ready() -> (Env, RestFixture) {
    let e = env();
    allow(&e.app, true, false).await;
    (e, RestFixture::start(secrets()).await)
}

#[tokio::test]
async fn bearer_basic_and_api_key_auth_reach_the_service() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let bearer = save(
        app,
        "Bearer",
        "http",
        AuthKind::Bearer,
        base(&fx.url),
        Some(BEARER),
    )
    .await;
    let basic = save(
        app,
        "Basic",
        "http",
        AuthKind::Basic,
        ConnectionConfig {
            username: Some("fixture".into()),
            ..base(&fx.url)
        },
        Some(PASSWORD),
    )
    .await;
    let header_key = save(
        app,
        "Header key",
        "http",
        AuthKind::ApiKey,
        ConnectionConfig {
            key_name: Some("X-Key".into()),
            key_in: Some(KeyPlacement::Header),
            ..base(&fx.url)
        },
        Some(API_KEY),
    )
    .await;
    let query_key = save(
        app,
        "Query key",
        "http",
        AuthKind::ApiKey,
        ConnectionConfig {
            key_name: Some("api_key".into()),
            key_in: Some(KeyPlacement::Query),
            ..base(&fx.url)
        },
        Some(API_KEY),
    )
    .await;
    let g = graph(
        json!([
            http("b", json!({"connection": bearer, "url": "/bearer"})),
            http("s", json!({"connection": basic, "url": "/basic"})),
            http("h", json!({"connection": header_key, "url": "/key-header"})),
            http(
                "q",
                json!({"connection": query_key, "url": "/key-query", "query": {"page": 2}})
            ),
            http("open", json!({"url": format!("{}/json", fx.url)})),
            http("wrong", json!({"connection": bearer, "url": "/basic"}))
        ]),
        json!([]),
    );
    let (w, status) = run_to_end(app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed, "`wrong` has no fail edge");
    for (node, auth) in [
        ("b", "bearer"),
        ("s", "basic"),
        ("h", "apiKey header"),
        ("q", "apiKey query"),
    ] {
        assert!(w.succeeded(node), "{node}: {:?}", w.failed(node));
        let out = output_of(&w, node);
        assert_eq!(out["status"], 200);
        assert_eq!(out["body"]["auth"], auth);
        assert!(
            out["headers"]["content-type"]
                .as_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    assert_eq!(output_of(&w, "q")["body"]["page"], "2");
    assert_eq!(
        output_of(&w, "open")["body"],
        json!({"items": [1, 2, 3], "name": "fixture"})
    );
    // One log line per attempt, the query key masked.
    let lines = logs_of(&w, "q");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let expected = format!("GET {}/key-query?page=2&api_key=*** -> 200 in ", fx.url);
    assert!(lines[0].starts_with(&expected), "{lines:?}");
    assert!(lines[0].ends_with(" ms"), "{lines:?}");
    // A wrong credential is the service's 401, not retried.
    let failed = w.failed("wrong").unwrap();
    assert!(
        failed.contains("answered 401 Unauthorized: Bad credentials"),
        "{failed}"
    );
    assert_eq!(output_of(&w, "wrong")["status"], 401);
    assert_eq!(fx.hits("/basic"), 2);
}

#[tokio::test]
async fn retries_honour_retry_after_and_back_off_on_5xx() {
    let (e, fx) = ready().await;
    let g = graph(
        json!([
            http("limited", json!({"url": format!("{}/flaky-429", fx.url)})),
            http("flaky", json!({"url": format!("{}/flaky-500", fx.url)}))
        ]),
        json!([]),
    );
    let started = Instant::now();
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(fx.hits("/flaky-429"), 2);
    assert_eq!(fx.hits("/flaky-500"), 3);
    assert_eq!(output_of(&w, "flaky")["body"]["after"], "500");
    let lines = logs_of(&w, "limited");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("-> 429 in ")
            && lines[0].contains("retrying in 1000 ms (attempt 2 of 3)"),
        "{lines:?}"
    );
    assert!(lines[1].contains("-> 200 in "), "{lines:?}");
    assert_eq!(logs_of(&w, "flaky").len(), 3);
}

#[tokio::test]
async fn failures_route_the_fail_edge_with_the_answer() {
    let (e, fx) = ready().await;
    let g = graph(
        json!([
            http("missing", json!({"url": format!("{}/status/404", fx.url)})),
            utility(
                "handled",
                "log",
                json!({"message": "got {{missing.status}}"})
            ),
            http(
                "broken",
                json!({"url": format!("{}/always-500", fx.url), "retries": 1})
            ),
            utility("after", "log", json!({"message": "never"}))
        ]),
        json!([
            edge("missing", "handled", "fail"),
            edge("broken", "after", "pass")
        ]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed);
    let why = w.failed("missing").unwrap();
    assert_eq!(
        why,
        format!(
            "{} answered 404 Not Found: status 404",
            fx.url.trim_start_matches("http://")
        )
    );
    assert_eq!(output_of(&w, "missing")["body"]["message"], "status 404");
    assert!(w.succeeded("handled"));
    let why = w.failed("broken").unwrap();
    assert!(
        why.ends_with("500 Internal Server Error: it is broken (after 2 attempts)"),
        "{why}"
    );
    assert_eq!(fx.hits("/always-500"), 2, "retries: 1 means two attempts");
    assert!(w.skipped("after").is_some());
}

#[tokio::test]
async fn the_size_cap_timeouts_and_connect_errors_fail_clearly() {
    let (e, fx) = ready().await;
    let port = closed_port();
    let g = graph(
        json!([
            http("huge", json!({"url": format!("{}/huge", fx.url)})),
            http(
                "capped",
                json!({"url": format!("{}/huge?bytes=5000", fx.url), "maxResponseBytes": 4096})
            ),
            http(
                "fits",
                json!({"url": format!("{}/huge?bytes=4096", fx.url), "maxResponseBytes": 4096})
            ),
            http(
                "slow",
                json!({"url": format!("{}/slow?ms=3000", fx.url), "timeoutMs": 200, "retries": 0})
            ),
            http(
                "closed",
                json!({"url": format!("http://127.0.0.1:{port}/x"), "retries": 1})
            )
        ]),
        json!([]),
    );
    let (w, _) = run_to_end(&e.app, g, RunOptions::default()).await;
    let why = w.failed("huge").unwrap();
    assert!(
        why.ends_with("the answer is larger than maxResponseBytes (10485760 bytes)"),
        "{why}"
    );
    assert_eq!(output_of(&w, "huge")["status"], 200);
    assert!(w.failed("capped").unwrap().contains("(4096 bytes)"));
    assert_eq!(output_of(&w, "fits")["body"].as_str().unwrap().len(), 4096);
    let why = w.failed("slow").unwrap();
    assert!(why.ends_with("within 200 ms"), "{why}");
    let why = w.failed("closed").unwrap();
    assert!(
        why.contains("could not connect") && why.ends_with("(after 2 attempts)"),
        "{why}"
    );
    assert_eq!(logs_of(&w, "closed").len(), 2, "a connect error is retried");
}

#[tokio::test]
async fn cancelling_a_run_stops_its_request() {
    let (e, fx) = ready().await;
    let g = graph(
        json!([http(
            "slow",
            json!({"url": format!("{}/slow?ms=20000", fx.url)})
        )]),
        json!([]),
    );
    let mut w = start(&e.app, g, RunOptions::default()).await;
    w.until(common::is_started("slow")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let asked = Instant::now();
    commands::run_cancel(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(w.done().await, RunStatus::Cancelled);
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(fx.hits("/slow"), 1);
}

#[tokio::test]
async fn echoed_secrets_are_masked_in_output_logs_and_history() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let bearer = save(
        app,
        "Echo bearer",
        "http",
        AuthKind::Bearer,
        base(&fx.url),
        Some(BEARER),
    )
    .await;
    let query = save(
        app,
        "Echo query",
        "http",
        AuthKind::ApiKey,
        ConnectionConfig {
            key_name: Some("api_key".into()),
            key_in: Some(KeyPlacement::Query),
            ..base(&fx.url)
        },
        Some(API_KEY),
    )
    .await;
    let g = graph(
        json!([
            http(
                "echo",
                json!({"connection": bearer, "url": "/echo", "method": "POST",
                "body": {"note": "hello"}})
            ),
            http("echo-q", json!({"connection": query, "url": "/echo"})),
            utility(
                "copy",
                "log",
                json!({"message": "saw {{echo.body.headers.authorization}}"})
            )
        ]),
        json!([edge("echo", "copy", "pass")]),
    );
    let (w, status) = run_to_end(app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    let out = output_of(&w, "echo");
    assert_eq!(out["body"]["headers"]["authorization"], "Bearer ***");
    assert_eq!(out["body"]["body"], r#"{"note":"hello"}"#);
    let out = output_of(&w, "echo-q");
    assert_eq!(out["body"]["uri"], "/echo?api_key=***");
    assert_eq!(logs_of(&w, "copy"), ["saw Bearer ***"]);
    let everything = serde_json::to_string(&w.events).unwrap();
    let detail =
        serde_json::to_string(&commands::run_get(app, w.id.clone()).await.unwrap()).unwrap();
    let events = serde_json::to_string(
        &commands::run_events(app, w.id.clone(), None, None, None)
            .await
            .unwrap(),
    )
    .unwrap();
    for text in [&everything, &detail, &events] {
        assert!(
            !text.contains(BEARER) && !text.contains(API_KEY),
            "a secret leaked: {text}"
        );
        assert!(text.contains("***"));
    }
}

struct Sink;
impl NodeReporter for Sink {
    fn emit(&self, _: ExecutionEventKind) {}
}

#[tokio::test]
async fn service_nodes_are_refused_while_services_are_off() {
    let e = env();
    let app = &e.app;
    let g = graph(
        json!([http("h", json!({"url": "https://example.com"}))]),
        json!([]),
    );
    let report = commands::flow_validate(app, g.clone()).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.issues[0].code, "services-off");
    let refused = commands::run_start(
        app,
        flow_core::engine::RunSource {
            graph: Some(g),
            ..Default::default()
        },
        None,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        refused
            .message()
            .contains("service nodes are turned off: enable Settings → Services → Service nodes"),
        "{refused}"
    );
    // The adapter refuses on its own too (a run validated before the switch went off).
    let ctx = AdapterCtx {
        execution_id: "direct".into(),
        workspace_root: e.dir.path().into(),
        data_dir: e.dir.path().into(),
        cancel: Default::default(),
        reporter: Arc::new(Sink),
        app: Some(app.downgrade()),
    };
    let node = NodeInvocation {
        node_id: "h".into(),
        node_type: "service".into(),
        action_id: String::new(),
        data: json!({"service": "http", "operation": "request", "url": "https://example.com"})
            .as_object()
            .unwrap()
            .clone(),
        iteration: 0,
    };
    assert_eq!(
        ServiceAdapter.execute(&node, &ctx).await,
        Err(AdapterError::Rejected(
            "service nodes are turned off: enable Settings → Services → Service nodes".into()
        ))
    );
}

#[tokio::test]
async fn github_and_slack_descriptors_run_against_the_loopback() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let gh = save(
        app,
        "GitHub",
        "github",
        AuthKind::Bearer,
        base(&fx.url),
        Some(BEARER),
    )
    .await;
    let slack = save(
        app,
        "Slack",
        "slack",
        AuthKind::Bearer,
        base(&fx.url),
        Some(BEARER),
    )
    .await;
    let service = |id: &str, svc: &str, data: Value| {
        let mut d = json!({"service": svc});
        d.as_object_mut()
            .unwrap()
            .extend(data.as_object().unwrap().clone());
        json!({"id": id, "type": "service", "data": d})
    };
    let g = graph(
        json!([
            service(
                "me",
                "github",
                json!({"operation": "get-user", "connection": gh})
            ),
            service(
                "issues",
                "github",
                json!({"operation": "list-issues", "connection": gh,
                "owner": "acme co", "repo": "flow", "state": "closed", "per_page": 5})
            ),
            service(
                "new",
                "github",
                json!({"operation": "create-issue", "connection": gh,
                "owner": "acme", "repo": "flow", "title": "From {{me.body.login}}", "labels": ["bug"]})
            ),
            service(
                "post",
                "slack",
                json!({"operation": "post-message", "connection": slack,
                "channel": "C1", "text": "hi"})
            ),
            service(
                "channels",
                "slack",
                json!({"operation": "list-channels", "connection": slack})
            ),
            service(
                "bad",
                "slack",
                json!({"operation": "post-message", "connection": slack,
                "channel": "nope", "text": "hi"})
            )
        ]),
        json!([edge("me", "new", "pass")]),
    );
    let (w, _) = run_to_end(app, g, RunOptions::default()).await;
    assert_eq!(output_of(&w, "me")["body"]["login"], "fixture-user");
    let issues = output_of(&w, "issues");
    assert_eq!(issues["body"][0]["title"], "First issue of acme co/flow");
    assert_eq!(issues["body"][0]["state"], "closed");
    assert_eq!(issues["body"][0]["per_page"], "5");
    assert_eq!(issues["body"][0]["accept"], "application/vnd.github+json");
    let new = output_of(&w, "new");
    assert_eq!(new["status"], 201);
    assert_eq!(new["body"]["title"], "From fixture-user");
    assert_eq!(new["body"]["labels"], json!(["bug"]));
    assert_eq!(output_of(&w, "post")["body"]["message"]["text"], "hi");
    assert_eq!(
        output_of(&w, "channels")["body"],
        json!([{"id": "C1", "name": "general"}]),
        "the descriptor picks /channels"
    );
    let why = w.failed("bad").unwrap();
    assert!(
        why.ends_with("refused the call: channel_not_found"),
        "{why}"
    );
}

#[tokio::test]
async fn a_descriptor_file_under_nodes_is_a_new_integration() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let entry = json!({
        "slug": "service-acme", "name": "Acme", "description": "The Acme API.",
        "category": "Services", "version": "1.0.0", "nodeType": "service",
        "identity": {"service": "acme"},
        "schema": {"type": "object", "required": ["operation", "connection"], "properties": {
            "operation": {"type": "string", "enum": ["whoami", "echo-item"]},
            "connection": {"type": "string", "format": "connection"},
            "item": {"type": "string", "title": "Item"}}},
        "defaults": {"operation": "whoami"},
        "serviceIntegration": {
            "service": "acme", "name": "Acme", "baseUrl": "https://acme.invalid",
            "auth": {"kinds": ["apiKey"], "apiKey": {"in": "header", "name": "X-Key"}},
            "testOperation": "whoami",
            "operations": [
                {"id": "whoami", "name": "Who am I", "method": "GET", "path": "/key-header"},
                {"id": "echo-item", "name": "Echo an item", "method": "PUT", "path": "/echo",
                 "query": ["item"], "headers": {"X-Item": "item-{item}"},
                 "input": {"type": "object", "required": ["item"],
                           "properties": {"item": {"type": "string", "title": "Item"}}},
                 "response": {"pick": "/headers/x-item"}}
            ]
        }
    });
    let nodes = app.nodes().nodes_dir().to_path_buf();
    std::fs::write(
        nodes.join("service-acme.json"),
        serde_json::to_vec_pretty(&entry).unwrap(),
    )
    .unwrap();
    // A broken descriptor next to it is refused (and does not take the good one down).
    let mut broken = entry.clone();
    broken["slug"] = json!("service-broken");
    broken["identity"]["service"] = json!("broken");
    broken["serviceIntegration"]["service"] = json!("broken");
    broken["serviceIntegration"]["operations"][0]["path"] = json!("/items/{missing}");
    std::fs::write(
        nodes.join("service-broken.json"),
        serde_json::to_vec(&broken).unwrap(),
    )
    .unwrap();
    let installed = commands::nodes_installed(app).await.unwrap();
    assert!(installed.iter().any(|e| e.slug == "service-acme"));
    assert!(installed.iter().all(|e| e.slug != "service-broken"));

    // No key in the descriptor's default header: the connection names none.
    let key = save(
        app,
        "Acme key",
        "acme",
        AuthKind::ApiKey,
        base(&fx.url),
        Some(API_KEY),
    )
    .await;
    let acme = |id: &str, data: Value| {
        let mut d = json!({"service": "acme", "connection": key});
        d.as_object_mut()
            .unwrap()
            .extend(data.as_object().unwrap().clone());
        json!({"id": id, "type": "service", "data": d})
    };
    let invalid = graph(
        json!([acme("x", json!({"operation": "echo-item"}))]),
        json!([]),
    );
    let report = commands::flow_validate(app, invalid).await.unwrap();
    assert_eq!(report.issues[0].code, "required");
    assert_eq!(report.issues[0].field.as_deref(), Some("item"));
    let g = graph(
        json!([
            acme("who", json!({"operation": "whoami"})),
            acme("item", json!({"operation": "echo-item", "item": "a b"}))
        ]),
        json!([]),
    );
    let (w, status) = run_to_end(app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    assert_eq!(output_of(&w, "who")["body"]["auth"], "apiKey header");
    assert_eq!(output_of(&w, "item")["body"], "item-a b");
    let test = commands::connection_test(app, key).await.unwrap();
    assert!(test.ok, "{test:?}");
}

#[tokio::test]
async fn an_oauth_401_refreshes_the_token_once_and_stores_the_new_bundle() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let id = save(
        app,
        "OAuth",
        "http",
        AuthKind::Oauth2,
        ConnectionConfig {
            client_id: Some("client-1".into()),
            token_url: Some(format!("{}/oauth/token", fx.url)),
            ..base(&fx.url)
        },
        Some("client-secret-value"),
    )
    .await;
    app.credentials()
        .store_oauth_tokens(&id, {
            let mut tokens = flow_core::credentials::OAuthTokens::default();
            tokens.access_token = BEARER.into();
            tokens.refresh_token = Some(rest_server::REFRESH_TOKEN.into());
            tokens.connected_at = "2025-01-01T00:00:00Z".into();
            tokens
        })
        .await
        .unwrap();
    let g = graph(
        json!([
            http("ok", json!({"connection": id, "url": "/bearer"})),
            http(
                "refused",
                json!({"connection": id, "url": "/always-401", "retries": 0})
            )
        ]),
        json!([]),
    );
    let (w, _) = run_to_end(app, g, RunOptions::default()).await;
    assert!(w.succeeded("ok"), "{:?}", w.failed("ok"));
    assert_eq!(
        fx.hits("/always-401"),
        2,
        "one refresh, then the answer stands: {:?}",
        w.failed("refused")
    );
    let lines = logs_of(&w, "refused");
    assert!(
        lines[0].ends_with("refreshing the access token"),
        "{lines:?}"
    );
    assert!(w.failed("refused").unwrap().contains("401 Unauthorized"));
    // The refreshed bundle was stored back, the refresh token kept (the provider did not rotate it).
    let stored = app.credentials().resolve(&id).await.unwrap();
    let tokens = stored.secret.oauth.clone().unwrap();
    assert_eq!(tokens.access_token, rest_server::REFRESHED_TOKEN);
    assert_eq!(
        tokens.refresh_token.as_deref(),
        Some(rest_server::REFRESH_TOKEN)
    );
    let events = serde_json::to_string(&w.events).unwrap();
    assert!(
        !events.contains(rest_server::REFRESHED_TOKEN)
            && !events.contains(rest_server::REFRESH_TOKEN)
    );
}

#[tokio::test]
async fn the_openai_provider_streams_tokens_and_needs_its_switch() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let key = save(
        app,
        "OpenAI",
        "openai",
        AuthKind::Bearer,
        base(&format!("{}/v1", fx.url)),
        Some(BEARER),
    )
    .await;
    let ask = |id: &str, extra: Value| {
        let mut d = json!({"provider": "openai", "connection": key, "model": "fixture-model",
            "systemPrompt": "Be brief.", "prompt": "Say hello", "maxTokens": 16});
        d.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"id": id, "type": "ai", "data": d})
    };
    let g = graph(
        json!([
            ask("streamed", json!({})),
            ask("whole", json!({"stream": false}))
        ]),
        json!([]),
    );
    let report = commands::flow_validate(app, g.clone()).await.unwrap();
    assert_eq!(report.issues[0].code, "cloud-ai-off");
    allow(app, true, true).await;
    let (w, status) = run_to_end(app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    for node in ["streamed", "whole"] {
        let out = output_of(&w, node);
        assert_eq!(out["text"], CHAT_DELTAS.concat());
        assert_eq!(out["tokens"], 3);
        assert_eq!(out["promptTokens"], 7);
        assert_eq!(out["model"], "fixture-model");
        assert_eq!(out["finishReason"], "stop");
        assert!(out["durationMs"].is_number());
    }
    let deltas: Vec<&str> = w
        .kinds_of("streamed")
        .iter()
        .filter_map(|k| match k {
            ExecutionEventKind::NodeToken { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deltas, CHAT_DELTAS);
    let test = commands::connection_test(app, key.clone()).await.unwrap();
    assert!(test.ok && test.status == Some(200), "{test:?}");
}

#[tokio::test]
async fn connection_test_says_what_the_service_answered() {
    let (e, fx) = ready().await;
    let app = &e.app;
    let good = save(
        app,
        "Good",
        "github",
        AuthKind::Bearer,
        base(&fx.url),
        Some(BEARER),
    )
    .await;
    let bad = save(
        app,
        "Bad",
        "github",
        AuthKind::Bearer,
        base(&fx.url),
        Some("not-the-token"),
    )
    .await;
    let plain = save(
        app,
        "Plain",
        "http",
        AuthKind::None,
        base(&format!("{}/json", fx.url)),
        None,
    )
    .await;
    let port = closed_port();
    let closed = save(
        app,
        "Closed",
        "http",
        AuthKind::None,
        base(&format!("http://127.0.0.1:{port}")),
        None,
    )
    .await;
    let t = commands::connection_test(app, good.clone()).await.unwrap();
    assert!(t.ok && t.status == Some(200), "{t:?}");
    assert!(t.message.ends_with("answered 200 OK"), "{t:?}");
    let t = commands::connection_test(app, bad).await.unwrap();
    assert!(!t.ok && t.status == Some(401), "{t:?}");
    assert!(
        t.message.ends_with("401 Unauthorized: Bad credentials"),
        "{t:?}"
    );
    assert!(commands::connection_test(app, plain).await.unwrap().ok);
    let t = commands::connection_test(app, closed).await.unwrap();
    assert!(
        !t.ok && t.status.is_none() && t.message.contains("could not connect"),
        "{t:?}"
    );
    assert!(matches!(
        commands::connection_test(app, "nope".into()).await,
        Err(AppError::NotFound(_))
    ));
    allow(app, false, false).await;
    assert_eq!(
        commands::connection_test(app, good).await,
        Err(AppError::Unavailable(
            "service nodes are turned off: enable Settings → Services → Service nodes".into()
        ))
    );
}
