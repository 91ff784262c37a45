//! `run_follow` sends a run's events down a Tauri channel, recorded ones first, in `seq` order,
//! until `done`; `run_follow_stop` ends a follow early. Under Tauri's `MockRuntime`, on a real
//! core and real runs.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use flow_core::engine::RunSource;
use flow_core::{App, AppConfig, AppError, Edition, commands};
use flow_ipc::follow::{Follows, run_follow, run_follow_stop};
use serde_json::Value;
use tauri::Manager;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};

const THREE: &str = r#"flow "Three logs"

a[utility: "A"] {
  actionId: "log"
  message: "hello from a"
}
b[utility: "B"] {
  actionId: "log"
  message: "hello from b"
}
c[utility: "C"] {
  actionId: "log"
  message: "hello from c"
}

a.pass --> b
b.pass --> c
"#;

const SLOW: &str = r#"flow "Slow"

wait[action: "Wait"] {
  adapter: "mock"
  delayMs: 30000
}
"#;

fn mock_app(dir: &tempfile::TempDir) -> tauri::App<MockRuntime> {
    let core = tauri::async_runtime::block_on(async {
        App::open(AppConfig::new(
            dir.path().join("studio"),
            Edition::Desktop,
            dir.path(),
        ))
    })
    .unwrap();
    let app = mock_builder()
        .invoke_handler(flow_ipc::specta_builder::<MockRuntime>().invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    flow_ipc::attach(app.handle(), core);
    app
}

/// A channel that keeps what it is sent, as JSON.
fn recording_channel() -> (
    Channel<flow_core::engine::ExecutionEvent>,
    Arc<Mutex<Vec<Value>>>,
) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let channel = Channel::new(move |body| {
        let InvokeResponseBody::Json(json) = body else {
            panic!("run events are sent as JSON");
        };
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(&json).unwrap());
        Ok(())
    });
    (channel, received)
}

fn dsl(text: &str) -> RunSource {
    RunSource {
        graph: None,
        slug: None,
        dsl: Some(text.into()),
    }
}

#[test]
fn a_run_is_followed_from_its_first_event_to_done_and_after_a_seq() {
    let dir = tempfile::tempdir().unwrap();
    let app = mock_app(&dir);
    tauri::async_runtime::block_on(async {
        let core = app.state::<App>().inner().clone();
        let started = commands::run_start(&core, dsl(THREE), None, None)
            .await
            .unwrap();

        let (channel, received) = recording_channel();
        let follow = run_follow(
            app.state::<App>(),
            app.state::<Follows>(),
            started.execution_id.clone(),
            None,
            channel,
        );
        tokio::time::timeout(Duration::from_secs(10), follow)
            .await
            .expect("the follow ends after done")
            .unwrap();
        let events = received.lock().unwrap().clone();
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert_eq!(
            seqs,
            (0..events.len() as u64).collect::<Vec<_>>(),
            "{events:?}"
        );
        assert_eq!(events.last().unwrap()["kind"], "done");
        assert!(
            events
                .iter()
                .all(|e| e["execution_id"] == started.execution_id.as_str())
        );

        let (channel, rest) = recording_channel();
        run_follow(
            app.state::<App>(),
            app.state::<Follows>(),
            started.execution_id.clone(),
            Some(2),
            channel,
        )
        .await
        .unwrap();
        assert_eq!(*rest.lock().unwrap(), events[3..]);

        let (channel, nothing) = recording_channel();
        let unknown = run_follow(
            app.state::<App>(),
            app.state::<Follows>(),
            "run-nope".into(),
            None,
            channel,
        )
        .await;
        assert!(matches!(unknown, Err(AppError::NotFound(_))), "{unknown:?}");
        assert!(nothing.lock().unwrap().is_empty());
    });
}

#[test]
fn a_follow_stops_on_request_while_its_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let app = mock_app(&dir);
    tauri::async_runtime::block_on(async {
        let core = app.state::<App>().inner().clone();
        let started = commands::run_start(&core, dsl(SLOW), None, None)
            .await
            .unwrap();
        let (channel, received) = recording_channel();
        let id = channel.id();
        let follow = tauri::async_runtime::spawn({
            let handle = app.handle().clone();
            let execution_id = started.execution_id.clone();
            async move {
                run_follow(
                    handle.state::<App>(),
                    handle.state::<Follows>(),
                    execution_id,
                    None,
                    channel,
                )
                .await
            }
        });
        // The run's first events arrive while its node waits.
        for _ in 0..500 {
            if !received.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!received.lock().unwrap().is_empty(), "no event arrived");

        let stopped = run_follow_stop(app.state::<Follows>(), id).await.unwrap();
        assert!(stopped);
        tokio::time::timeout(Duration::from_secs(5), follow)
            .await
            .expect("a stopped follow ends")
            .unwrap()
            .unwrap();
        let again = run_follow_stop(app.state::<Follows>(), id).await.unwrap();
        assert!(!again, "nothing left to stop");
        assert!(
            received.lock().unwrap().iter().all(|e| e["kind"] != "done"),
            "the run is still going"
        );
        commands::run_cancel(&core, started.execution_id)
            .await
            .unwrap();
    });
}
