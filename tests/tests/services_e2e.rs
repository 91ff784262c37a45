//! End-to-end: service nodes through the real `flow-server` binary. Connections are saved and
//! tested through the invoke bridge, validation refuses service nodes while `allow_services`
//! is off (and so does `POST /api/run`), and a flow of service nodes against a loopback REST
//! server streams its attempts, outputs and failures over the run's SSE stream.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::rest_server::{FixtureSecrets, RestFixture};
use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use serde_json::{Value, json};

const TOKEN: &str = "services-e2e-token-abcdefgh";
const BEARER: &str = "e2e-Bearer-Token-5c2f8a1e";

fn start() -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("FLOW_SECRET_STORE".into(), "file".into())],
        ..Default::default()
    })
}

fn http_node(id: &str, data: Value) -> Value {
    let mut d = json!({"service": "http", "operation": "request"});
    d.as_object_mut()
        .unwrap()
        .extend(data.as_object().unwrap().clone());
    json!({"id": id, "type": "service", "data": d})
}

async fn run_frames(server: &ServerProcess, graph: &Value) -> (u16, Vec<Value>) {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .post(format!("{}/api/run", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"graph": graph}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status != 200 {
        return (status, vec![response.json().await.unwrap()]);
    }
    let mut stream = sse::from_response(response);
    let mut frames = Vec::new();
    while let Some(event) = stream.next_or_end().await {
        frames.push(serde_json::from_str(&event.data).unwrap());
    }
    (status, frames)
}

fn of<'a>(frames: &'a [Value], kind: &str, node: &str) -> Vec<&'a Value> {
    frames
        .iter()
        .filter(|f| f["kind"] == kind && f["node_id"] == node)
        .collect()
}

#[tokio::test]
async fn service_nodes_run_over_http_with_saved_connections() {
    let fx = RestFixture::start(FixtureSecrets {
        bearer: BEARER.into(),
        username: "u".into(),
        password: "e2e-pass-unused".into(),
        api_key: "e2e-key-unused".into(),
    })
    .await;
    let server = start();

    let (status, saved) = server
        .invoke(
            "connection_save",
            json!({"input": {"name": "Fixture API", "service": "http", "auth": "bearer",
                "config": {"baseUrl": fx.url}, "secret": BEARER}}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let id = saved["id"].as_str().unwrap().to_owned();
    assert_eq!(saved["status"], "ready");
    assert!(!saved.to_string().contains(BEARER));

    let graph = json!({"name": "Services e2e", "nodes": [
        http_node("me", json!({"connection": id, "url": "/bearer"})),
        http_node("flaky", json!({"connection": id, "url": "/flaky-500"})),
        http_node("missing", json!({"connection": id, "url": "/status/404"})),
        {"id": "handled", "type": "utility", "data": {"actionId": "log",
            "message": "missing said {{missing.status}}"}}
    ], "edges": [{"source": "missing", "target": "handled", "outcome": "fail"}]});

    // Off by default: validation names the switch, and a run is refused before it starts.
    let (status, report) = server
        .invoke("flow_validate", json!({"graph": graph}))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ok"], false);
    let codes: Vec<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["services-off", "services-off", "services-off"]);
    let (status, refused) = run_frames(&server, &graph).await;
    assert_eq!(status, 400, "{refused:?}");
    assert!(
        refused[0]["error"]
            .as_str()
            .unwrap()
            .contains("service nodes are turned off: enable Settings → Services → Service nodes"),
        "{refused:?}"
    );
    let (status, test) = server.invoke("connection_test", json!({"id": id})).await;
    assert_eq!(status, 503, "{test}");

    let (status, _) = server
        .invoke(
            "settings_update",
            json!({"patch": {"allow_services": true}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, test) = server.invoke("connection_test", json!({"id": id})).await;
    assert_eq!(status, 200, "{test}");
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["status"], 200);
    let (_, report) = server
        .invoke("flow_validate", json!({"graph": graph}))
        .await;
    assert_eq!(report["ok"], true, "{report}");

    let (status, frames) = run_frames(&server, &graph).await;
    assert_eq!(status, 200);
    assert_eq!(frames.last().unwrap()["status"], "succeeded", "{frames:#?}");
    let me = of(&frames, "node_succeeded", "me");
    assert_eq!(me[0]["output"]["status"], 200);
    assert_eq!(me[0]["output"]["body"]["login"], "fixture-user");
    let flaky_logs = of(&frames, "node_log", "flaky");
    assert_eq!(flaky_logs.len(), 3, "{flaky_logs:?}");
    assert!(
        flaky_logs[0]["line"]
            .as_str()
            .unwrap()
            .starts_with(&format!("GET {}/flaky-500 -> 500 in ", fx.url)),
        "{flaky_logs:?}"
    );
    assert_eq!(fx.hits("/flaky-500"), 3);
    let missing = of(&frames, "node_failed", "missing");
    assert!(
        missing[0]["error"]
            .as_str()
            .unwrap()
            .ends_with("answered 404 Not Found: status 404"),
        "{missing:?}"
    );
    assert_eq!(missing[0]["output"]["status"], 404);
    let handled = of(&frames, "node_log", "handled");
    assert_eq!(handled[0]["line"], "missing said 404");

    // The run is in the history, and the connection records its use.
    let (_, list) = server.invoke("connections_list", json!({})).await;
    assert!(list[0]["lastUsedAt"].is_string(), "{list}");
    let (status, catalog) = server.invoke("nodes_installed", json!({})).await;
    assert_eq!(status, 200);
    let slugs: Vec<&str> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    for slug in [
        "service-http-request",
        "service-github",
        "service-slack",
        "ai-openai",
    ] {
        assert!(slugs.contains(&slug), "{slugs:?}");
    }
}
