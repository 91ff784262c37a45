//! Bus events reach the webview as the Tauri event `flow-event`, under Tauri's `MockRuntime`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flow_core::{App, AppConfig, Edition};
use serde_json::{Value, json};
use tauri::Listener;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn a_settings_change_is_forwarded_as_a_tauri_event() {
    let dir = tempfile::tempdir().unwrap();
    let core = App::open(AppConfig::new(
        dir.path().join("studio"),
        Edition::Desktop,
        dir.path(),
    ))
    .unwrap();
    let builder = flow_ipc::specta_builder::<tauri::test::MockRuntime>();
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    flow_ipc::attach(app.handle(), core);
    let received = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = received.clone();
    app.listen_any(flow_ipc::EVENT_NAME, move |event| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(event.payload()).unwrap());
    });
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    let reply = get_ipc_response(&webview, request("theme_set", json!({"theme": "business"})))
        .map(|b| b.deserialize::<Value>().unwrap())
        .unwrap();
    assert_eq!(reply["theme"], "business");

    let deadline = Instant::now() + Duration::from_secs(5);
    while received.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let events = received.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "settings-changed");
    assert_eq!(events[0]["settings"]["theme"], "business");

    let refused = get_ipc_response(
        &webview,
        request("theme_set", json!({"theme": "solarized"})),
    );
    assert!(refused.is_err(), "unknown theme must be refused");
    let bad = get_ipc_response(
        &webview,
        request(
            "settings_update",
            json!({"patch": {"max_loaded_models": 0}}),
        ),
    );
    assert_eq!(
        bad.unwrap_err(),
        json!({"kind": "InvalidInput", "error": "setting `max_loaded_models` must be between 1 and 16, got 0"})
    );
}
