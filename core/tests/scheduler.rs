#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]
//! The scheduler end to end: real SQLite in a temp dir, a manual clock, `tick` called directly.
//!
//! Every test opens the app with `scheduler_enabled: false` and dates in 2030, so the app's own
//! background loop (system clock) never fires anything behind the test's back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use flow_core::commands::*;
use flow_core::engine::RunStatus;
use flow_core::flows::{FlowGraph, FlowNode, SaveFlowInput};
use flow_core::scheduler::runner::{set_schedule, set_schedule_enabled};
use flow_core::scheduler::{Cadence, CatchUp, ManualClock, Schedule, ScheduleSpec, spawn, tick};
use flow_core::settings::SettingsPatch;
use flow_core::{App, AppConfig, AppError, Edition};

struct Env {
    _dir: tempfile::TempDir,
    data: PathBuf,
    home: PathBuf,
    app: App,
}

impl Env {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(
            data.join("settings.json"),
            r#"{"scheduler_enabled": false}"#,
        )
        .unwrap();
        let app = open(&data, &home);
        Self {
            _dir: dir,
            data,
            home,
            app,
        }
    }

    async fn flow(&self, name: &str) -> String {
        let mut graph = FlowGraph::new(name);
        graph.nodes.push(FlowNode {
            id: "n0".into(),
            node_type: "utility".into(),
            label: "Log".into(),
            data: serde_json::json!({"actionId": "log", "message": "scheduled"})
                .as_object()
                .cloned()
                .unwrap(),
            position: Default::default(),
        });
        flow_save(
            &self.app,
            SaveFlowInput {
                slug: None,
                base_revision: None,
                collection: None,
                graph,
            },
        )
        .await
        .unwrap()
        .slug
    }

    async fn get(&self, slug: &str) -> Schedule {
        schedules_list(&self.app)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.slug == slug)
            .unwrap()
    }
}

fn open(data: &Path, home: &Path) -> App {
    App::open(AppConfig::new(data, Edition::Server, home)).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn spec(cadence: Cadence, anchor: &str) -> ScheduleSpec {
    ScheduleSpec {
        cadence,
        anchor: anchor.into(),
        timezone: "UTC".into(),
        until: None,
        max_runs: None,
        catch_up: CatchUp::Skip,
        confirm_destructive: false,
        enabled: true,
    }
}

/// A firing either started a run or, while the engine cannot run this flow, recorded `failed`.
fn assert_fired(s: &Schedule, fired: &flow_core::scheduler::Fired) {
    if fired.execution_ids.is_empty() {
        assert!(fired.error.is_some());
        assert_eq!(s.last_status, Some(RunStatus::Failed));
    } else {
        assert_eq!(
            s.last_execution_id.as_deref(),
            fired.execution_ids.last().map(String::as_str)
        );
        assert!(s.last_status.is_some());
    }
}

#[tokio::test]
async fn due_schedule_fires_once_and_advances_first() {
    let env = Env::new().await;
    let slug = env.flow("Nightly").await;
    let set = set_schedule(
        &env.app,
        slug.clone(),
        spec(Cadence::Hourly, "2030-01-01T10:00:00Z"),
        at("2030-01-01T09:00:00Z"),
    )
    .await
    .unwrap();
    assert_eq!(set.next_run_at.as_deref(), Some("2030-01-01T10:00:00Z"));
    assert_eq!(set.run_count, 0);

    assert!(
        tick(&env.app, at("2030-01-01T09:59:59Z"))
            .await
            .unwrap()
            .is_empty()
    );

    // Two concurrent ticks at the due time: the compare-and-set lets exactly one fire.
    let now = at("2030-01-01T10:00:05Z");
    let (a, b) = tokio::join!(tick(&env.app, now), tick(&env.app, now));
    let fired: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0].runs, 1);
    assert_eq!(fired[0].next_run_at, Some(at("2030-01-01T11:00:00Z")));

    let s = env.get(&slug).await;
    assert_eq!(s.run_count, 1);
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-01T11:00:00Z"));
    assert_eq!(s.last_run_at.as_deref(), Some("2030-01-01T10:00:05Z"));
    assert_fired(&s, &fired[0]);

    // Already advanced: the same instant fires nothing again.
    assert!(tick(&env.app, now).await.unwrap().is_empty());

    // The engine ran it; the app's loop saw its `done` event and recorded the outcome.
    assert_eq!(fired[0].execution_ids.len(), 1, "{fired:?}");
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        let s = env.get(&slug).await;
        if s.last_status == Some(RunStatus::Succeeded) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

async fn after_downtime(catch_up: CatchUp, now: &str) -> (u32, Schedule) {
    let env = Env::new().await;
    let slug = env.flow("Hourly").await;
    let mut s = spec(Cadence::Hourly, "2030-01-01T10:00:00Z");
    s.catch_up = catch_up;
    set_schedule(&env.app, slug.clone(), s, at("2030-01-01T09:00:00Z"))
        .await
        .unwrap();
    // Up at 10:00, then down for three hours: 11:00, 12:00 and 13:00 are missed.
    let first = tick(&env.app, at("2030-01-01T10:00:01Z")).await.unwrap();
    assert_eq!(first[0].runs, 1);
    let fired = tick(&env.app, at(now)).await.unwrap();
    assert_eq!(fired.len(), 1);
    (fired[0].runs, env.get(&slug).await)
}

#[tokio::test]
async fn catch_up_skip_drops_stale_firings() {
    let (runs, s) = after_downtime(CatchUp::Skip, "2030-01-01T13:30:00Z").await;
    assert_eq!(runs, 0);
    assert_eq!(s.run_count, 1);
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-01T14:00:00Z"));
    // The latest firing is recent (within the poll window): it runs, once.
    let (runs, s) = after_downtime(CatchUp::Skip, "2030-01-01T13:00:20Z").await;
    assert_eq!(runs, 1);
    assert_eq!(s.run_count, 2);
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-01T14:00:00Z"));
}

#[tokio::test]
async fn catch_up_run_once_and_run_all() {
    let (runs, s) = after_downtime(CatchUp::RunOnce, "2030-01-01T13:30:00Z").await;
    assert_eq!(runs, 1);
    assert_eq!(s.run_count, 2);
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-01T14:00:00Z"));
    let (runs, s) = after_downtime(CatchUp::RunAll, "2030-01-01T13:30:00Z").await;
    assert_eq!(runs, 3);
    assert_eq!(s.run_count, 4);
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-01T14:00:00Z"));
}

#[tokio::test]
async fn max_runs_disables_and_keeps_counts() {
    let env = Env::new().await;
    let slug = env.flow("Twice").await;
    let mut s = spec(
        Cadence::EveryNMinutes { minutes: 15 },
        "2030-01-01T10:00:00Z",
    );
    s.max_runs = Some(2);
    s.catch_up = CatchUp::RunAll;
    set_schedule(&env.app, slug.clone(), s, at("2030-01-01T09:00:00Z"))
        .await
        .unwrap();
    tick(&env.app, at("2030-01-01T10:00:00Z")).await.unwrap();
    // Five firings missed but only one run left under maxRuns.
    let fired = tick(&env.app, at("2030-01-01T11:00:00Z")).await.unwrap();
    assert_eq!(fired[0].runs, 1);
    let s = env.get(&slug).await;
    assert_eq!(s.run_count, 2);
    assert!(!s.spec.enabled);
    assert_eq!(s.next_run_at, None);
    assert_eq!(s.finished_reason.as_deref(), Some("maxRuns (2) reached"));
    assert!(s.last_status.is_some());
    assert!(
        tick(&env.app, at("2031-01-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
    let err = set_schedule_enabled(&env.app, slug, true, at("2030-01-02T00:00:00Z"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("maxRuns")),
        "{err:?}"
    );
}

#[tokio::test]
async fn until_and_once_disable() {
    let env = Env::new().await;
    let daily = env.flow("Daily").await;
    let mut s = spec(Cadence::Daily, "2030-01-01T08:00:00Z");
    s.until = Some("2030-01-02T12:00:00Z".into());
    set_schedule(&env.app, daily.clone(), s, at("2030-01-01T00:00:00Z"))
        .await
        .unwrap();
    let fired = tick(&env.app, at("2030-01-01T08:00:00Z")).await.unwrap();
    assert_eq!(fired[0].finished_reason, None);
    let fired = tick(&env.app, at("2030-01-02T08:00:00Z")).await.unwrap();
    assert_eq!(fired[0].runs, 1);
    let s = env.get(&daily).await;
    assert_eq!(s.run_count, 2);
    assert!(!s.spec.enabled);
    assert!(
        s.finished_reason
            .as_deref()
            .unwrap()
            .contains("until (2030-01-02T12:00:00Z)"),
        "{s:?}"
    );

    let once = env.flow("Once").await;
    set_schedule(
        &env.app,
        once.clone(),
        spec(Cadence::Once, "2030-01-05T08:00:00Z"),
        at("2030-01-01T00:00:00Z"),
    )
    .await
    .unwrap();
    let fired = tick(&env.app, at("2030-01-05T08:00:30Z")).await.unwrap();
    assert_eq!(fired.len(), 1);
    let s = env.get(&once).await;
    assert_eq!(s.finished_reason.as_deref(), Some("it ran once"));
    assert_eq!(
        (s.run_count, s.spec.enabled, s.next_run_at),
        (1, false, None)
    );

    // A `once` in the past never fires: rejected up front.
    let err = set_schedule(
        &env.app,
        once,
        spec(Cadence::Once, "2029-01-01T00:00:00Z"),
        at("2030-01-01T00:00:00Z"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn disabled_schedules_never_fire() {
    let env = Env::new().await;
    let off = env.flow("Off").await;
    let mut s = spec(Cadence::Hourly, "2030-01-01T10:00:00Z");
    s.enabled = false;
    let set = set_schedule(&env.app, off.clone(), s, at("2030-01-01T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!(set.next_run_at, None);
    let switched = env.flow("Switched").await;
    set_schedule(
        &env.app,
        switched.clone(),
        spec(Cadence::Hourly, "2030-01-01T10:00:00Z"),
        at("2030-01-01T09:00:00Z"),
    )
    .await
    .unwrap();
    let s = set_schedule_enabled(
        &env.app,
        switched.clone(),
        false,
        at("2030-01-01T09:30:00Z"),
    )
    .await
    .unwrap();
    assert_eq!((s.spec.enabled, s.next_run_at), (false, None));
    assert!(
        tick(&env.app, at("2030-06-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
    // Back on: the next firing is computed from now, missed ones are not owed.
    let s = set_schedule_enabled(&env.app, switched, true, at("2030-01-02T10:30:00Z"))
        .await
        .unwrap();
    assert_eq!(s.next_run_at.as_deref(), Some("2030-01-02T11:00:00Z"));
    // Disabled ones list last.
    let list = schedules_list(&env.app).await.unwrap();
    assert_eq!(list.last().unwrap().slug, off);
}

#[tokio::test]
async fn deleted_flow_disables_its_schedule() {
    let env = Env::new().await;
    let slug = env.flow("Doomed").await;
    set_schedule(
        &env.app,
        slug.clone(),
        spec(Cadence::Hourly, "2030-01-01T10:00:00Z"),
        at("2030-01-01T09:00:00Z"),
    )
    .await
    .unwrap();
    flow_delete(&env.app, slug.clone()).await.unwrap();
    let fired = tick(&env.app, at("2030-01-01T10:00:00Z")).await.unwrap();
    assert_eq!(fired[0].runs, 0);
    let s = env.get(&slug).await;
    assert_eq!(s.finished_reason.as_deref(), Some("the flow was deleted"));
    assert_eq!(
        (s.spec.enabled, s.next_run_at, s.run_count),
        (false, None, 0)
    );
    assert!(
        tick(&env.app, at("2030-01-01T12:00:00Z"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn commands_validate_and_persist_across_reopen() {
    let mut env = Env::new().await;
    let err = schedule_set(
        &env.app,
        "no-such-flow".into(),
        spec(Cadence::Daily, "2030-01-01T08:00:00Z"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let slug = env.flow("Kept").await;
    let mut bad = spec(Cadence::Daily, "2030-01-01T08:00:00Z");
    bad.timezone = "Europe/Nowhere".into();
    let err = schedule_set(&env.app, slug.clone(), bad).await.unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidInput(m) if m.contains("timezone")),
        "{err:?}"
    );
    let err = schedule_delete(&env.app, slug.clone()).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    let mut events = env.app.bus().subscribe(None);
    let mut s = spec(
        Cadence::Cron {
            expression: "0 9,17 * * *".into(),
        },
        "2030-01-01T00:00:00+01:00",
    );
    s.timezone = "Europe/Berlin".into();
    let set = schedule_set(&env.app, slug.clone(), s.clone())
        .await
        .unwrap();
    assert_eq!(
        set.next_run_at.as_deref(),
        Some("2030-01-01T09:00:00+01:00")
    );
    let event = tokio::time::timeout(StdDuration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    let flow_core::BusItem::Event(envelope) = event else {
        panic!("resync")
    };
    assert_eq!(
        envelope.event,
        flow_core::FlowEvent::SchedulesChanged { slug: slug.clone() }
    );

    let preview = schedule_preview(&env.app, s, Some(3)).await.unwrap();
    assert_eq!(
        preview,
        [
            "2030-01-01T09:00:00+01:00",
            "2030-01-01T17:00:00+01:00",
            "2030-01-02T09:00:00+01:00"
        ]
    );

    let before = schedules_list(&env.app).await.unwrap();
    env.app = open(&env.data, &env.home);
    assert_eq!(schedules_list(&env.app).await.unwrap(), before);
    assert_eq!(
        schedule_delete(&env.app, slug.clone()).await.unwrap().slug,
        slug
    );
    assert!(schedules_list(&env.app).await.unwrap().is_empty());
}

#[tokio::test]
async fn background_loop_fires_with_its_clock_and_stops() {
    let env = Env::new().await;
    assert!(env.app.schedules().has_background_loop());
    let slug = env.flow("Looped").await;
    set_schedule(
        &env.app,
        slug.clone(),
        spec(Cadence::Hourly, "2030-01-01T10:00:00Z"),
        at("2030-01-01T09:00:00Z"),
    )
    .await
    .unwrap();
    env.app
        .settings()
        .update(SettingsPatch {
            scheduler_enabled: Some(true),
            scheduler_poll_secs: Some(1),
            ..SettingsPatch::default()
        })
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(at("2030-01-01T10:00:00Z")));
    let handle = spawn(&env.app, clock.clone());
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    while env.get(&slug).await.run_count == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the loop never fired"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    clock.advance(Duration::hours(1));
    while env.get(&slug).await.run_count < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the loop never fired again"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    handle.shutdown().await;
    assert_eq!(env.get(&slug).await.run_count, 2);
}
