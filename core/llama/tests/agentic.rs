//! The agentic generator on the real Gemma 3 270M test model: every generation parses into a
//! flow of installed node types (the grammar's promise), grounded in the workspace; nothing
//! reaches the flow until a person accepts; accepting saves a revision with the agentic node in
//! monitor mode, which runs leave out. Structure is asserted, not cleverness.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::HashSet;

use common::install_test_model;
use flow_core::agentic::{AuditKind, AuditQuery, GenerateOptions, ProposalStatus};
use flow_core::engine::{ExecutionEventKind, RunOptions, RunSource, RunStatus};
use flow_core::flows::monitor::is_monitor;
use flow_core::flows::{FlowGraph, SaveFlowInput, dsl};
use flow_core::{AppError, BusItem, FlowEvent, commands};

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

fn env() -> common::Env {
    common::env_with(|config| config.with_model_runtime(flow_llama::runtime()))
}

/// A small project the generation is grounded in.
fn workspace(root: &std::path::Path) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    std::fs::write(
        root.join("package.json"),
        r#"{"name": "demo", "scripts": {"build": "tsc", "test": "node test.js", "lint": "eslint ."}}"#,
    )
    .unwrap();
    std::fs::write(root.join("src/index.ts"), "export const x = 1;\n").unwrap();
    std::fs::write(root.join("scripts/release.sh"), "echo release\n").unwrap();
    std::fs::write(
        root.join("README.md"),
        "# Demo\nA tiny TypeScript library.\n",
    )
    .unwrap();
}

/// Saves a flow `start -> agent -> end` whose agent asks for `request`; returns its slug.
async fn agentic_flow(app: &flow_core::App, request: &str, workspace: &str) -> String {
    let graph: FlowGraph = dsl::parse(&format!(
        "flow \"Agentic\"\nstart[utility: \"Start\"] {{\n  actionId: \"log\", message: \"go\"\n}}\nagent[agentic: \"Agent\"] {{\n  request: {request:?}, workspace: {workspace:?}\n}}\nend[utility: \"End\"] {{\n  actionId: \"log\", message: \"done\"\n}}\nstart --> agent\nagent.pass --> end\n"
    ))
    .unwrap();
    commands::flow_save(
        app,
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

const REQUESTS: [&str; 6] = [
    "Run the tests and then build the project.",
    "Lint the code, then run the release script.",
    "Read the README and log what it says.",
    "List the files in src and count them.",
    "Write a file named notes.txt that says hello.",
    "Build the project; if that works, run the tests.",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_generation_parses_into_installed_node_types_grounded_in_the_workspace() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let root = e.dir.path().join("project");
    workspace(&root);
    let installed: HashSet<String> = commands::nodes_installed(&e.app)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.node_type)
        .collect();
    let mut generations = 0;
    let mut valid = 0;
    let mut times = Vec::new();
    for (i, request) in REQUESTS.iter().enumerate() {
        let slug = agentic_flow(&e.app, request, &root.display().to_string()).await;
        // More prompts and seeds, with the parse rate and timings: `bench/src/bin/agentic.rs`.
        for seed in [1] {
            let started = std::time::Instant::now();
            let proposal = commands::agentic_generate(
                &e.app,
                slug.clone(),
                "agent".into(),
                Some(GenerateOptions {
                    seed: Some(seed),
                    ..GenerateOptions::default()
                }),
            )
            .await
            .unwrap_or_else(|err| panic!("request {i} seed {seed} did not parse: {err}"));
            times.push(started.elapsed().as_secs_f64());
            generations += 1;
            valid += usize::from(proposal.valid);
            assert_eq!(proposal.status, ProposalStatus::Pending);
            assert!(!proposal.generated.nodes.is_empty());
            for node in &proposal.generated.nodes {
                assert!(installed.contains(&node.node_type), "{node:?}");
                if let Some(cwd) = node.data.get("cwd") {
                    assert_eq!(cwd, &serde_json::json!(root.display().to_string()));
                }
            }
            // The DSL shown for review parses back into the proposed flow.
            let reparsed = dsl::parse(&proposal.dsl).unwrap();
            assert_eq!(reparsed.nodes.len(), proposal.graph.nodes.len());
            assert!(
                proposal
                    .workspace
                    .files
                    .contains(&"package.json".to_owned())
            );
            assert!(
                proposal
                    .workspace
                    .commands
                    .contains(&"npm run build".to_owned())
            );
        }
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "agentic generations: {generations} parsed of {generations}, {valid} valid; time to a proposal median {:.2} s, max {:.2} s",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_applied_without_acceptance_and_an_accepted_flow_runs_without_its_monitor() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let root = e.dir.path().join("project");
    workspace(&root);
    let slug = agentic_flow(&e.app, REQUESTS[0], &root.display().to_string()).await;
    let before = commands::flow_get(&e.app, slug.clone()).await.unwrap();
    let mut sub = e.app.bus().subscribe(None);

    let first = commands::agentic_generate(&e.app, slug.clone(), "agent".into(), None)
        .await
        .unwrap();
    let same = commands::flow_get(&e.app, slug.clone()).await.unwrap();
    assert_eq!(same.revision, before.revision, "a proposal saves nothing");
    assert_eq!(same.graph, before.graph);

    // Its live events: started, tokens that add up to the answer, the proposal.
    let mut phases = Vec::new();
    while !phases.contains(&"proposed") {
        let Some(BusItem::Event(env)) = sub.next().await else {
            continue;
        };
        if let FlowEvent::Agentic(event) = &env.event {
            assert_eq!(event.job_id, first.id);
            let value = serde_json::to_value(event).unwrap();
            phases.push(match value["phase"].as_str().unwrap() {
                "started" => "started",
                "token" => "token",
                "proposed" => "proposed",
                other => panic!("unexpected phase {other}"),
            });
        }
    }
    assert_eq!(phases.first(), Some(&"started"));
    assert!(phases.contains(&"token"));

    let rejected = commands::agentic_reject(&e.app, first.id.clone())
        .await
        .unwrap();
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert_eq!(
        commands::flow_get(&e.app, slug.clone())
            .await
            .unwrap()
            .revision,
        before.revision
    );
    let again = commands::agentic_accept(&e.app, first.id.clone()).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    let second = commands::agentic_generate(&e.app, slug.clone(), "agent".into(), None)
        .await
        .unwrap();
    assert_eq!(
        second.dsl, first.dsl,
        "same request, same seed, same proposal"
    );
    let saved = commands::agentic_accept(&e.app, second.id.clone())
        .await
        .unwrap();
    assert_eq!(saved.revision, before.revision + 1);
    assert_eq!(saved.graph, second.graph);
    let agent = saved.graph.node("agent").unwrap();
    assert!(is_monitor(agent), "{agent:?}");
    for node in &second.generated.nodes {
        assert!(saved.graph.node(&node.id).is_some());
    }
    let twice = commands::agentic_generate(&e.app, slug.clone(), "agent".into(), None).await;
    assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");

    // Reverting is the flow's own history.
    let restored =
        commands::flow_revision_restore(&e.app, slug.clone(), before.revision, saved.revision)
            .await
            .unwrap();
    assert_eq!(restored.graph, before.graph);

    // The audit log holds the whole story of both proposals, newest first.
    let audit = commands::agentic_audit(
        &e.app,
        Some(AuditQuery {
            flow_slug: Some(slug.clone()),
            ..AuditQuery::default()
        }),
    )
    .await
    .unwrap();
    let kinds: Vec<AuditKind> = audit.iter().rev().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::AiInvocation,
            AuditKind::AiReviewRequired,
            AuditKind::AiReviewResolved,
            AuditKind::AgentEditRejected,
            AuditKind::AiInvocation,
            AuditKind::AiReviewRequired,
            AuditKind::AiReviewResolved,
            AuditKind::AgentEditApplied,
        ]
    );
    let applied = &audit[0];
    assert_eq!(applied.detail["dslAfter"], serde_json::json!(second.dsl));
    assert_eq!(
        applied.detail["dslBefore"],
        serde_json::json!(dsl::serialize(&before.graph))
    );

    // A run of the accepted flow (start -> generated steps -> end) never starts the monitor.
    let sub = e.app.bus().subscribe(None);
    let run = commands::run_start(
        &e.app,
        RunSource {
            graph: Some(saved.graph.clone()),
            slug: Some(slug.clone()),
            dsl: None,
        },
        Some(RunOptions {
            confirm_destructive: Some(false),
            ..RunOptions::default()
        }),
        None,
    )
    .await
    .unwrap();
    let mut watch = common::Watch {
        sub,
        id: run.execution_id,
        events: Vec::new(),
    };
    let status = watch.done().await;
    assert!(matches!(status, RunStatus::Succeeded | RunStatus::Failed));
    assert!(watch.kinds_of("agent").is_empty(), "{:?}", watch.events);
    assert!(watch.succeeded("start"));
    let first_step = &second.generated.nodes[0].id;
    assert!(
        watch
            .events
            .iter()
            .any(|e| matches!(&e.kind, ExecutionEventKind::NodeStarted { node_id, .. } if node_id == first_step)),
        "the first generated step ran after start"
    );
}
