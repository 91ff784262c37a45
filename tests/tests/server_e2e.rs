//! End-to-end: the real `flow-server` binary on a free loopback port, driven over HTTP, SSE and
//! WebSocket.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const TOKEN: &str = "e2e-token-abcdefghijklmnop";

fn server() -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        ..Default::default()
    })
}

#[tokio::test]
async fn api_needs_the_token_health_does_not() {
    let server = server();
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // The OAuth 2 callback is public too (a provider's redirect carries no token or cookie):
    // it answers with a redirect to the settings page, never 401; its `state` is the guard.
    let callback = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}/oauth/callback?state=unknown&code=x",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 303);
    assert!(
        callback.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/settings/connections?oauthError="),
        "{:?}",
        callback.headers()
    );

    for (method, path) in [
        ("POST", "/api/invoke/app_info"),
        ("GET", "/api/events"),
        ("GET", "/api/ws"),
        ("GET", "/api/theme"),
        ("GET", "/api/nope"),
        ("POST", "/api/invoke/oauth_complete"),
        ("GET", "/api/oauth/callback"),
    ] {
        let request = client.request(method.parse().unwrap(), format!("{}{path}", server.url));
        let response = request.try_clone().unwrap().send().await.unwrap();
        assert_eq!(response.status(), 401, "{method} {path} without a token");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["kind"], "Unauthorized");
        let wrong = request
            .bearer_auth("e2e-token-abcdefghijklmnoX")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{method} {path} with a wrong token");
    }

    let (status, info) = server.invoke("app_info", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(info["edition"], "server");
    assert_eq!(info["name"], "Flow");
}

#[tokio::test]
async fn invoke_bridge_accepts_both_forms_and_reports_bad_input_as_app_errors() {
    let server = server();
    let client = reqwest::Client::new();
    let by_body = client
        .post(format!("{}/api/invoke", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"command": "theme_set", "args": {"theme": "claude"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_body.status(), 200);
    assert_eq!(by_body.json::<Value>().await.unwrap()["theme"], "claude");
    let (_, theme) = server.invoke("theme_get", json!({})).await;
    assert_eq!(theme["theme"], "claude");

    let malformed = client
        .post(format!("{}/api/invoke/settings_update", server.url))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{\"patch\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["kind"], "InvalidInput");
    assert!(
        body["error"].as_str().unwrap().contains("malformed JSON"),
        "{body}"
    );

    let (status, body) = server
        .invoke(
            "settings_update",
            json!({"patch": {"max_parallel_nodes": 65}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"kind": "InvalidInput", "error": "setting `max_parallel_nodes` must be between 1 and 64, got 65"})
    );
    let (_, settings) = server.invoke("settings_get", json!({})).await;
    assert_eq!(
        settings["max_parallel_nodes"], 1,
        "a rejected patch must change nothing"
    );

    let (status, body) = server
        .invoke(
            "settings_update",
            json!({"patch": {"no_such_setting": true}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("no_such_setting"),
        "{body}"
    );

    let (status, body) = server.invoke("frobnicate", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["kind"], "NotFound");

    let unknown_route = client
        .get(format!("{}/api/definitely/not/here", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_route.status(), 404);
    assert!(
        unknown_route.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = unknown_route.json().await.unwrap();
    assert_eq!(
        body,
        json!({"kind": "NotFound", "error": "no API route GET /api/definitely/not/here"})
    );
}

#[tokio::test]
async fn oversized_bodies_get_413_with_an_app_error() {
    let server = server();
    let huge = format!(
        "{{\"patch\": {{}}, \"pad\": \"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let response = reqwest::Client::new()
        .post(format!("{}/api/invoke/settings_update", server.url))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "PayloadTooLarge");
}

#[tokio::test]
async fn theme_rest_routes_share_the_core_and_persist() {
    let server = server();
    let client = reqwest::Client::new();
    let get = client
        .get(format!("{}/api/theme", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(get.json::<Value>().await.unwrap()["theme"], "default");
    let set = client
        .post(format!("{}/api/theme", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"theme": "retro_arcade"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        set.json::<Value>().await.unwrap(),
        json!({"theme": "retro-arcade", "colors": {"primary": "#22c55e", "secondary": "#06b6d4", "background": "#000000", "foreground": "#22c55e"}})
    );
    let (_, over_bridge) = server.invoke("theme_get", json!({})).await;
    assert_eq!(over_bridge["theme"], "retro-arcade");
    let bad = client
        .post(format!("{}/api/theme", server.url))
        .bearer_auth(TOKEN)
        .json(&json!({"theme": "solarized"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(server.data_dir.path().join("studio/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(stored["theme"], "retro-arcade");
}

#[tokio::test]
async fn sse_replays_what_a_reconnecting_client_missed() {
    let server = server();
    let mut stream = sse::connect(&server.url, TOKEN, None, false).await;
    let (connected_id, connected) = stream.next_json().await;
    assert_eq!(connected, json!({"type": "connected"}));
    assert_eq!(connected_id, "0");

    server.invoke("theme_set", json!({"theme": "claude"})).await;
    let (first_id, first) = stream.next_json().await;
    assert_eq!(first["type"], "settings-changed");
    assert_eq!(first["settings"]["theme"], "claude");
    drop(stream);

    // Missed while disconnected.
    server
        .invoke("theme_set", json!({"theme": "twitter"}))
        .await;
    server
        .invoke(
            "settings_update",
            json!({"patch": {"max_parallel_nodes": 7}}),
        )
        .await;

    let mut resumed = sse::connect(&server.url, TOKEN, Some(&first_id), false).await;
    let (id, connected) = resumed.next_json().await;
    assert_eq!(connected["type"], "connected");
    assert_eq!(id, first_id);
    let (id2, second) = resumed.next_json().await;
    assert_eq!(second["settings"]["theme"], "twitter");
    let (id3, third) = resumed.next_json().await;
    assert_eq!(third["settings"]["max_parallel_nodes"], 7);
    let ids: Vec<u64> = [&first_id, &id2, &id3]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "ids not consecutive: {ids:?}"
    );

    // Then live again.
    server
        .invoke("theme_set", json!({"theme": "business"}))
        .await;
    let (_, live) = resumed.next_json().await;
    assert_eq!(live["settings"]["theme"], "business");
}

#[tokio::test]
async fn sse_tells_a_client_from_another_instance_to_resync_and_is_never_compressed() {
    let server = server();
    let mut stream = sse::connect(&server.url, TOKEN, Some("987654"), true).await;
    assert_eq!(stream.content_encoding, None, "SSE must not be compressed");
    let (_, connected) = stream.next_json().await;
    assert_eq!(connected["type"], "connected");
    let (_, resync) = stream.next_json().await;
    assert_eq!(resync, json!({"type": "resync"}));

    let page = reqwest::Client::new()
        .get(format!("{}/", server.url))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
}

#[tokio::test]
async fn websocket_carries_events_and_invocations() {
    let server = server();
    let mut request = format!("{}/api/ws", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket upgrade");

    let first = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("first frame in time")
        .expect("open socket")
        .expect("frame");
    assert_eq!(
        first.into_text().unwrap().as_str(),
        r#"{"type":"connected"}"#
    );

    socket
        .send(Message::Text(
            json!({"id": 7, "cmd": "theme_set", "args": {"theme": "aurora"}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    socket
        .send(Message::Text(r#"{"type":"ping"}"#.into()))
        .await
        .unwrap();
    socket
        .send(Message::Text(
            r#"{"type":"agent-status","agent":"codex","status":"working"}"#.into(),
        ))
        .await
        .unwrap();
    socket
        .send(Message::Text("{not json".into()))
        .await
        .unwrap();
    socket
        .send(Message::Text(json!({"id": "x", "cmd": "settings_update", "args": {"patch": {"max_loaded_models": 99}}}).to_string().into()))
        .await
        .unwrap();

    let mut frames = Vec::new();
    while frames.len() < 6 {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            frames.push(serde_json::from_str::<Value>(text.as_str()).unwrap());
        }
    }
    let find = |pred: &dyn Fn(&Value) -> bool| frames.iter().find(|f| pred(f)).cloned();
    let reply = find(&|f| f["id"] == 7).expect("reply to id 7");
    assert_eq!(reply["ok"]["theme"], "aurora");
    let event = find(&|f| f["type"] == "settings-changed").expect("event frame");
    assert_eq!(event["settings"]["theme"], "aurora");
    assert!(find(&|f| f["type"] == "pong").is_some(), "pong: {frames:?}");
    let bad = find(&|f| f["id"].is_null() && f.get("err").is_some()).expect("error for bad JSON");
    assert_eq!(bad["err"]["kind"], "InvalidInput");
    let status = find(&|f| f["type"] == "agent-status").expect("agent status re-broadcast");
    assert_eq!(
        status,
        json!({"type": "agent-status", "agent": "codex", "status": "working", "task": null})
    );
    let refused = find(&|f| f["id"] == "x").expect("reply to id x");
    assert_eq!(refused["err"]["kind"], "InvalidInput");
}

#[tokio::test]
async fn browsers_get_a_session_cookie_that_authorises_streams() {
    let server = server();
    let client = reqwest::Client::new();
    let denied = client
        .post(format!("{}/api/session", server.url))
        .bearer_auth("wrong-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    let session = client
        .post(format!("{}/api/session", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 204);
    let cookie = session.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(TOKEN),
        "the cookie must not be the token itself"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    let with_cookie = client
        .post(format!("{}/api/invoke/app_info", server.url))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 200);
    let events = client
        .get(format!("{}/api/events", server.url))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");

    let handshake = |origin: String| {
        client
            .get(format!("{}/api/ws", server.url))
            .header("cookie", &pair)
            .header("origin", origin)
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .send()
    };
    let hijack = handshake("http://evil.example".into()).await.unwrap();
    assert_eq!(
        hijack.status(),
        401,
        "a cross-origin handshake riding the cookie is refused"
    );
    let own = handshake(server.url.clone()).await.unwrap();
    assert_eq!(own.status(), 101, "the UI's own origin may open a socket");

    let logout = client
        .delete(format!("{}/api/session", server.url))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert!(
        logout.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn the_ui_is_served_with_spa_fallback() {
    let server = server();
    let client = reqwest::Client::new();
    let index = client.get(format!("{}/", server.url)).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let index_body = index.text().await.unwrap();
    let deep = client
        .get(format!("{}/settings/appearance", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(deep.status(), 200, "client-side routes load index.html");
    assert_eq!(deep.text().await.unwrap(), index_body);
    let missing = client
        .get(format!("{}/assets/missing-file.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let escape = client
        .get(format!("{}/..%2f..%2fetc/passwd", server.url))
        .send()
        .await
        .unwrap();
    assert!(
        !escape.text().await.unwrap().contains("root:"),
        "path traversal"
    );
}

#[tokio::test]
async fn public_dir_replaces_the_embedded_ui() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<p>custom ui</p>").unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(ui.path().join("assets/app.js"), "console.log(1)").unwrap();
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("PUBLIC_DIR".into(), ui.path().display().to_string())],
        ..Default::default()
    });
    let client = reqwest::Client::new();
    let deep = client
        .get(format!("{}/flows/42", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(deep.text().await.unwrap(), "<p>custom ui</p>");
    let asset = client
        .get(format!("{}/assets/app.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let outside = client
        .get(format!("{}/assets/..%2F..%2Findex.html", server.url))
        .send()
        .await
        .unwrap();
    assert_ne!(outside.status(), 500);
}

#[tokio::test]
async fn a_generated_token_is_printed_once_kept_and_never_logged() {
    let server = ServerProcess::start(ServerOptions::default());
    let login = server.login_url.clone().expect("login URL printed");
    assert!(login.starts_with(&format!("{}/?token=", server.url)));
    let stored =
        std::fs::read_to_string(server.data_dir.path().join("studio/server-token")).unwrap();
    assert_eq!(stored, server.token);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.data_dir.path().join("studio/server-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "token file readable by others");
    }
    let client = reqwest::Client::new();
    let page = client.get(&login).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (status, _) = server.invoke("app_info", json!({})).await;
    assert_eq!(status, 200);
    let failed = client
        .get(format!("{}/api/events?token={}", server.url, server.token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        failed.status(),
        401,
        "a token in the query string is not accepted"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let logs = server.stderr();
    assert!(logs.contains("GET"), "request tracing is on: {logs}");
    assert!(
        !logs.contains(&server.token),
        "the token leaked into the logs:\n{logs}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_shuts_down_gracefully_with_open_streams() {
    let mut server = server();
    let mut stream = sse::connect(&server.url, TOKEN, None, false).await;
    stream.next_event().await;
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(server.pid().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let exit = server.wait_exit(Duration::from_secs(10));
        (exit, server)
    })
    .await
    .unwrap();
    let (exit, server) = exit;
    let exit = exit.unwrap_or_else(|| {
        panic!(
            "server still running 10 s after SIGTERM:\n{}",
            server.stderr()
        )
    });
    assert!(exit.success(), "exit status {exit:?}");
    assert!(server.stderr().contains("shutting down"));
}

#[test]
fn help_documents_every_setting_with_its_environment_variable() {
    let output = std::process::Command::new(flow_tests::server::server_binary())
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for var in [
        "PORT",
        "FLOW_SERVER_ADDR",
        "FLOW_SERVER_TOKEN",
        "FLOW_STUDIO_DIR",
        "PUBLIC_DIR",
        "TASKS_DIR",
        "PROJECTS_DIR",
        "OPEN_BROWSER",
    ] {
        assert!(
            help.contains(&format!("[env: {var}")),
            "--help does not mention {var}:\n{help}"
        );
    }
}

#[test]
fn a_bad_token_or_address_is_a_clear_startup_error() {
    let output = std::process::Command::new(flow_tests::server::server_binary())
        .env("FLOW_SERVER_TOKEN", "short")
        .env("FLOW_STUDIO_DIR", tempfile::tempdir().unwrap().path())
        .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 16"));
    let output = std::process::Command::new(flow_tests::server::server_binary())
        .env("FLOW_STUDIO_DIR", tempfile::tempdir().unwrap().path())
        .env("FLOW_SERVER_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen on not-an-address"));
    let empty = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(flow_tests::server::server_binary())
        .env("FLOW_STUDIO_DIR", tempfile::tempdir().unwrap().path())
        .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
        .env("PUBLIC_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no index.html"));
}
