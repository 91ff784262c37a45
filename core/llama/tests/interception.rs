//! Monitor interception and the autonomous loop on the real Gemma 3 270M test model: an
//! unhandled failure in a run of a monitored flow holds the run while the model plans a fix of
//! that node alone (grammar of its own type); nothing is saved before a decision; Accept saves
//! a revision and re-runs the node, Resume lets the failure stand, Reject stops the run; an
//! applied fix reverts; an autonomous run applies fixes until a budget ends it, and says which.
//!
//! The failing step reads a file in an empty workspace, so no fix can make it pass: what is
//! asserted is the loop, not the model's cleverness.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::install_test_model;
use flow_core::agentic::{
    AuditKind, AuditQuery, AutonomousOutcome, InterceptDecision, InterceptionQuery,
    InterceptionStatus, MonitorInterception, ProposalKind,
};
use flow_core::engine::{ExecutionEventKind, RunOptions, RunSource, RunStatus, RunTrigger};
use flow_core::flows::{FlowGraph, dsl};
use flow_core::settings::SettingsPatch;
use flow_core::{App, AppError, BusItem, FlowEvent, commands};

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";
/// How long a fix may take on two busy cores.
const PLANNING: Duration = Duration::from_secs(180);

fn env() -> common::Env {
    common::env_with(|config| config.with_model_runtime(flow_llama::runtime()))
}

/// The real runtime, whose fix answers are replaced by a new file name each time (`notes-1.txt`,
/// `notes-2.txt`, ...): the 270M model repeats the step it is shown, and a fix that changes
/// nothing is never applied autonomously, so the budgets' arithmetic needs fixes that do change
/// something. The generation itself (grammar, tokens, time) is the model's.
fn env_with_fixes_that_change_the_path() -> common::Env {
    common::env_with(|config| {
        config.with_model_runtime(flow_core::llm::ModelRuntimeFactory::new(|setup| {
            std::sync::Arc::new(NewPathEachFix {
                inner: flow_llama::runtime().build(setup),
                count: std::sync::atomic::AtomicU32::new(0),
            })
        }))
    })
}

#[derive(Debug)]
struct NewPathEachFix {
    inner: Arc<dyn flow_core::llm::ModelRuntime>,
    count: std::sync::atomic::AtomicU32,
}

impl flow_core::llm::ModelRuntime for NewPathEachFix {
    fn status(
        &self,
        enabled: bool,
        max_loaded_models: u32,
    ) -> Result<flow_core::llm::LlmStatus, AppError> {
        self.inner.status(enabled, max_loaded_models)
    }
    fn load<'a>(
        &'a self,
        file_name: &'a str,
        params: Option<flow_core::llm::ModelParams>,
        max_loaded_models: u32,
    ) -> futures_util::future::BoxFuture<'a, Result<(), AppError>> {
        self.inner.load(file_name, params, max_loaded_models)
    }
    fn unload(&self, file_name: Option<&str>) -> Result<Vec<String>, AppError> {
        self.inner.unload(file_name)
    }
    fn is_loaded(&self, file_name: &str) -> bool {
        self.inner.is_loaded(file_name)
    }
    fn chat<'a>(
        &'a self,
        file_name: String,
        request: flow_core::llm::ChatRequest,
        limits: flow_core::llm::Limits,
        sink: Option<tokio::sync::mpsc::Sender<String>>,
        cancel: tokio_util::sync::CancellationToken,
    ) -> futures_util::future::BoxFuture<'a, Result<flow_core::llm::ChatResult, AppError>> {
        Box::pin(async move {
            let mut result = self
                .inner
                .chat(file_name, request, limits, sink, cancel)
                .await?;
            let n = self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            result.text = format!(
                r#"{{"node": "fs-read-file", "label": "Read notes", "path": "notes-{n}.txt"}}"#
            );
            Ok(result)
        })
    }
    fn cancel(&self, request_id: &str) -> Result<bool, AppError> {
        self.inner.cancel(request_id)
    }
}

/// `agent` monitors `read -> log`; `read` fails (the workspace is empty), unhandled.
fn monitored() -> FlowGraph {
    dsl::parse(
        "flow \"Monitored\"\nagent[agentic: \"Agent\"] {\n  request: \"Read the notes and log them.\", mode: \"monitor\"\n}\nread[action: \"Read notes\"] {\n  adapter: \"fs\", actionId: \"read-file\", path: \"notes.txt\"\n}\nlog[utility: \"Log\"] {\n  actionId: \"log\", message: \"{{read.content}}\"\n}\nread.pass --> log\n",
    )
    .unwrap()
}

/// Every `agentic` event on the bus from now on, as JSON.
fn collect_agentic(app: &App) -> Arc<Mutex<Vec<serde_json::Value>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut sub = app.bus().subscribe(None);
    let into = seen.clone();
    tokio::spawn(async move {
        while let Some(item) = sub.next().await {
            if let BusItem::Event(env) = item
                && let FlowEvent::Agentic(event) = &env.event
            {
                into.lock()
                    .unwrap()
                    .push(serde_json::to_value(event).unwrap());
            }
        }
    });
    seen
}

async fn start(app: &App, slug: &str, options: RunOptions, trigger: RunTrigger) -> common::Watch {
    let sub = app.bus().subscribe(None);
    let started = commands::run_start(
        app,
        RunSource {
            slug: Some(slug.into()),
            ..RunSource::default()
        },
        Some(options),
        Some(trigger),
    )
    .await
    .unwrap();
    common::Watch {
        sub,
        id: started.execution_id,
        events: Vec::new(),
    }
}

/// The run's `n`th interception (0-based) once `ready` holds for it.
async fn interception(
    app: &App,
    run: &str,
    n: usize,
    ready: impl Fn(&MonitorInterception) -> bool,
) -> MonitorInterception {
    let deadline = tokio::time::Instant::now() + PLANNING;
    loop {
        let mut all = commands::agentic_interceptions(
            app,
            Some(InterceptionQuery {
                execution_id: Some(run.into()),
                ..InterceptionQuery::default()
            }),
        )
        .await
        .unwrap();
        all.reverse();
        if let Some(found) = all.get(n).filter(|i| ready(i)) {
            return found.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "interception {n} of {run} never got ready: {all:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn planned(i: &MonitorInterception) -> bool {
    i.status == InterceptionStatus::Pending
}

/// The run's events until `done` (the run waits on decisions, so no per-event timeout).
async fn until_done(watch: &mut common::Watch) -> RunStatus {
    tokio::time::timeout(PLANNING * 3, watch.done())
        .await
        .expect("the run ended")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_waits_for_a_person_accept_saves_and_reruns_resume_lets_it_stand_and_a_fix_reverts()
 {
    let e = env();
    install_test_model(&e.app, MODEL);
    let doc = common::save_new(&e.app, monitored()).await;
    let mut watch = start(&e.app, &doc.slug, RunOptions::default(), RunTrigger::Manual).await;
    watch
        .until(
            |k| matches!(k, ExecutionEventKind::Intercepted { node_id, .. } if node_id == "read"),
        )
        .await;
    let active = commands::runs_active(&e.app).await.unwrap();
    assert_eq!(active[0].status, RunStatus::Intercepted);
    assert_eq!(active[0].intercepted.as_deref(), Some("read"));

    let first = interception(&e.app, &watch.id, 0, planned).await;
    assert_eq!(first.node_id, "read");
    assert!(first.error.contains("notes.txt"), "{}", first.error);
    assert_eq!(first.revision_before, Some(doc.revision));
    let proposal = commands::agentic_proposal(&e.app, first.proposal_id.clone().unwrap())
        .await
        .expect("the model proposed a fix");
    assert_eq!(proposal.kind, ProposalKind::Fix);
    assert_eq!(proposal.execution_id.as_deref(), Some(watch.id.as_str()));
    // Surgical: every node but the failed one is as it was.
    for node in &doc.graph.nodes {
        if node.id != "read" {
            assert_eq!(proposal.graph.node(&node.id), Some(node));
        }
    }
    let fixed = proposal.graph.node("read").unwrap();
    assert_eq!(fixed.data["adapter"], "fs", "identity fields stay");
    assert_eq!(fixed.data["actionId"], "read-file");
    // Nothing saved, nothing downstream started while it waits.
    assert_eq!(
        commands::flow_get(&e.app, doc.slug.clone())
            .await
            .unwrap()
            .revision,
        doc.revision
    );
    assert!(watch.kinds_of("log").is_empty(), "{:?}", watch.events);

    let accepted =
        commands::agentic_intercept_decide(&e.app, first.id.clone(), InterceptDecision::Accept)
            .await
            .unwrap();
    assert_eq!(accepted.status, InterceptionStatus::Fixed);
    assert_eq!(accepted.revision_after, Some(doc.revision + 1));
    assert_eq!(
        accepted.dsl_before.as_deref(),
        Some(dsl::serialize(&doc.graph).as_str())
    );
    let saved = commands::flow_get(&e.app, doc.slug.clone()).await.unwrap();
    assert_eq!(saved.revision, doc.revision + 1);
    assert_eq!(saved.graph.node("read"), Some(fixed));
    watch
        .until(|k| matches!(k, ExecutionEventKind::InterceptionResolved { verdict, .. } if verdict == "fixed"))
        .await;
    watch
        .until(|k| matches!(k, ExecutionEventKind::NodeStarted { node_id, iteration: 1 } if node_id == "read"))
        .await;
    let twice =
        commands::agentic_intercept_decide(&e.app, first.id.clone(), InterceptDecision::Resume)
            .await;
    assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");

    // The fixed step fails again (nothing can be read here): a second interception; resumed.
    let second = interception(&e.app, &watch.id, 1, |i| {
        i.status == InterceptionStatus::Pending || i.status == InterceptionStatus::Planning
    })
    .await;
    let resumed =
        commands::agentic_intercept_decide(&e.app, second.id.clone(), InterceptDecision::Resume)
            .await
            .unwrap();
    assert_eq!(resumed.status, InterceptionStatus::Resumed);
    assert_eq!(until_done(&mut watch).await, RunStatus::Failed);
    assert!(watch.skipped("log").is_some(), "{:?}", watch.events);

    let audit: Vec<AuditKind> = commands::agentic_audit(
        &e.app,
        Some(AuditQuery {
            execution_id: Some(watch.id.clone()),
            ..AuditQuery::default()
        }),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.kind)
    .rev()
    .collect();
    for kind in [
        AuditKind::AiInvocation,
        AuditKind::AiReviewRequired,
        AuditKind::AiReviewResolved,
        AuditKind::AgentEditApplied,
        AuditKind::AgentEditRejected,
    ] {
        assert!(audit.contains(&kind), "{kind:?} missing from {audit:?}");
    }

    // The applied fix reverts to the flow as it was (a new revision), once.
    let reverted = commands::agentic_interception_revert(&e.app, first.id.clone())
        .await
        .unwrap();
    assert_eq!(reverted.status, InterceptionStatus::Reverted);
    let back = commands::flow_get(&e.app, doc.slug.clone()).await.unwrap();
    assert_eq!(back.revision, doc.revision + 2);
    assert_eq!(back.graph, doc.graph);
    let again = commands::agentic_interception_revert(&e.app, first.id.clone()).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_stops_the_run_and_runs_nobody_watches_are_not_intercepted() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let doc = common::save_new(&e.app, monitored()).await;

    // An API client's run fails as it always did: nobody is there to decide.
    let mut api = start(&e.app, &doc.slug, RunOptions::default(), RunTrigger::Api).await;
    assert_eq!(until_done(&mut api).await, RunStatus::Failed);
    assert!(
        !api.events
            .iter()
            .any(|e| matches!(e.kind, ExecutionEventKind::Intercepted { .. })),
        "{:?}",
        api.events
    );

    // Reject, even while the model is still planning, stops the run.
    let mut watch = start(&e.app, &doc.slug, RunOptions::default(), RunTrigger::Manual).await;
    watch
        .until(|k| matches!(k, ExecutionEventKind::Intercepted { .. }))
        .await;
    let open = interception(&e.app, &watch.id, 0, |_| true).await;
    let stopped =
        commands::agentic_intercept_decide(&e.app, open.id.clone(), InterceptDecision::Reject)
            .await
            .unwrap();
    assert_eq!(stopped.status, InterceptionStatus::Stopped);
    assert_eq!(until_done(&mut watch).await, RunStatus::Cancelled);
    assert!(
        watch
            .kinds_of("log")
            .iter()
            .all(|k| matches!(k, ExecutionEventKind::NodeSkipped { .. }))
    );
    assert_eq!(
        commands::flow_get(&e.app, doc.slug.clone())
            .await
            .unwrap()
            .revision,
        doc.revision,
        "a rejected interception saves nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autonomous_run_applies_fixes_until_the_iteration_budget_ends_it_and_says_so() {
    let e = env_with_fixes_that_change_the_path();
    install_test_model(&e.app, MODEL);
    commands::settings_update(
        &e.app,
        SettingsPatch {
            max_agentic_iterations: Some(2),
            ..SettingsPatch::default()
        },
    )
    .await
    .unwrap();
    let doc = common::save_new(&e.app, monitored()).await;
    let events = collect_agentic(&e.app);
    let options = RunOptions {
        autonomous: Some(true),
        ..RunOptions::default()
    };
    let mut watch = start(&e.app, &doc.slug, options, RunTrigger::Manual).await;
    assert_eq!(until_done(&mut watch).await, RunStatus::Failed);
    let reruns = watch
        .events
        .iter()
        .filter(|e| matches!(&e.kind, ExecutionEventKind::NodeStarted { node_id, .. } if node_id == "read"))
        .count();
    assert_eq!(reruns, 3, "the first try and one re-run per fix");
    let all = commands::agentic_interceptions(
        &e.app,
        Some(InterceptionQuery {
            execution_id: Some(watch.id.clone()),
            ..InterceptionQuery::default()
        }),
    )
    .await
    .unwrap();
    let statuses: Vec<InterceptionStatus> = all.iter().rev().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [
            InterceptionStatus::Fixed,
            InterceptionStatus::Fixed,
            InterceptionStatus::Resumed
        ]
    );
    assert!(
        all[0]
            .fix_error
            .as_deref()
            .unwrap_or_default()
            .contains("max_agentic_iterations"),
        "{:?}",
        all[0]
    );
    assert_eq!(
        commands::flow_get(&e.app, doc.slug.clone())
            .await
            .unwrap()
            .revision,
        doc.revision + 2,
        "each applied fix is a revision"
    );
    // The end state and the budget use were on the bus.
    let finished = wait_for(&events, |e| e["phase"] == "finished").await;
    assert_eq!(
        finished["outcome"],
        serde_json::to_value(AutonomousOutcome::IterationsExhausted).unwrap()
    );
    assert_eq!(finished["usage"]["iterations"], 2);
    assert_eq!(finished["usage"]["maxIterations"], 2);
    assert!(finished["usage"]["tokens"].as_u64().unwrap() > 0);
    let budgets = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["phase"] == "budget")
        .count();
    assert!(budgets >= 3, "budget use is published as it grows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autonomous_run_stops_when_its_token_budget_is_used_up() {
    let e = env_with_fixes_that_change_the_path();
    install_test_model(&e.app, MODEL);
    // The smallest budget the settings allow: one fix's prompt alone uses it up.
    commands::settings_update(
        &e.app,
        SettingsPatch {
            max_agentic_tokens: Some(256),
            ..SettingsPatch::default()
        },
    )
    .await
    .unwrap();
    let doc = common::save_new(&e.app, monitored()).await;
    let events = collect_agentic(&e.app);
    let options = RunOptions {
        autonomous: Some(true),
        ..RunOptions::default()
    };
    let mut watch = start(&e.app, &doc.slug, options, RunTrigger::Manual).await;
    assert_eq!(until_done(&mut watch).await, RunStatus::Failed);
    let finished = wait_for(&events, |e| e["phase"] == "finished").await;
    assert_eq!(
        finished["outcome"],
        serde_json::to_value(AutonomousOutcome::TokensExhausted).unwrap(),
        "{finished}"
    );
    assert!(
        finished["usage"]["tokens"].as_u64().unwrap() >= 256,
        "{finished}"
    );
    // The first fix's prompt alone is over the budget: one fix applied, then no more.
    assert_eq!(finished["usage"]["iterations"], 1, "{finished}");
    assert_eq!(
        commands::flow_get(&e.app, doc.slug.clone())
            .await
            .unwrap()
            .revision,
        doc.revision + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autonomous_run_never_applies_a_fix_that_changes_nothing() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let doc = common::save_new(&e.app, monitored()).await;
    let events = collect_agentic(&e.app);
    let options = RunOptions {
        autonomous: Some(true),
        ..RunOptions::default()
    };
    let mut watch = start(&e.app, &doc.slug, options, RunTrigger::Manual).await;
    assert_eq!(until_done(&mut watch).await, RunStatus::Failed);
    let finished = wait_for(&events, |e| e["phase"] == "finished").await;
    let all = commands::agentic_interceptions(
        &e.app,
        Some(InterceptionQuery {
            execution_id: Some(watch.id.clone()),
            ..InterceptionQuery::default()
        }),
    )
    .await
    .unwrap();
    // Whatever the model writes: every applied fix changed the step, each is one revision, and
    // a fix that changed nothing ended the loop as `no_fix`.
    let mut revision = doc.revision;
    let mut fields = doc.graph.node("read").unwrap().data.clone();
    for interception in all.iter().rev() {
        if interception.status != InterceptionStatus::Fixed {
            continue;
        }
        let proposal =
            commands::agentic_proposal(&e.app, interception.proposal_id.clone().unwrap())
                .await
                .unwrap();
        let fixed = proposal.graph.node("read").unwrap().data.clone();
        assert_ne!(fixed, fields, "an applied fix changed the step");
        fields = fixed;
        revision += 1;
    }
    assert_eq!(
        commands::flow_get(&e.app, doc.slug.clone())
            .await
            .unwrap()
            .revision,
        revision
    );
    let outcome: AutonomousOutcome = serde_json::from_value(finished["outcome"].clone()).unwrap();
    if outcome == AutonomousOutcome::NoFix {
        let last = &all[0];
        assert_eq!(last.status, InterceptionStatus::Resumed);
        assert!(last.fix_error.is_some(), "{last:?}");
    } else {
        assert_eq!(
            outcome,
            AutonomousOutcome::IterationsExhausted,
            "{finished}"
        );
    }
}

async fn wait_for(
    events: &Arc<Mutex<Vec<serde_json::Value>>>,
    f: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    for _ in 0..100 {
        if let Some(found) = events.lock().unwrap().iter().find(|e| f(e)) {
            return found.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no such agentic event in {:?}", events.lock().unwrap());
}
