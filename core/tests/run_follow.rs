//! Following a run (`commands::run_follow`, `commands::run_start_follow`): every event once, in
//! `seq` order, across history pages, and when the follower falls so far behind that the bus
//! drops events for it (the follow goes back to the history for them).
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use flow_core::commands;
use flow_core::engine::{ExecutionEvent, ExecutionEventKind, RunOptions, RunSource};
use flow_core::history::{FOLLOW_PAGE, RunFollow};
use serde_json::json;

mod common;
use common::*;

/// More log lines than one history page and than the bus's replay ring (1,024) hold.
const LINES: u32 = 2500;

fn chatty() -> RunSource {
    RunSource {
        graph: Some(graph(
            json!([{"id": "talk", "type": "action", "data": {
                "adapter": "shell", "actionId": "run-command",
                "command": format!("seq 1 {LINES}")}}]),
            json!([]),
        )),
        ..Default::default()
    }
}

async fn drain(mut follow: RunFollow) -> Vec<ExecutionEvent> {
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(30), follow.next())
        .await
        .expect("the follow keeps going until done")
    {
        events.push(event);
    }
    events
}

fn assert_whole(events: &[ExecutionEvent], first: u32) {
    let seqs: Vec<u32> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u32> = (first..first + events.len() as u32).collect();
    assert_eq!(seqs, expected, "every seq once, in order");
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(ExecutionEventKind::Done { .. })
    ));
    let lines = events
        .iter()
        .filter(|e| matches!(e.kind, ExecutionEventKind::NodeLog { .. }))
        .count();
    assert!(lines > 0, "the run's log lines are followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_run_is_replayed_page_by_page_then_the_follow_ends() {
    let e = env();
    let (started, live) = commands::run_start_follow(&e.app, chatty(), None, None)
        .await
        .unwrap();
    let live = drain(live).await;
    assert_whole(&live, 0);
    assert!(
        live.len() > FOLLOW_PAGE as usize * 2,
        "{} events",
        live.len()
    );

    let replayed = drain(
        commands::run_follow(&e.app, started.execution_id.clone(), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        serde_json::to_value(&replayed).unwrap(),
        serde_json::to_value(&live).unwrap()
    );

    let after = drain(
        commands::run_follow(&e.app, started.execution_id.clone(), Some(1500))
            .await
            .unwrap(),
    )
    .await;
    assert_whole(&after, 1501);

    let unknown = commands::run_follow(&e.app, "run-nope".into(), None).await;
    assert!(matches!(unknown, Err(flow_core::AppError::NotFound(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_left_behind_by_the_bus_catches_up_from_the_history() {
    let e = env();
    // Subscribed before the run starts, then not read until the run is over: by then the bus
    // has dropped most of the run's events for this follower.
    let (started, follow) =
        commands::run_start_follow(&e.app, chatty(), Some(RunOptions::default()), None)
            .await
            .unwrap();
    for _ in 0..3000 {
        if commands::runs_active(&e.app).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(commands::runs_active(&e.app).await.unwrap().is_empty());
    let events = drain(follow).await;
    assert_whole(&events, 0);
    assert!(
        events
            .iter()
            .all(|e| e.execution_id == started.execution_id)
    );
}
