//! The executor end to end: routing, skips, parallelism, loops, retries, timeouts, sub-flows,
//! templates, run control and the destructive gate, through the real `utility` and `mock`
//! adapters and the app's event bus.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;
use std::time::Duration;

use flow_core::engine::{ExecutionEventKind, RunOptions, RunSource, RunStatus, RunTrigger};
use flow_core::flows::FlowGraph;
use flow_core::settings::SettingsPatch;
use flow_core::{AppError, commands};
use serde_json::json;

mod common;
use common::*;

#[tokio::test]
async fn routes_pass_fail_always_and_explains_skips() {
    let e = env();
    let g = graph(
        json!([
            mock("a", json!({})),
            mock("b", json!({})),
            mock("c", json!({})),
            mock("d", json!({})),
            mock("e", json!({}))
        ]),
        json!([
            edge("a", "b", "pass"),
            edge("a", "c", "fail"),
            edge("a", "d", "always"),
            edge("c", "e", "always")
        ]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded);
    assert!(matches!(
        w.events[0].kind,
        ExecutionEventKind::Started {
            trigger: RunTrigger::Manual,
            ..
        }
    ));
    assert_eq!(w.events[0].seq, 0);
    assert!(w.events.windows(2).all(|p| p[1].seq == p[0].seq + 1));
    assert!(
        w.events[0].at.ends_with('Z') && w.events[0].at.len() == 24,
        "{}",
        w.events[0].at
    );
    assert!(w.succeeded("b") && w.succeeded("d"));
    assert_eq!(
        w.skipped("c").unwrap(),
        "not reached: a succeeded and only a.fail leads here"
    );
    assert_eq!(
        w.skipped("e").unwrap(),
        "not reached: c was skipped and only c.always leads here"
    );
}

#[tokio::test]
async fn unhandled_failure_fails_the_run_and_handled_one_does_not() {
    let e = env();
    let g = graph(
        json!([
            mock(
                "a",
                json!({"fail": true, "error": "boom", "output": {"exitCode": 2}})
            ),
            mock("b", json!({}))
        ]),
        json!([edge("a", "b", "pass")]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed);
    assert_eq!(w.failed("a").unwrap(), "boom");
    assert!(w.kinds_of("a").iter().any(|k| matches!(k, ExecutionEventKind::NodeFailed { output: Some(o), .. } if o["exitCode"] == 2)));
    assert_eq!(
        w.skipped("b").unwrap(),
        "not reached: a failed and only a.pass leads here"
    );

    let g = graph(
        json!([
            mock("a", json!({"fail": true})),
            mock("b", json!({})),
            mock("fix", json!({})),
            mock("after", json!({}))
        ]),
        json!([
            edge("a", "b", "pass"),
            edge("a", "fix", "fail"),
            edge("b", "after", "pass")
        ]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded);
    assert!(w.succeeded("fix"));
    assert!(w.skipped("after").unwrap().contains("b was skipped"));
}

#[tokio::test]
async fn a_fail_branch_reads_what_the_failed_node_produced() {
    let e = env();
    let g = graph(
        json!([
            mock(
                "build",
                json!({"fail": true, "error": "exited with code 3", "output": {"stderr": "linker exploded"}})
            ),
            utility(
                "report",
                "log",
                json!({"message": "{{build.error}}: {{build.stderr}}"})
            )
        ]),
        json!([edge("build", "report", "fail")]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "the failure is handled");
    let said = w
        .kinds_of("report")
        .into_iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output["message"].clone()),
            _ => None,
        })
        .expect("report succeeded");
    assert_eq!(said, "exited with code 3: linker exploded");
}

#[tokio::test]
async fn conditions_route_and_bad_conditions_fail_the_source() {
    let e = env();
    let g: FlowGraph = serde_json::from_value(json!({
        "name": "Cond",
        "nodes": [mock("classify", json!({"output": {"label": "retry", "score": 7}})), mock("yes", json!({})), mock("no", json!({})), mock("big", json!({}))],
        "edges": [
            {"source": "classify", "target": "yes", "outcome": "pass", "condition": "{{classify.label}} == 'retry'"},
            {"source": "classify", "target": "no", "outcome": "pass", "condition": "{{classify.label}} != 'retry'"},
            {"source": "classify", "target": "big", "outcome": "pass", "condition": "{{classify.score}} >= 5"}
        ]
    }))
    .unwrap();
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded);
    assert!(w.succeeded("yes") && w.succeeded("big"));
    assert!(
        w.skipped("no")
            .unwrap()
            .contains("when {{classify.label}} != 'retry'")
    );

    let g: FlowGraph = serde_json::from_value(json!({
        "name": "Bad cond",
        "nodes": [mock("a", json!({"output": {"x": "text"}})), mock("b", json!({})), mock("h", json!({}))],
        "edges": [
            {"source": "a", "target": "b", "outcome": "pass", "condition": "{{a.x}} > 3"},
            {"source": "a", "target": "h", "outcome": "fail"}
        ]
    }))
    .unwrap();
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded);
    assert!(
        w.failed("a").unwrap().starts_with("edge condition a → b:"),
        "{:?}",
        w.failed("a")
    );
    assert!(w.succeeded("h"));
}

#[tokio::test]
async fn independent_branches_overlap_and_a_join_waits_for_all() {
    let e = env();
    let g = graph(
        json!([
            mock("s", json!({})),
            mock("b1", json!({"delayMs": 80})),
            mock("b2", json!({"delayMs": 80})),
            mock("b3", json!({"delayMs": 80})),
            utility("join", "merge", json!({}))
        ]),
        json!([
            edge("s", "b1", "pass"),
            edge("s", "b2", "pass"),
            edge("s", "b3", "pass"),
            edge("b1", "join", "pass"),
            edge("b2", "join", "pass"),
            edge("b3", "join", "pass")
        ]),
    );
    let (w, status) = run_to_end(
        &e.app,
        g.clone(),
        RunOptions {
            max_parallel_nodes: Some(4),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(status, RunStatus::Succeeded);
    let first_done = ["b1", "b2", "b3"]
        .iter()
        .map(|n| w.pos(is_succeeded_dyn(n)))
        .min()
        .unwrap();
    for n in ["b1", "b2", "b3"] {
        assert!(
            w.pos(is_started_dyn(n)) < first_done,
            "branches did not overlap"
        );
    }
    let join_start = w.pos(is_started("join"));
    for n in ["b1", "b2", "b3"] {
        assert!(w.pos(is_succeeded_dyn(n)) < join_start);
    }
    let merged = w
        .kinds_of("join")
        .into_iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(merged.as_object().unwrap().len(), 3);

    // Sequential by default: each branch ends before the next starts.
    let (w, _) = run_to_end(&e.app, g.clone(), RunOptions::default()).await;
    assert!(w.pos(is_succeeded("b1")) < w.pos(is_started("b2")));
    assert!(w.pos(is_succeeded("b2")) < w.pos(is_started("b3")));

    // A per-type cap of 1 (the `node_type_limits` setting, keyed by the adapter name here)
    // serialises mock nodes within a budget of 4.
    commands::settings_update(
        &e.app,
        SettingsPatch {
            node_type_limits: Some(BTreeMap::from([("mock".to_owned(), 1)])),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (w, _) = run_to_end(
        &e.app,
        g,
        RunOptions {
            max_parallel_nodes: Some(4),
            ..Default::default()
        },
    )
    .await;
    assert!(w.pos(is_succeeded("b1")) < w.pos(is_started("b2")));
    assert!(w.pos(is_succeeded("b2")) < w.pos(is_started("b3")));
}

fn is_started_dyn(node: &str) -> impl Fn(&ExecutionEventKind) -> bool + '_ {
    move |k| matches!(k, ExecutionEventKind::NodeStarted { node_id, .. } if node_id == node)
}

fn is_succeeded_dyn(node: &str) -> impl Fn(&ExecutionEventKind) -> bool + '_ {
    move |k| matches!(k, ExecutionEventKind::NodeSucceeded { node_id, .. } if node_id == node)
}

#[tokio::test]
async fn bounded_loops_count_iterations_and_cap() {
    let e = env();
    let g = graph(
        json!([
            mock("start", json!({})),
            mock("check", json!({"fail": true, "maxIterations": 3})),
            mock("fix", json!({})),
            mock("deploy", json!({}))
        ]),
        json!([
            edge("start", "check", "pass"),
            edge("check", "fix", "fail"),
            edge("fix", "check", "always"),
            edge("check", "deploy", "pass")
        ]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    let iterations = |node: &str| -> Vec<u32> {
        w.kinds_of(node)
            .iter()
            .filter_map(|k| match k {
                ExecutionEventKind::NodeStarted { iteration, .. } => Some(*iteration),
                _ => None,
            })
            .collect()
    };
    assert_eq!(iterations("check"), vec![0, 1, 2]);
    assert_eq!(iterations("fix"), vec![0, 1, 2]);
    assert!(w.events.iter().any(|e| matches!(&e.kind, ExecutionEventKind::IterationCapped { node_id, visits: 3 } if node_id == "check")));
    assert!(w.skipped("deploy").is_some());
    // check's failures are handled by its fail edge.
    assert_eq!(status, RunStatus::Succeeded);
}

#[tokio::test]
async fn retries_and_timeouts() {
    let e = env();
    let g = graph(
        json!([
            mock(
                "flaky",
                json!({"fail": true, "retries": 2, "retryDelayMs": 30})
            ),
            mock("slow", json!({"delayMs": 10_000, "timeoutMs": 50}))
        ]),
        json!([edge("flaky", "slow", "always")]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed);
    let flaky_ms = w
        .kinds_of("flaky")
        .iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeFailed { duration_ms, .. } => Some(*duration_ms),
            _ => None,
        })
        .unwrap();
    assert!(flaky_ms >= 60.0, "two retry delays: {flaky_ms}");
    assert_eq!(w.failed("slow").unwrap(), "timed out after 50 ms");
}

#[tokio::test]
async fn sub_flows_rerun_as_a_unit() {
    let e = env();
    let g: FlowGraph = serde_json::from_value(json!({
        "name": "Sub",
        "nodes": [mock("pre", json!({})), mock("m1", json!({})), mock("m2", json!({"fail": true})), mock("post", json!({}))],
        "edges": [edge("pre", "m1", "pass"), edge("m1", "m2", "pass"), edge("m2", "post", "always")],
        "subflows": [{"id": "unit", "label": "Unit", "nodeIds": ["m1", "m2"], "retry": 2}]
    }))
    .unwrap();
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    let iterations = |node: &str| -> Vec<u32> {
        w.kinds_of(node)
            .iter()
            .filter_map(|k| match k {
                ExecutionEventKind::NodeStarted { iteration, .. } => Some(*iteration),
                _ => None,
            })
            .collect()
    };
    assert_eq!(iterations("m1"), vec![0, 1, 2]);
    assert_eq!(iterations("m2"), vec![0, 1, 2]);
    // post waits for the unit's last attempt.
    let last_m2 = w.events.iter().rposition(|e| matches!(&e.kind, ExecutionEventKind::NodeFailed { node_id, .. } if node_id == "m2")).unwrap();
    assert!(w.pos(is_started("post")) > last_m2);
    assert_eq!(status, RunStatus::Failed);
}

#[tokio::test]
async fn templates_flow_between_nodes_and_memory() {
    let e = env();
    let g = graph(
        json!([
            mock("a", json!({"output": {"n": 5, "tags": ["x", "y"]}})),
            utility(
                "setv",
                "set-variable",
                json!({"key": "env", "value": "{{input.env}}"})
            ),
            utility(
                "say",
                "log",
                json!({"message": "{{memory.env}} n={{a.n}} first={{a.tags.0}}"})
            ),
            mock(
                "typed",
                json!({"output": {"whole": "{{a}}", "n": "{{a.n}}"}})
            ),
        ]),
        json!([
            edge("a", "setv", "pass"),
            edge("setv", "say", "pass"),
            edge("say", "typed", "pass")
        ]),
    );
    let (w, status) = run_to_end(
        &e.app,
        g,
        RunOptions {
            input: Some(json!({"env": "prod"})),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    assert!(w.kinds_of("say").iter().any(
        |k| matches!(k, ExecutionEventKind::NodeLog { line, .. } if line == "prod n=5 first=x")
    ));
    let out = w
        .kinds_of("typed")
        .into_iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(out, json!({"whole": {"n": 5, "tags": ["x", "y"]}, "n": 5}));

    let g = graph(
        json!([
            mock("a", json!({"fail": true})),
            mock("ghost", json!({})),
            utility("say", "log", json!({"message": "{{ghost.x}}"}))
        ]),
        json!([edge("a", "ghost", "pass"), edge("a", "say", "always")]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Failed);
    assert_eq!(
        w.failed("say").unwrap(),
        "unresolved template {{ghost.x}}: node ghost did not run"
    );
}

#[tokio::test]
async fn pause_and_resume_at_node_boundaries() {
    let e = env();
    let g = graph(
        json!([
            mock("a", json!({"delayMs": 100})),
            mock("b", json!({})),
            mock("c", json!({}))
        ]),
        json!([edge("a", "b", "pass"), edge("b", "c", "pass")]),
    );
    let mut w = start(&e.app, g, RunOptions::default()).await;
    w.until(is_started("a")).await;
    let state = commands::run_pause(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(state.status, RunStatus::Paused);
    assert!(matches!(
        commands::run_pause(&e.app, w.id.clone()).await,
        Err(AppError::Conflict(_))
    ));
    w.until(is_succeeded("a")).await;
    // Held: nothing starts while paused.
    let held = tokio::time::timeout(Duration::from_millis(200), w.next()).await;
    assert!(held.is_err(), "a node started while paused: {held:?}");
    assert_eq!(
        commands::runs_active(&e.app).await.unwrap()[0].status,
        RunStatus::Paused
    );
    commands::run_resume(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(w.done().await, RunStatus::Succeeded);
    let resumed = w.pos(|k| matches!(k, ExecutionEventKind::Resumed {}));
    assert!(w.pos(|k| matches!(k, ExecutionEventKind::Paused {})) < w.pos(is_succeeded("a")));
    assert!(resumed < w.pos(is_started("b")));
    // Ended: steering is refused.
    assert!(matches!(
        commands::run_resume(&e.app, w.id.clone()).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        commands::run_cancel(&e.app, "run-nope".into()).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn cancel_during_a_long_sleep_ends_promptly() {
    let e = env();
    let g = graph(
        json!([
            utility("nap", "sleep", json!({"ms": 60_000})),
            mock("after", json!({}))
        ]),
        json!([edge("nap", "after", "pass")]),
    );
    let mut w = start(&e.app, g, RunOptions::default()).await;
    w.until(is_started("nap")).await;
    let t = std::time::Instant::now();
    commands::run_cancel(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(w.done().await, RunStatus::Cancelled);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(!w.succeeded("after"));
    assert!(commands::runs_active(&e.app).await.unwrap().is_empty());
}

fn delete_flow() -> FlowGraph {
    graph(
        json!([{"id": "del", "type": "action", "data": {"adapter": "fs", "actionId": "delete-file", "path": "old.log"}}, mock("handler", json!({}))]),
        json!([edge("del", "handler", "fail")]),
    )
}

#[tokio::test]
async fn destructive_nodes_wait_for_approval() {
    let e = env();
    let opts = RunOptions {
        confirm_destructive: Some(true),
        ..Default::default()
    };
    let mut w = start(&e.app, delete_flow(), opts.clone()).await;
    let ev = w
        .until(|k| matches!(k, ExecutionEventKind::AwaitingConfirmation { .. }))
        .await;
    assert!(
        matches!(&ev.kind, ExecutionEventKind::AwaitingConfirmation { node_id, action } if node_id == "del" && action.contains("old.log"))
    );
    let active = commands::runs_active(&e.app).await.unwrap();
    assert_eq!(active[0].status, RunStatus::AwaitingConfirmation);
    assert_eq!(active[0].awaiting.as_ref().unwrap().node_id, "del");
    assert!(matches!(
        commands::run_confirm(&e.app, w.id.clone(), "handler".into(), true).await,
        Err(AppError::Conflict(_))
    ));
    commands::run_confirm(&e.app, w.id.clone(), "del".into(), true)
        .await
        .unwrap();
    w.done().await;
    let resolved = w.pos(|k| {
        matches!(
            k,
            ExecutionEventKind::ConfirmationResolved { approved: true, .. }
        )
    });
    assert!(resolved < w.pos(is_started("del")));

    // Denied: the node fails and its fail edge routes.
    let mut w = start(&e.app, delete_flow(), opts).await;
    w.until(|k| matches!(k, ExecutionEventKind::AwaitingConfirmation { .. }))
        .await;
    commands::run_confirm(&e.app, w.id.clone(), "del".into(), false)
        .await
        .unwrap();
    assert_eq!(w.done().await, RunStatus::Succeeded);
    assert_eq!(w.failed("del").unwrap(), "denied by user");
    assert!(w.succeeded("handler"));

    // Cancel while waiting ends the run.
    let mut w = start(
        &e.app,
        delete_flow(),
        RunOptions {
            confirm_destructive: Some(true),
            ..Default::default()
        },
    )
    .await;
    w.until(|k| matches!(k, ExecutionEventKind::AwaitingConfirmation { .. }))
        .await;
    commands::run_cancel(&e.app, w.id.clone()).await.unwrap();
    assert_eq!(w.done().await, RunStatus::Cancelled);
}

#[tokio::test]
async fn invalid_flows_and_sources_are_refused() {
    let e = env();
    let g = graph(
        json!([{"id": "build", "type": "action", "data": {"adapter": "shell", "actionId": "run-command"}}]),
        json!([]),
    );
    let err = commands::run_start(
        &e.app,
        RunSource {
            graph: Some(g.clone()),
            ..Default::default()
        },
        None,
        None,
    )
    .await
    .unwrap_err();
    match err {
        AppError::InvalidInput(m) => assert!(m.contains("node build:"), "{m}"),
        other => panic!("{other:?}"),
    }
    let err = commands::run_start(
        &e.app,
        RunSource {
            graph: Some(g),
            dsl: Some("x".into()),
            ..Default::default()
        },
        None,
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::InvalidInput(_)));
    let err = commands::run_start(&e.app, RunSource::default(), None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::InvalidInput(_)));
}

#[tokio::test]
async fn concurrent_runs_are_steered_independently() {
    let e = env();
    let g = graph(
        json!([
            utility("nap", "sleep", json!({"ms": 300})),
            mock("after", json!({}))
        ]),
        json!([edge("nap", "after", "pass")]),
    );
    let mut one = start(&e.app, g.clone(), RunOptions::default()).await;
    let mut two = start(&e.app, g, RunOptions::default()).await;
    assert_ne!(one.id, two.id);
    one.until(is_started("nap")).await;
    two.until(is_started("nap")).await;
    assert_eq!(commands::runs_active(&e.app).await.unwrap().len(), 2);
    commands::run_cancel(&e.app, one.id.clone()).await.unwrap();
    assert_eq!(one.done().await, RunStatus::Cancelled);
    assert_eq!(two.done().await, RunStatus::Succeeded);
    assert!(two.succeeded("after"));
}
