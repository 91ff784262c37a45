//! The credential stores through the real server binary: the real Secret Service
//! (gnome-keyring on a private D-Bus session) holds secrets across a restart and nothing lands
//! in the data directory; `FLOW_SECRET_STORE=keyring` without one refuses to start; `auto`
//! without one falls back to the encrypted file store and says so.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use flow_tests::secret_grep::{files_containing, holds};
use flow_tests::secret_service::SecretService;
use flow_tests::server::{ServerOptions, ServerProcess, server_binary};
use serde_json::{Value, json};

const SECRET: &str = "kr-secret-7c1d9e4b2a6f";

/// A loopback API that answers 200 only to `Bearer SECRET`.
async fn api() -> SocketAddr {
    let app = Router::new().route(
        "/whoami",
        get(|headers: HeaderMap| async move {
            let ok = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == format!("Bearer {SECRET}"));
            if ok {
                (StatusCode::OK, axum::Json(json!({"user": "flow"})))
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"error": "bad token"})),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn run_whoami(server: &ServerProcess, api: SocketAddr) -> Value {
    let graph = json!({"name": "Who am I", "nodes": [
        {"id": "who", "type": "service", "data": {"service": "http", "operation": "request",
         "method": "GET", "url": format!("http://{api}/whoami"), "connection": "keyring-api"}}]});
    let (status, started) = server
        .invoke(
            "run_start",
            json!({"source": {"graph": graph}, "options": null}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let id = started["executionId"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        let (_, run) = server.invoke("run_get", json!({"executionId": id})).await;
        if run["run"]["status"] != "running" && run["run"]["status"].is_string() {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the run did not end");
}

#[tokio::test]
async fn the_secret_service_keeps_secrets_across_a_restart_and_off_the_disk() {
    let api = api().await;
    let home = tempfile::tempdir().unwrap();
    let keyring = SecretService::start(home.path());
    let studio = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        env: vec![
            ("FLOW_SECRET_STORE".into(), "keyring".into()),
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                keyring.bus_address.clone(),
            ),
        ],
        studio_dir: Some(studio.path().join("studio")),
        ..Default::default()
    };
    {
        let server = ServerProcess::start(options.clone());
        let (_, info) = server.invoke("app_info", json!({})).await;
        assert_eq!(info["secretStore"]["kind"], "keyring", "{info}");
        assert_eq!(info["secretStore"]["backend"], "Secret Service");
        server
            .invoke(
                "settings_update",
                json!({"patch": {"allow_services": true}}),
            )
            .await;
        let (status, saved) = server
            .invoke(
                "connection_save",
                json!({"input": {"name": "Keyring API", "service": "http",
                "auth": "bearer", "secret": SECRET}}),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["status"], "ready");
        assert!(!saved.to_string().contains(SECRET));
        // Read back from the Secret Service itself, not through Flow.
        let stored = keyring
            .lookup(&[("username", "keyring-api")])
            .expect("the secret is in the Secret Service");
        assert!(stored.contains(SECRET), "{stored}");
        assert!(server.stderr().contains("credential store active"));
    }
    let found = files_containing(&studio.path().join("studio"), &[SECRET]);
    assert!(
        found.is_empty(),
        "secret on disk in the data dir: {found:?}"
    );
    assert!(
        !studio.path().join("studio/secrets").exists(),
        "no file store was made"
    );
    let in_keyring_files = files_containing(&keyring.keyring_dir(), &[SECRET]);
    assert!(
        in_keyring_files.is_empty(),
        "gnome-keyring encrypts its files: {in_keyring_files:?}"
    );

    // A restart finds the secret again and a run uses it.
    let server = ServerProcess::start(options);
    let (_, listed) = server.invoke("connections_list", json!({})).await;
    assert_eq!(listed[0]["status"], "ready", "{listed}");
    let run = run_whoami(&server, api).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert!(!run.to_string().contains(SECRET));

    let (status, _) = server
        .invoke(
            "connection_delete",
            json!({"id": "keyring-api", "force": null}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        keyring.lookup(&[("username", "keyring-api")]),
        None,
        "deleted from the Secret Service"
    );
}

#[test]
fn keyring_only_without_a_secret_service_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(server_binary())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("FLOW_STUDIO_DIR", dir.path().join("studio"))
        .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
        .env("FLOW_SECRET_STORE", "keyring")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("no-bus").display()),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FLOW_SECRET_STORE=keyring"), "{stderr}");
    assert!(
        stderr.contains("OS credential store cannot be used"),
        "{stderr}"
    );
}

#[tokio::test]
async fn auto_without_a_secret_service_falls_back_to_the_encrypted_file_and_says_so() {
    let server = ServerProcess::start(ServerOptions::default());
    let (_, info) = server.invoke("app_info", json!({})).await;
    assert_eq!(info["secretStore"]["kind"], "encryptedFile", "{info}");
    assert_eq!(info["secretStore"]["keySource"], "keyFile");
    assert!(info["secretStore"]["fallbackReason"].is_string());
    assert!(
        server
            .stderr()
            .contains("the OS credential store is not available"),
        "the fallback is logged"
    );
    server
        .invoke(
            "connection_save",
            json!({"input": {"name": "F", "service": "http",
            "auth": "bearer", "secret": SECRET}}),
        )
        .await;
    let enc = std::fs::read(server.studio_dir().join("secrets/store.enc")).unwrap();
    assert!(!holds(&enc, SECRET.as_bytes()));
    assert!(files_containing(&server.studio_dir(), &[SECRET]).is_empty());
}
