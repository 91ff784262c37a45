//! The secret grep: with the encrypted file store, connections with distinctive secrets are
//! saved through the invoke bridge and used by a flow (a header echo, a query key, basic auth,
//! and failing requests). Then every place a secret could land is searched for the plaintext
//! and its base64 and percent/form-encoded forms: every file under the data directory (binary,
//! SQLite and its WAL included; the encrypted store too, which may hold only ciphertext), the
//! server's stdout and stderr, every SSE frame of `/api/events` and of the run stream, every
//! WebSocket frame of `/api/ws`, and every command response.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use flow_tests::rest_server::{FixtureSecrets, RestFixture};
use flow_tests::secret_grep::{files_under, holds};
use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use futures_util::StreamExt;
use serde_json::{Value, json};

const TOKEN: &str = "custody-e2e-token-abcdefgh";
const BEARER: &str = "cust0dy-Bearer+Tok/en=77";
const USERNAME: &str = "custody-user";
const PASSWORD: &str = "cust0dy Pass/word+42";
const API_KEY: &str = "cust0dy Query&Key=9?";
const PASSPHRASE: &str = "custody passphrase for the store key 0123456789";

/// Every form a secret could travel in.
fn forms(secret: &str) -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut url = reqwest::Url::parse("http://x/").unwrap();
    url.query_pairs_mut().append_pair("k", secret);
    let form = url.query().unwrap().trim_start_matches("k=").to_owned();
    let percent: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    vec![secret.to_owned(), b64.encode(secret), percent, form]
}

fn needles() -> Vec<String> {
    let mut all: Vec<String> = [BEARER, PASSWORD, API_KEY, PASSPHRASE]
        .iter()
        .flat_map(|s| forms(s))
        .collect();
    all.push(base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}")));
    all.sort();
    all.dedup();
    all
}

/// `(what, needle)` for each secret form found in `text`.
fn leaks(what: &str, bytes: &[u8]) -> Vec<String> {
    needles()
        .iter()
        .filter(|n| holds(bytes, n.as_bytes()))
        .map(|n| format!("{what} holds {n:?}"))
        .collect()
}

fn service(id: &str, connection: &str, data: Value) -> Value {
    let mut d = json!({"service": "http", "operation": "request", "connection": connection});
    d.as_object_mut()
        .unwrap()
        .extend(data.as_object().unwrap().clone());
    json!({"id": id, "type": "service", "data": d})
}

#[tokio::test]
async fn secrets_live_only_encrypted_in_the_credential_store() {
    let fx = RestFixture::start(FixtureSecrets {
        bearer: BEARER.into(),
        username: USERNAME.into(),
        password: PASSWORD.into(),
        api_key: API_KEY.into(),
    })
    .await;
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![
            ("FLOW_SECRET_STORE".into(), "file".into()),
            ("FLOW_SECRET_KEY".into(), PASSPHRASE.into()),
        ],
        ..Default::default()
    });

    // Every frame pushed to clients while this runs.
    let sse_frames = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    let sink = sse_frames.clone();
    let sse_task = tokio::spawn(async move {
        while let Some(event) = events.next_or_end().await {
            sink.lock().unwrap().push(event.data);
        }
    });
    let ws_frames = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut ws = server.websocket().await;
    let sink = ws_frames.clone();
    let ws_task = tokio::spawn(async move {
        while let Some(Ok(message)) = ws.next().await {
            if let Ok(text) = message.into_text() {
                sink.lock().unwrap().push(text.to_string());
            }
        }
    });
    let mut responses: Vec<String> = Vec::new();
    let mut call = async |command: &str, args: Value| -> Value {
        let (status, body) = server.invoke(command, args).await;
        assert_eq!(status, 200, "{command}: {body}");
        responses.push(body.to_string());
        body
    };

    call(
        "settings_update",
        json!({"patch": {"allow_services": true}}),
    )
    .await;
    let save = |name: &str, auth: &str, config: Value, secret: &str| {
        json!({"input": {"name": name, "service": "http", "auth": auth,
            "config": config, "secret": secret}})
    };
    let bearer = call(
        "connection_save",
        save("Bearer", "bearer", json!({"baseUrl": fx.url}), BEARER),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let basic = call(
        "connection_save",
        save(
            "Basic",
            "basic",
            json!({"baseUrl": fx.url, "username": USERNAME}),
            PASSWORD,
        ),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let query = call(
        "connection_save",
        save(
            "Query key",
            "apiKey",
            json!({"baseUrl": fx.url, "keyName": "api_key", "keyIn": "query"}),
            API_KEY,
        ),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let graph = json!({"name": "Custody", "nodes": [
        service("echo", &bearer, json!({"url": "/echo", "method": "POST", "body": "plain"})),
        service("echo-basic", &basic, json!({"url": "/echo"})),
        service("echo-query", &query, json!({"url": "/echo"})),
        service("basic", &basic, json!({"url": "/basic"})),
        service("key", &query, json!({"url": "/key-query"})),
        service("fails", &bearer, json!({"url": "/always-500", "retries": 1})),
        service("refused", &query, json!({"url": "/status/403"})),
        {"id": "copy", "type": "utility", "data": {"actionId": "log",
            "message": "echoed {{echo.body.headers.authorization}} {{echo-query.body.uri}}"}}
    ], "edges": [
        {"source": "echo", "target": "copy", "outcome": "pass"},
        {"source": "fails", "target": "copy", "outcome": "fail"}
    ]});
    let saved = call("flow_save", json!({"input": {"graph": graph}})).await;
    let slug = saved["slug"].as_str().unwrap().to_owned();

    let response = reqwest::Client::new()
        .post(format!("{}/api/run", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"template": slug}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut run = sse::from_response(response);
    let mut run_frames = Vec::new();
    while let Some(event) = run.next_or_end().await {
        run_frames.push(event.data);
    }
    let done: Value = serde_json::from_str(run_frames.last().unwrap()).unwrap();
    assert_eq!(done["kind"], "done");
    let execution_id = done["execution_id"].as_str().unwrap().to_owned();
    // The run did reach the service with each secret (so there was something to leak).
    for node in ["echo", "echo-basic", "echo-query", "basic", "key"] {
        assert!(
            run_frames.iter().any(|f| f.contains("\"node_succeeded\"")
                && f.contains(&format!("\"node_id\":\"{node}\""))),
            "{node} did not succeed: {run_frames:#?}"
        );
    }
    assert!(
        run_frames
            .iter()
            .any(|f| f.contains("echoed Bearer *** /echo?api_key=***")),
        "{run_frames:#?}"
    );

    for command in ["connections_list", "runs_list", "app_info"] {
        call(command, json!({})).await;
    }
    call("run_get", json!({"executionId": execution_id})).await;
    call("run_events", json!({"executionId": execution_id})).await;
    for id in [&bearer, &basic, &query] {
        call("connection_test", json!({"id": id})).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    sse_task.abort();
    ws_task.abort();

    let mut found = Vec::new();
    let sse_frames = sse_frames.lock().unwrap().clone();
    let ws_frames = ws_frames.lock().unwrap().clone();
    assert!(
        sse_frames.iter().any(|f| f.contains(&execution_id)),
        "the event stream carried the run"
    );
    assert!(
        ws_frames.iter().any(|f| f.contains(&execution_id)),
        "the WebSocket carried the run"
    );
    for (what, frames) in [
        ("an SSE frame", &sse_frames),
        ("a WebSocket frame", &ws_frames),
        ("a run-stream frame", &run_frames),
        ("a command response", &responses),
    ] {
        for frame in frames {
            found.extend(leaks(what, frame.as_bytes()));
        }
    }
    found.extend(leaks("stdout", server.stdout().as_bytes()));
    found.extend(leaks("stderr", server.stderr().as_bytes()));

    let studio = server.studio_dir();
    let files = files_under(&studio);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&studio).unwrap().display().to_string())
        .collect();
    for expected in ["db/flow.sqlite", "settings.json", "secrets/store.enc"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("templates/")),
        "{names:?}"
    );
    for (file, name) in files.iter().zip(&names) {
        found.extend(leaks(name, &std::fs::read(file).unwrap()));
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
    // The store holds them, encrypted (the grep above covered it: no plaintext form inside).
    let store = std::fs::read(studio.join("secrets/store.enc")).unwrap();
    assert!(store.len() > 64, "the store holds three secrets");
}
