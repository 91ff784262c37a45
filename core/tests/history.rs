//! The run history store driven directly with synthetic execution events: steps, counters and
//! status, interceptions, event paging, list filters and search, interrupted runs after a
//! reopen, retention, re-run seeds, and a 200,000-line run recorded in bounded memory.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use flow_core::engine::{ExecutionEvent, ExecutionEventKind, LogStream, RunStatus, RunTrigger};
use flow_core::flows::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode};
use flow_core::history::{HistoryStore, RunBegin, RunFilter, StepStatus, rerun_seeds};
use serde_json::json;

fn node(id: &str) -> FlowNode {
    serde_json::from_value(json!({"id": id, "type": "utility", "label": id})).unwrap()
}

fn edge(source: &str, target: &str, outcome: EdgeOutcome) -> FlowEdge {
    FlowEdge {
        source: source.into(),
        target: target.into(),
        outcome,
        label: None,
        condition: None,
    }
}

/// a -> b -> c, b.fail -> d.
fn graph(name: &str) -> FlowGraph {
    let mut graph = FlowGraph::new(name);
    graph.nodes = ["a", "b", "c", "d"].into_iter().map(node).collect();
    graph.edges = vec![
        edge("a", "b", EdgeOutcome::Pass),
        edge("b", "c", EdgeOutcome::Pass),
        edge("b", "d", EdgeOutcome::Fail),
    ];
    graph
}

/// Times far apart so ordering by start is unambiguous: minute `m`, second `s`.
fn at(m: u32, s: u32) -> String {
    format!("2026-01-01T00:{m:02}:{s:02}.000Z")
}

/// Builds one run's events with consecutive `seq`s.
struct Run<'a> {
    store: &'a HistoryStore,
    id: String,
    seq: u32,
    minute: u32,
    second: u32,
}

impl<'a> Run<'a> {
    fn begin(
        store: &'a HistoryStore,
        id: &str,
        graph: FlowGraph,
        slug: Option<&str>,
        trigger: RunTrigger,
        minute: u32,
    ) -> Self {
        store.begin(RunBegin {
            execution_id: id.into(),
            flow_slug: slug.map(Into::into),
            trigger,
            started_at: at(minute, 0),
            graph: graph.clone(),
        });
        let mut run = Self {
            store,
            id: id.into(),
            seq: 0,
            minute,
            second: 0,
        };
        run.emit(ExecutionEventKind::Started {
            flow_name: graph.name,
            flow_slug: slug.map(Into::into),
            trigger,
        });
        run
    }

    fn emit(&mut self, kind: ExecutionEventKind) -> u32 {
        let seq = self.seq;
        self.store.record(&ExecutionEvent {
            execution_id: self.id.clone(),
            at: at(self.minute, self.second.min(59)),
            seq,
            kind,
        });
        self.seq += 1;
        self.second += 1;
        seq
    }

    fn started(&mut self, node: &str) {
        self.emit(ExecutionEventKind::NodeStarted {
            node_id: node.into(),
            iteration: 0,
        });
    }

    fn log(&mut self, node: &str, line: &str) {
        self.emit(ExecutionEventKind::NodeLog {
            node_id: node.into(),
            stream: LogStream::Stdout,
            line: line.into(),
        });
    }

    fn succeeded(&mut self, node: &str, output: serde_json::Value) {
        self.emit(ExecutionEventKind::NodeSucceeded {
            node_id: node.into(),
            output,
            iteration: 0,
            duration_ms: 12.5,
        });
    }

    fn failed(&mut self, node: &str, error: &str) {
        self.emit(ExecutionEventKind::NodeFailed {
            node_id: node.into(),
            error: error.into(),
            output: Some(json!({"exitCode": 1})),
            iteration: 0,
            duration_ms: 3.0,
        });
    }

    fn skipped(&mut self, node: &str) {
        self.emit(ExecutionEventKind::NodeSkipped {
            node_id: node.into(),
            reason: "not reached".into(),
            iteration: 0,
        });
    }

    fn done(&mut self, status: RunStatus) {
        self.emit(ExecutionEventKind::Done { status });
    }
}

fn open(dir: &Path) -> HistoryStore {
    HistoryStore::open(dir).unwrap()
}

#[tokio::test]
async fn steps_counters_and_status_follow_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut run = Run::begin(
        &store,
        "run-1",
        graph("Build"),
        Some("build"),
        RunTrigger::Manual,
        1,
    );
    run.started("a");
    run.log("a", "compiling");
    run.log("a", "done compiling");
    run.succeeded("a", json!({"stdout": "ok"}));
    run.started("b");
    run.log("b", "boom");
    store.flush().await;

    // Live: running, with one step running.
    let live = store.get("run-1".into()).await.unwrap();
    assert_eq!(live.run.status, RunStatus::Running);
    assert_eq!(live.run.succeeded, 1);
    assert_eq!(live.steps.len(), 2);
    assert_eq!(live.steps[1].status, StepStatus::Running);
    assert_eq!(live.graph, graph("Build"));

    run.failed("b", "exit code 1");
    run.skipped("c");
    run.started("d");
    run.succeeded("d", json!({"message": "told"}));
    run.done(RunStatus::Failed);
    store.flush().await;

    let detail = store.get("run-1".into()).await.unwrap();
    let summary = &detail.run;
    assert_eq!(summary.status, RunStatus::Failed);
    assert_eq!(summary.flow_name, "Build");
    assert_eq!(summary.flow_slug.as_deref(), Some("build"));
    assert_eq!(summary.trigger, RunTrigger::Manual);
    assert_eq!(
        (summary.succeeded, summary.failed, summary.skipped),
        (2, 1, 1)
    );
    assert_eq!(summary.started_at, at(1, 0));
    assert!(summary.ended_at.is_some());
    let duration = summary.duration_ms.unwrap();
    assert!((duration - 11_000.0).abs() < 5.0, "{duration}");
    // b's failure is handled by its fail edge, but it is still the only failure to name.
    assert_eq!(summary.error.as_deref(), Some("b: exit code 1"));

    let steps: Vec<_> = detail
        .steps
        .iter()
        .map(|s| (s.node_id.as_str(), s.status, s.log_lines))
        .collect();
    assert_eq!(
        steps,
        [
            ("a", StepStatus::Succeeded, 2),
            ("b", StepStatus::Failed, 1),
            ("c", StepStatus::Skipped, 0),
            ("d", StepStatus::Succeeded, 0),
        ]
    );
    assert_eq!(detail.steps[0].output, Some(json!({"stdout": "ok"})));
    assert_eq!(detail.steps[0].duration_ms, Some(12.5));
    assert_eq!(detail.steps[1].error.as_deref(), Some("exit code 1"));
    assert_eq!(detail.steps[1].output, Some(json!({"exitCode": 1})));
    assert_eq!(detail.steps[2].reason.as_deref(), Some("not reached"));

    assert!(matches!(
        store.get("nope".into()).await,
        Err(flow_core::AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn interceptions_and_pause_drive_the_run_status() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut run = Run::begin(&store, "run-c", graph("Clean"), None, RunTrigger::Api, 1);
    run.emit(ExecutionEventKind::Paused {});
    store.flush().await;
    assert_eq!(
        store.get("run-c".into()).await.unwrap().run.status,
        RunStatus::Paused
    );
    run.emit(ExecutionEventKind::Resumed {});
    run.emit(ExecutionEventKind::AwaitingConfirmation {
        node_id: "a".into(),
        action: "rm -rf build/ (deletes files)".into(),
    });
    store.flush().await;
    let waiting = store.get("run-c".into()).await.unwrap();
    assert_eq!(waiting.run.status, RunStatus::AwaitingConfirmation);
    assert_eq!(waiting.interceptions.len(), 1);
    assert_eq!(waiting.interceptions[0].approved, None);
    assert_eq!(waiting.interceptions[0].resolved_at, None);

    run.emit(ExecutionEventKind::ConfirmationResolved {
        node_id: "a".into(),
        approved: true,
    });
    store.flush().await;
    let resolved = store.get("run-c".into()).await.unwrap();
    assert_eq!(resolved.run.status, RunStatus::Running);
    assert_eq!(resolved.interceptions[0].approved, Some(true));
    assert!(resolved.interceptions[0].resolved_at.is_some());
    assert_eq!(
        resolved.interceptions[0].action,
        "rm -rf build/ (deletes files)"
    );

    run.emit(ExecutionEventKind::AwaitingConfirmation {
        node_id: "b".into(),
        action: "git push --force".into(),
    });
    run.done(RunStatus::Cancelled);
    store.flush().await;
    let ended = store.get("run-c".into()).await.unwrap();
    assert_eq!(ended.run.status, RunStatus::Cancelled);
    assert_eq!(ended.interceptions.len(), 2);
    // Unanswered when the run ended.
    assert_eq!(ended.interceptions[1].approved, None);
    // A late status event never reopens an ended run.
    run.emit(ExecutionEventKind::Resumed {});
    store.flush().await;
    assert_eq!(
        store.get("run-c".into()).await.unwrap().run.status,
        RunStatus::Cancelled
    );
}

#[tokio::test]
async fn events_page_by_seq_node_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut run = Run::begin(&store, "run-e", graph("Paged"), None, RunTrigger::Api, 1);
    run.started("a");
    for n in 0..10 {
        run.log("a", &format!("a line {n}"));
    }
    run.succeeded("a", json!({}));
    run.started("b");
    run.log("b", "b line");
    store.flush().await;

    // seq 0 started, 1 node_started a, 2..=11 logs, 12 succeeded, 13 node_started b, 14 log b.
    let first = store
        .events("run-e".into(), None, Some(5), None)
        .await
        .unwrap();
    let seqs: Vec<u32> = first.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [0, 1, 2, 3, 4]);
    assert_eq!(first.next_after_seq, Some(4));
    assert!(!first.complete);

    let rest = store
        .events("run-e".into(), Some(4), None, None)
        .await
        .unwrap();
    assert_eq!(rest.events.first().unwrap().seq, 5);
    assert_eq!(rest.events.last().unwrap().seq, 14);
    // Live run: not complete even though nothing more is recorded yet.
    assert!(!rest.complete);
    assert_eq!(rest.next_after_seq, Some(14));
    let empty = store
        .events("run-e".into(), Some(14), None, None)
        .await
        .unwrap();
    assert!(empty.events.is_empty());
    assert_eq!(empty.next_after_seq, None);
    assert!(!empty.complete);

    let b_only = store
        .events("run-e".into(), None, None, Some("b".into()))
        .await
        .unwrap();
    let kinds: Vec<_> = b_only
        .events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap()["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("node_started"), json!("node_log")]);

    run.done(RunStatus::Succeeded);
    store.flush().await;
    let last = store
        .events("run-e".into(), Some(10), Some(5), None)
        .await
        .unwrap();
    assert_eq!(last.events.len(), 5);
    assert!(last.complete);
    assert_eq!(last.next_after_seq, None);
    let almost = store
        .events("run-e".into(), Some(10), Some(4), None)
        .await
        .unwrap();
    assert!(!almost.complete);
    assert_eq!(almost.next_after_seq, Some(14));

    // Events come back exactly as recorded.
    let all = store
        .events("run-e".into(), None, Some(10_000), None)
        .await
        .unwrap();
    assert_eq!(all.events.len(), 16);
    assert_eq!(
        all.events[2].kind,
        ExecutionEventKind::NodeLog {
            node_id: "a".into(),
            stream: LogStream::Stdout,
            line: "a line 0".into()
        }
    );
    // A duplicate event changes nothing.
    store.record(&all.events[12]);
    store.flush().await;
    assert_eq!(store.get("run-e".into()).await.unwrap().run.succeeded, 1);

    assert!(matches!(
        store.events("nope".into(), None, None, None).await,
        Err(flow_core::AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn list_filters_search_and_pages_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut one = Run::begin(
        &store,
        "r1",
        graph("Nightly build"),
        Some("nightly"),
        RunTrigger::Scheduled,
        1,
    );
    one.started("a");
    one.log("a", "warning: Deprecated_API used (100%)");
    one.succeeded("a", json!({}));
    one.done(RunStatus::Succeeded);
    let mut two = Run::begin(
        &store,
        "r2",
        graph("Deploy"),
        Some("deploy"),
        RunTrigger::Manual,
        2,
    );
    two.started("a");
    two.failed("a", "connection refused");
    two.done(RunStatus::Failed);
    let mut three = Run::begin(
        &store,
        "r3",
        graph("Nightly build"),
        Some("nightly"),
        RunTrigger::Api,
        3,
    );
    three.started("a");
    store.flush().await;

    let ids = |runs: Vec<flow_core::history::RunSummary>| {
        runs.into_iter().map(|r| r.execution_id).collect::<Vec<_>>()
    };
    let all = store.list(RunFilter::default()).await.unwrap();
    assert_eq!(all[0].status, RunStatus::Running);
    assert_eq!(ids(all), ["r3", "r2", "r1"]);
    let filter = |f: RunFilter| store.list(f);
    assert_eq!(
        ids(filter(RunFilter {
            flow: Some("nightly".into()),
            ..Default::default()
        })
        .await
        .unwrap()),
        ["r3", "r1"]
    );
    assert_eq!(
        ids(filter(RunFilter {
            status: Some(RunStatus::Failed),
            ..Default::default()
        })
        .await
        .unwrap()),
        ["r2"]
    );
    assert_eq!(
        ids(filter(RunFilter {
            trigger: Some(RunTrigger::Scheduled),
            ..Default::default()
        })
        .await
        .unwrap()),
        ["r1"]
    );
    for (search, expected) in [
        ("deprecated_api", vec!["r1"]),     // a log line, case-insensitive
        ("(100%)", vec!["r1"]),             // LIKE wildcards are literal
        ("CONNECTION REFUSED", vec!["r2"]), // an error
        ("nightly", vec!["r3", "r1"]),      // the flow name
        ("nothing like this", vec![]),
    ] {
        assert_eq!(
            ids(filter(RunFilter {
                search: Some(search.into()),
                ..Default::default()
            })
            .await
            .unwrap()),
            expected,
            "search {search:?}"
        );
    }
    // Paging: limit, then `before` the last one seen.
    let page = filter(RunFilter {
        limit: Some(2),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(page.len(), 2);
    let next = filter(RunFilter {
        limit: Some(2),
        before: Some(page[1].started_at.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(ids(next), ["r1"]);
}

#[tokio::test]
async fn a_run_cut_off_shows_interrupted_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        let mut run = Run::begin(&store, "cut", graph("Long"), None, RunTrigger::Manual, 1);
        run.started("a");
        run.succeeded("a", json!({}));
        run.started("b");
        run.log("b", "working");
        store.flush().await;
        // Dropped without `done`, as a crash would leave it.
    }
    let store = open(dir.path());
    let detail = store.get("cut".into()).await.unwrap();
    assert_eq!(detail.run.status, RunStatus::Interrupted);
    assert!(detail.run.ended_at.is_some());
    assert_eq!(detail.steps[1].status, StepStatus::Failed);
    assert!(
        detail.steps[1]
            .error
            .as_deref()
            .unwrap()
            .contains("interrupted")
    );
    let page = store.events("cut".into(), None, None, None).await.unwrap();
    assert!(page.complete, "an interrupted run has no more events");
    assert_eq!(page.events.len(), 5);
}

#[tokio::test]
async fn retention_keeps_the_newest_ended_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = HistoryStore::open_with_retention(dir.path(), 3).unwrap();
    for n in 0..6 {
        let mut run = Run::begin(
            &store,
            &format!("old-{n}"),
            graph("Kept"),
            None,
            RunTrigger::Manual,
            n,
        );
        run.started("a");
        run.log("a", "line");
        run.succeeded("a", json!({}));
        run.done(RunStatus::Succeeded);
    }
    // Pruning happens when a run begins; this live one is never pruned itself.
    let _live = Run::begin(&store, "live", graph("Kept"), None, RunTrigger::Manual, 30);
    store.flush().await;
    let ids: Vec<_> = store
        .list(RunFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.execution_id)
        .collect();
    assert_eq!(ids, ["live", "old-5", "old-4", "old-3"]);
    assert!(matches!(
        store.events("old-0".into(), None, None, None).await,
        Err(flow_core::AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn rerun_seeds_skip_the_node_and_everything_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut run = Run::begin(
        &store,
        "seeded",
        graph("Seeds"),
        None,
        RunTrigger::Manual,
        1,
    );
    run.started("a");
    run.succeeded("a", json!({"v": 1}));
    run.started("b");
    run.succeeded("b", json!({"v": 2}));
    run.started("c");
    run.succeeded("c", json!({"v": 3}));
    run.skipped("d");
    run.done(RunStatus::Succeeded);
    store.flush().await;
    let detail = store.get("seeded".into()).await.unwrap();

    let from_b = rerun_seeds(&detail, "b").unwrap();
    assert_eq!(from_b.len(), 1);
    assert_eq!(from_b["a"], json!({"v": 1}));
    let from_c = rerun_seeds(&detail, "c").unwrap();
    assert_eq!(from_c.len(), 2);
    assert!(rerun_seeds(&detail, "a").unwrap().is_empty());
    assert!(matches!(
        rerun_seeds(&detail, "zzz"),
        Err(flow_core::AppError::InvalidInput(_))
    ));
}

/// Resident memory in KiB (Linux only; elsewhere the bound is not checked).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200k_line_run_is_recorded_in_bounded_memory_and_paged_back_in_order() {
    const LINES: u32 = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let before = rss_kib();
    let started = std::time::Instant::now();
    let mut run = Run::begin(&store, "big", graph("Chatty"), None, RunTrigger::Api, 1);
    run.started("a");
    for n in 0..LINES {
        run.log("a", &format!("line {n:06} of a very chatty node"));
    }
    run.succeeded("a", json!({}));
    run.done(RunStatus::Succeeded);
    let recorded = started.elapsed();
    store.flush().await;
    let committed = started.elapsed();
    if let (Some(before), Some(after)) = (before, rss_kib()) {
        let grown_mib = after.saturating_sub(before) / 1024;
        eprintln!("rss grew {grown_mib} MiB while recording {LINES} lines");
        // The channel holds at most 16k events (a few hundred bytes each) and SQLite's page
        // caches are capped (8 MiB per connection); this bound holds whatever the line count.
        assert!(grown_mib < 150, "memory grew {grown_mib} MiB");
    }
    eprintln!("recorded in {recorded:?}, committed after {committed:?}");

    let detail = store.get("big".into()).await.unwrap();
    assert_eq!(detail.steps[0].log_lines, LINES);
    assert_eq!(detail.run.status, RunStatus::Succeeded);

    let mut after = None;
    let mut expected_seq = 0;
    let mut pages = 0;
    loop {
        let page = store
            .events("big".into(), after, Some(10_000), None)
            .await
            .unwrap();
        pages += 1;
        for event in &page.events {
            assert_eq!(event.seq, expected_seq);
            if let ExecutionEventKind::NodeLog { line, .. } = &event.kind {
                assert_eq!(
                    line,
                    &format!("line {:06} of a very chatty node", expected_seq - 2)
                );
            }
            expected_seq += 1;
        }
        if page.complete {
            break;
        }
        after = page.next_after_seq;
        assert!(after.is_some());
    }
    // started, node_started, the lines, node_succeeded, done.
    assert_eq!(expected_seq, LINES + 4);
    assert!(pages >= 20);
    let searched = store
        .list(RunFilter {
            search: Some("line 199999".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(searched.len(), 1);
    eprintln!("paged back and searched after {:?}", started.elapsed());
}
