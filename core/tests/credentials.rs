//! Credential custody on a real data directory: connections' metadata in SQLite, secrets in the
//! encrypted file store (no OS keyring in a test process), never in a command's answer, and
//! masked in everything a run echoes.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use flow_core::commands;
use flow_core::credentials::{
    AuthKind, ConnectionConfig, ConnectionInput, ConnectionStatus, SecretKeySource,
    SecretStoreChoice, SecretStoreKind,
};
use flow_core::engine::{ExecutionEventKind, RunOptions, RunStatus};
use flow_core::{App, AppConfig, AppError, Edition};
use serde_json::json;

const SECRET: &str = "tok-3f9c1a7e5b2d4c6a";

fn input(name: &str, auth: AuthKind, secret: Option<&str>) -> ConnectionInput {
    ConnectionInput {
        id: None,
        name: name.to_owned(),
        service: "http".to_owned(),
        auth,
        config: ConnectionConfig::default(),
        secret: secret.map(str::to_owned),
    }
}

/// Every file under `dir` holding `needle`, byte for byte.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            std::fs::read(e.path())
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .map(|e| e.path().display().to_string())
        .collect()
}

#[tokio::test]
async fn secrets_stay_in_the_store_and_answers_carry_metadata_only() {
    let env = common::env();
    let app = &env.app;
    let info = commands::app_info(app).await.unwrap();
    assert_eq!(info.secret_store.kind, SecretStoreKind::EncryptedFile);
    assert_eq!(info.secret_store.key_source, Some(SecretKeySource::KeyFile));
    assert!(
        info.secret_store.fallback_reason.is_some(),
        "the fallback says why"
    );

    let saved = commands::connection_save(app, input("My API", AuthKind::Bearer, Some(SECRET)))
        .await
        .unwrap();
    assert_eq!(saved.id, "my-api");
    assert!(saved.has_secret);
    assert_eq!(saved.status, ConnectionStatus::Ready);
    let listed = commands::connections_list(app).await.unwrap();
    let text = serde_json::to_string(&listed).unwrap();
    assert!(!text.contains(SECRET), "a listing never holds the secret");
    assert!(text.contains("\"hasSecret\":true"));

    // Updating without a secret keeps it; an empty one removes it.
    let mut update = input("My API renamed", AuthKind::Bearer, None);
    update.id = Some("my-api".into());
    let kept = commands::connection_save(app, update.clone())
        .await
        .unwrap();
    assert!(kept.has_secret);
    assert_eq!(kept.name, "My API renamed");
    let resolved = app.credentials().resolve("my-api").await.unwrap();
    assert_eq!(resolved.secret.secret.as_deref(), Some(SECRET));
    update.secret = Some(String::new());
    let cleared = commands::connection_save(app, update).await.unwrap();
    assert!(!cleared.has_secret);
    assert_eq!(cleared.status, ConnectionStatus::MissingSecret);
    let err = app.credentials().resolve("my-api").await.unwrap_err();
    assert!(err.message().contains("no secret stored"), "{err}");

    // Nothing but the encrypted store file holds it, and that only as ciphertext.
    let found = files_containing(&env.dir.path().join("data"), SECRET);
    assert!(found.is_empty(), "secret found in {found:?}");
}

#[tokio::test]
async fn a_second_connection_with_the_same_name_gets_its_own_id_and_bad_input_is_refused() {
    let env = common::env();
    let app = &env.app;
    let a = commands::connection_save(app, input("Twin", AuthKind::None, None))
        .await
        .unwrap();
    let b = commands::connection_save(app, input("Twin", AuthKind::None, None))
        .await
        .unwrap();
    assert_eq!((a.id.as_str(), b.id.as_str()), ("twin", "twin-2"));
    assert_eq!(a.status, ConnectionStatus::Ready);

    let cases = [
        (input(" ", AuthKind::None, None), "name"),
        (
            ConnectionInput {
                service: "Not A Service".into(),
                ..input("x", AuthKind::None, None)
            },
            "service id",
        ),
        (
            input("basic without user", AuthKind::Basic, Some("pw12345")),
            "username",
        ),
        (
            input("oauth without client", AuthKind::Oauth2, None),
            "client id",
        ),
        (
            ConnectionInput {
                config: ConnectionConfig {
                    base_url: Some("ftp://x".into()),
                    ..Default::default()
                },
                ..input("bad url", AuthKind::None, None)
            },
            "http or https",
        ),
    ];
    for (bad, says) in cases {
        match commands::connection_save(app, bad).await {
            Err(AppError::InvalidInput(msg)) => assert!(msg.contains(says), "{msg}"),
            other => panic!("expected InvalidInput about {says}, got {other:?}"),
        }
    }
    let mut missing = input("ghost", AuthKind::None, None);
    missing.id = Some("no-such-connection".into());
    assert!(matches!(
        commands::connection_save(app, missing).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        commands::connections_list(app).await.unwrap().len(),
        2,
        "nothing half-saved"
    );
}

#[tokio::test]
async fn deleting_a_connection_a_saved_flow_uses_names_the_flows_unless_forced() {
    let env = common::env();
    let app = &env.app;
    commands::connection_save(app, input("Deploy API", AuthKind::Bearer, Some(SECRET)))
        .await
        .unwrap();
    let graph = common::graph(
        json!([{"id": "call", "type": "service",
                "data": {"service": "http", "operation": "request", "connection": "deploy-api",
                         "method": "GET", "url": "http://127.0.0.1:9/"}}]),
        json!([]),
    );
    common::save_new(app, graph).await;
    let listed = commands::connections_list(app).await.unwrap();
    assert_eq!(listed[0].used_by.len(), 1);
    assert_eq!(listed[0].used_by[0].name, "Test flow");

    match commands::connection_delete(app, "deploy-api".into(), None).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("\"Test flow\""), "{msg}"),
        other => panic!("expected a conflict naming the flow, got {other:?}"),
    }
    assert_eq!(
        commands::connections_list(app).await.unwrap().len(),
        1,
        "refused delete keeps it"
    );
    let deleted = commands::connection_delete(app, "deploy-api".into(), Some(true))
        .await
        .unwrap();
    assert_eq!(deleted.was_used_by.len(), 1);
    assert!(commands::connections_list(app).await.unwrap().is_empty());
    assert!(matches!(
        app.credentials().resolve("deploy-api").await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_secret_echoed_by_a_run_is_masked_in_events_and_history() {
    let env = common::env();
    let app = &env.app;
    commands::connection_save(app, input("Echo", AuthKind::Bearer, Some(SECRET)))
        .await
        .unwrap();
    let graph = common::graph(
        json!([
            {"id": "leak", "type": "action",
             "data": {"adapter": "shell", "actionId": "run-command",
                      "command": format!("echo token={SECRET}; echo {SECRET} >&2; exit 3")}},
        ]),
        json!([]),
    );
    let (watch, status) = common::run_to_end(app, graph, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed);
    let live = serde_json::to_string(&watch.events).unwrap();
    assert!(
        !live.contains(SECRET),
        "live events carry the secret: {live}"
    );
    assert!(live.contains("token=***"), "{live}");
    let failed = watch
        .events
        .iter()
        .find_map(|e| match &e.kind {
            ExecutionEventKind::NodeFailed { output, .. } => output.clone(),
            _ => None,
        })
        .expect("the failed node's output");
    assert!(failed.to_string().contains("***"));

    let recorded = commands::run_events(app, watch.id.clone(), None, None, None)
        .await
        .unwrap();
    let detail = commands::run_get(app, watch.id.clone()).await.unwrap();
    for text in [
        serde_json::to_string(&recorded).unwrap(),
        serde_json::to_string(&detail).unwrap(),
    ] {
        assert!(!text.contains(SECRET), "history carries the secret");
        assert!(text.contains("***"));
    }
    app.history().flush().await;
    let found = files_containing(&env.dir.path().join("data"), SECRET);
    assert!(found.is_empty(), "secret found in {found:?}");
}

#[tokio::test]
async fn the_file_store_with_a_passphrase_survives_a_restart_and_refuses_another_key() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let config = |key: &str| AppConfig {
        secret_store: SecretStoreChoice::File,
        secret_key: Some(flow_core::credentials::SecretKey(key.to_owned())),
        ..AppConfig::new(dir.path().join("data"), Edition::Server, &home)
    };
    {
        let app = App::open(config("a long passphrase, 1")).unwrap();
        let info = commands::app_info(&app).await.unwrap();
        assert_eq!(info.secret_store.key_source, Some(SecretKeySource::Env));
        assert_eq!(
            info.secret_store.fallback_reason, None,
            "chosen, not fallen back to"
        );
        commands::connection_save(&app, input("Kept", AuthKind::Bearer, Some(SECRET)))
            .await
            .unwrap();
    }
    let app = App::open(config("a long passphrase, 1")).unwrap();
    let resolved = app.credentials().resolve("kept").await.unwrap();
    assert_eq!(resolved.secret.secret.as_deref(), Some(SECRET));
    drop(app);
    let err = App::open(config("another passphrase!!")).unwrap_err();
    assert!(err.message().contains("FLOW_SECRET_KEY"), "{err}");
    assert!(
        !dir.path().join("data/secrets/store.key").exists(),
        "no key on disk"
    );
}
