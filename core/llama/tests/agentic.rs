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
use flow_core::flows::{FlowGraph, dsl};
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
    common::save_new(app, graph).await.slug
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
    // A client reads the live events while the model writes: started, tokens, the proposal.
    let mut sub = e.app.bus().subscribe(None);
    let reader = tokio::spawn(async move {
        let mut events = Vec::new();
        loop {
            match sub.next().await {
                Some(BusItem::Event(env)) => {
                    if let FlowEvent::Agentic(event) = &env.event {
                        let value = serde_json::to_value(event).unwrap();
                        let done = value["phase"] == "proposed";
                        events.push(value);
                        if done {
                            return events;
                        }
                    }
                }
                Some(BusItem::Resync) => panic!("the reader fell behind"),
                None => panic!("the bus closed"),
            }
        }
    });
    let first = commands::agentic_generate(&e.app, slug.clone(), "agent".into(), None)
        .await
        .unwrap();
    let events = tokio::time::timeout(std::time::Duration::from_secs(30), reader)
        .await
        .expect("the proposal event came")
        .unwrap();
    let same = commands::flow_get(&e.app, slug.clone()).await.unwrap();
    assert_eq!(same.revision, before.revision, "a proposal saves nothing");
    assert_eq!(same.graph, before.graph);
    assert!(events.iter().all(|e| e["jobId"] == first.id.as_str()));
    assert_eq!(events[0]["phase"], "started");
    assert_eq!(events[0]["model"], MODEL);
    let streamed: String = events
        .iter()
        .filter(|e| e["phase"] == "token")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert!(!streamed.is_empty());
    let proposed = events.last().unwrap();
    assert_eq!(proposed["proposal"]["id"], first.id.as_str());
    assert_eq!(proposed["proposal"]["dsl"], first.dsl.as_str());

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
    // What the steps do is the model's choice (a tiny model's, here): once the first one has
    // started after `start`, the run is stopped; the monitor must never have started.
    let first_step = second.generated.nodes[0].id.clone();
    watch
        .until(|k| matches!(k, ExecutionEventKind::NodeStarted { node_id, .. } if *node_id == first_step))
        .await;
    commands::run_cancel(&e.app, watch.id.clone())
        .await
        .unwrap();
    let status = watch.done().await;
    assert!(matches!(
        status,
        RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled
    ));
    assert!(watch.kinds_of("agent").is_empty(), "{:?}", watch.events);
    assert!(watch.succeeded("start"));
}

/// The llama.cpp runtime, recording every chat request it is sent: the prompt the model
/// actually gets.
#[derive(Debug)]
struct Recording {
    inner: std::sync::Arc<dyn flow_core::llm::ModelRuntime>,
    sent: std::sync::Arc<std::sync::Mutex<Vec<flow_core::llm::ChatRequest>>>,
}

impl flow_core::llm::ModelRuntime for Recording {
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
        self.sent.lock().unwrap().push(request.clone());
        self.inner.chat(file_name, request, limits, sink, cancel)
    }
    fn cancel(&self, request_id: &str) -> Result<bool, AppError> {
        self.inner.cancel(request_id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_values_never_reach_the_model_and_come_back_in_the_proposal() {
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = sent.clone();
    let e = common::env_with(move |config| {
        config.with_model_runtime(flow_core::llm::ModelRuntimeFactory::new(move |setup| {
            std::sync::Arc::new(Recording {
                inner: flow_llama::runtime().build(setup),
                sent: recorded.clone(),
            })
        }))
    });
    install_test_model(&e.app, MODEL);
    let root = e.dir.path().join("project");
    workspace(&root);
    std::fs::write(
        root.join("README.md"),
        "# Demo\nMaintainer: alice@example.org. Staging runs on 10.20.30.40.\n",
    )
    .unwrap();
    commands::settings_update(
        &e.app,
        flow_core::settings::SettingsPatch {
            privacy_rules: Some(vec![flow_core::privacy::PrivacyRule {
                name: "datasets".into(),
                pattern: r"\bDS-[0-9]{4}\b".into(),
                placeholder: "DATASET_NAME".into(),
            }]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let request = "Copy dataset DS-1234 to build.corp.internal with password=hunter2222 and mail ops@example.com";
    let slug = agentic_flow(&e.app, request, &root.display().to_string()).await;
    let proposal = commands::agentic_generate(&e.app, slug, "agent".into(), None)
        .await
        .unwrap();

    let secrets = [
        "alice@example.org",
        "10.20.30.40",
        "DS-1234",
        "build.corp.internal",
        "hunter2222",
        "ops@example.com",
    ];
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let prompt: String = sent[0]
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for secret in secrets {
        assert!(
            !prompt.contains(secret),
            "{secret} reached the model:\n{prompt}"
        );
    }
    for placeholder in [
        "[EMAIL_",
        "[IP_ADDRESS_",
        "[DATASET_NAME_",
        "[HOSTNAME_",
        "[SECRET_",
    ] {
        assert!(
            prompt.contains(placeholder),
            "no {placeholder} in:\n{prompt}"
        );
    }
    assert!(proposal.sanitized >= 6, "{}", proposal.sanitized);
    assert_eq!(
        proposal.request, request,
        "the person's words are kept as written"
    );
    // Whatever placeholders the model echoed are the real values again in the flow.
    assert!(!proposal.dsl.contains("[EMAIL_"), "{}", proposal.dsl);
    assert!(!proposal.dsl.contains("[SECRET_"), "{}", proposal.dsl);
    // The audit log keeps the prompt as sent: placeholders, not values.
    let audit = commands::agentic_audit(&e.app, None).await.unwrap();
    let invocation = audit
        .iter()
        .find(|r| r.kind == AuditKind::AiInvocation)
        .unwrap();
    let logged = invocation.detail.to_string();
    for secret in secrets {
        assert!(!logged.contains(secret), "{secret} in the audit log");
    }
}

/// Runs one agentic `ai` node on `root` with `prompt`; returns the watch and the run's status.
async fn agentic_ai_run(
    app: &flow_core::App,
    root: &std::path::Path,
    prompt: &str,
    seed: u32,
) -> (common::Watch, RunStatus) {
    let g = common::graph(
        serde_json::json!([{"id": "agent", "type": "ai", "data": {
            "provider": "local", "modelId": MODEL, "mode": "agentic",
            "workspace": root.display().to_string(), "prompt": prompt,
            "maxToolCalls": 3, "temperature": 0, "seed": seed
        }}]),
        serde_json::json!([]),
    );
    common::run_to_end(app, g, RunOptions::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agentic_ai_node_calls_tools_in_its_workspace_and_answers() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let root = e.dir.path().join("project");
    workspace(&root);
    // Whether a 270M model looks before it answers depends on the request; structure is what
    // is asserted, so the first request that makes it call a tool is the one checked.
    let prompts = [
        "List the files in this project. The maintainer is alice@acme.io.",
        "Read README.md and say what this project is. The maintainer is alice@acme.io.",
        "Which scripts does package.json define? The maintainer is alice@acme.io.",
    ];
    let mut checked = None;
    for prompt in prompts {
        let (w, status) = agentic_ai_run(&e.app, &root, prompt, 1).await;
        assert_eq!(status, RunStatus::Succeeded, "{prompt}: {:?}", w.events);
        let output = w
            .kinds_of("agent")
            .iter()
            .find_map(|k| match k {
                ExecutionEventKind::NodeSucceeded { output, .. } => Some(output.clone()),
                _ => None,
            })
            .unwrap();
        // Every turn parsed (the grammar's promise): the calls, then the answer.
        let calls = output["toolCalls"].as_u64().unwrap();
        assert_eq!(output["turns"].as_u64().unwrap(), calls + 1, "{output}");
        assert!(calls <= 3, "{output}");
        assert!(
            !output["text"].as_str().unwrap().trim().is_empty(),
            "{output}"
        );
        if calls > 0 {
            checked = Some((w, output));
            break;
        }
    }
    let (w, output) = checked.expect("no request made the model call a tool");
    let calls = output["calls"].as_array().unwrap();
    // The run shows each call live: `tool_call` before, `tool_result` after.
    let announced: Vec<String> = w
        .kinds_of("agent")
        .iter()
        .filter_map(|k| match k {
            ExecutionEventKind::ToolCall { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let reported: Vec<(String, bool)> = w
        .kinds_of("agent")
        .iter()
        .filter_map(|k| match k {
            ExecutionEventKind::ToolResult { name, ok, .. } => Some((name.clone(), *ok)),
            _ => None,
        })
        .collect();
    assert_eq!(announced.len(), calls.len(), "{:?}", w.events);
    for ((call, name), (result_name, ok)) in calls.iter().zip(&announced).zip(&reported) {
        assert!(name.starts_with("ai__"), "{name}");
        assert_eq!(call["name"], serde_json::json!(name));
        assert_eq!(result_name, name);
        assert_eq!(call["ok"], serde_json::json!(ok));
    }
    assert!(
        w.kinds_of("agent")
            .iter()
            .any(|k| matches!(k, ExecutionEventKind::NodeToken { .. }))
    );
    // One `ai_tool_call` record per call, one `ai_invocation` per turn, all of this run.
    let audit = commands::agentic_audit(
        &e.app,
        Some(AuditQuery {
            execution_id: Some(w.id.clone()),
            ..AuditQuery::default()
        }),
    )
    .await
    .unwrap();
    let tool_records: Vec<_> = audit
        .iter()
        .filter(|r| r.kind == AuditKind::AiToolCall)
        .collect();
    assert_eq!(tool_records.len(), calls.len());
    assert!(
        tool_records
            .iter()
            .all(|r| r.node_id.as_deref() == Some("agent"))
    );
    let turns: Vec<_> = audit
        .iter()
        .filter(|r| r.kind == AuditKind::AiInvocation)
        .collect();
    assert_eq!(turns.len() as u64, output["turns"].as_u64().unwrap());
    // The model saw a placeholder for the address, never the address.
    let sent = turns
        .iter()
        .map(|r| r.detail["sent"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(sent.contains("[EMAIL_1]"), "{sent}");
    assert!(!sent.contains("alice@acme.io"), "{sent}");
    eprintln!(
        "agentic ai node: {} tool call(s) {:?}, answer {:?}",
        calls.len(),
        announced,
        output["text"]
    );
}
