//! The in-process model runtime on the real Gemma 3 270M test model: generation, streaming,
//! reproducibility, cancellation, grammars, load/unload/LRU, the inference queue, and the `ai`
//! node in a flow.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

// The core's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{edge, graph, install_test_model, mock, run_to_end};
use flow_core::engine::{ExecutionEventKind, RunOptions, RunStatus};
use flow_core::llm::{self, ChatMessage, ChatRequest, ChatRole, FinishReason};
use flow_core::settings::SettingsPatch;
use flow_core::{App, BusItem, FlowEvent, commands};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

/// An app on a temp dir with the llama.cpp runtime.
fn env() -> common::Env {
    common::env_with(|config| config.with_model_runtime(flow_llama::runtime()))
}

fn ask(prompt: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        model: MODEL.into(),
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: prompt.into(),
        }],
        max_tokens: Some(max_tokens),
        temperature: Some(0.0),
        ..ChatRequest::default()
    }
}

/// [`ask`], to another model.
fn ask_model(model: &str, prompt: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        ..ask(prompt, max_tokens)
    }
}

async fn set(app: &App, patch: SettingsPatch) {
    commands::settings_update(app, patch).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greedy_generation_gives_real_text_and_the_same_text_twice() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let first = commands::llm_chat(&e.app, ask("The capital of France is", 16))
        .await
        .unwrap();
    assert!(first.text.trim().len() > 3, "{first:?}");
    assert!(first.completion_tokens > 0 && first.completion_tokens <= 16);
    assert!(first.prompt_tokens > 3);
    assert!(
        first.time_to_first_token_ms > 0.0 && first.duration_ms >= first.time_to_first_token_ms
    );
    let second = commands::llm_chat(&e.app, ask("The capital of France is", 16))
        .await
        .unwrap();
    assert_eq!(first.text, second.text, "greedy decoding is deterministic");

    // Sampling with a fixed seed is reproducible too; the model name may omit `.gguf`.
    let seeded = |seed| ChatRequest {
        model: "gemma-3-270m-q4_k_m".into(),
        temperature: Some(0.9),
        seed: Some(seed),
        ..ask("Write a short poem about rivers.", 24)
    };
    let a = commands::llm_chat(&e.app, seeded(7)).await.unwrap();
    let b = commands::llm_chat(&e.app, seeded(7)).await.unwrap();
    assert_eq!(a.text, b.text);
    assert!(!a.text.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_deltas_reach_the_bus_in_order_and_add_up_to_the_answer() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let mut sub = e.app.bus().subscribe(None);
    let result = commands::llm_chat(
        &e.app,
        ChatRequest {
            request_id: Some("bus-1".into()),
            ..ask("List three colours.", 20)
        },
    )
    .await
    .unwrap();
    assert_eq!(result.request_id, "bus-1");
    let mut text = String::new();
    let mut indices = Vec::new();
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(200), sub.next()).await {
        if let BusItem::Event(env) = item
            && let FlowEvent::LlmToken {
                request_id,
                delta,
                index,
                model,
            } = &env.event
        {
            assert_eq!(request_id, "bus-1");
            assert_eq!(model, MODEL);
            text.push_str(delta);
            indices.push(*index);
        }
    }
    assert_eq!(text, result.text);
    assert_eq!(indices, (0..indices.len() as u32).collect::<Vec<_>>());
    assert!(!indices.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_mid_generation_stops_between_tokens_and_keeps_the_text_so_far() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let (tx, mut rx) = mpsc::channel(256);
    let app = e.app.clone();
    let running = tokio::spawn(async move {
        llm::chat(
            &app,
            ChatRequest {
                request_id: Some("long".into()),
                temperature: Some(0.8),
                seed: Some(1),
                ..ask("Tell a very long story about a dragon.", 2000)
            },
            Some(tx),
            CancellationToken::new(),
        )
        .await
    });
    let mut seen = String::new();
    for _ in 0..3 {
        seen.push_str(&rx.recv().await.expect("tokens"));
    }
    let cancelled = commands::llm_cancel(&e.app, "long".into()).await.unwrap();
    assert!(cancelled.cancelled);
    let started = Instant::now();
    // Keep draining so the generation thread never blocks on a full sink.
    while rx.recv().await.is_some() {}
    let result = running.await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(result.finish_reason, FinishReason::Cancelled);
    assert!(result.completion_tokens >= 3 && result.completion_tokens < 2000);
    assert!(result.text.starts_with(&seen));
    let status = commands::llm_status(&e.app).await.unwrap();
    assert_eq!(status.generating, 0, "the slot is free again");
    assert_eq!(status.loaded[0].active_requests, 0);
    // The id is free again, and an unknown id says so.
    assert!(
        !commands::llm_cancel(&e.app, "long".into())
            .await
            .unwrap()
            .cancelled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_schema_constrains_the_answer_to_matching_json() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let schema = json!({
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city", "country"]
    });
    let result = commands::llm_chat(
        &e.app,
        ChatRequest {
            json_schema: Some(serde_json::from_value(schema).unwrap()),
            ..ask("Name a city and its country.", 64)
        },
    )
    .await
    .unwrap();
    let answer: serde_json::Value = serde_json::from_str(&result.text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", result.text));
    assert!(
        answer["city"].is_string() && answer["country"].is_string(),
        "{answer}"
    );
    assert_eq!(result.finish_reason, FinishReason::Stop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_load_unload_and_the_least_recently_used_is_evicted() {
    let e = env();
    let a = install_test_model(&e.app, "a.gguf");
    let b = install_test_model(&e.app, "b.gguf");
    let mut sub = e.app.bus().subscribe(None);

    let status = commands::llm_load(&e.app, Some(a.clone()), None)
        .await
        .unwrap();
    assert_eq!(status.max_loaded_models, 1);
    assert_eq!(loaded(&status), vec!["a.gguf"]);
    assert!(status.memory.resident_bytes > 100e6);
    // The default limit is one model: loading b evicts a.
    let status = commands::llm_load(&e.app, Some(b.clone()), None)
        .await
        .unwrap();
    assert_eq!(loaded(&status), vec!["b.gguf"]);
    let mut changes = Vec::new();
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(100), sub.next()).await {
        if let BusItem::Event(env) = item
            && let FlowEvent::LlmChanged { model, change } = &env.event
        {
            changes.push(format!("{change} {model}"));
        }
    }
    assert_eq!(
        changes,
        ["loaded a.gguf", "evicted a.gguf", "loaded b.gguf"]
    );

    set(
        &e.app,
        SettingsPatch {
            max_loaded_models: Some(2),
            ..Default::default()
        },
    )
    .await;
    commands::llm_load(&e.app, Some(a.clone()), None)
        .await
        .unwrap();
    // Using b makes a the least recently used.
    commands::llm_chat(&e.app, ask_model(&b, "Hi", 2))
        .await
        .unwrap();
    let status = commands::llm_status(&e.app).await.unwrap();
    assert_eq!(loaded(&status), vec!["b.gguf", "a.gguf"]);
    let c = install_test_model(&e.app, "c.gguf");
    let status = commands::llm_load(&e.app, Some(c), None).await.unwrap();
    assert_eq!(loaded(&status), vec!["c.gguf", "b.gguf"]);

    let status = commands::llm_unload(&e.app, Some(b)).await.unwrap();
    assert_eq!(loaded(&status), vec!["c.gguf"]);
    let err = commands::llm_unload(&e.app, Some(a)).await.unwrap_err();
    assert_eq!(err.kind(), "NotFound");
    let status = commands::llm_unload(&e.app, None).await.unwrap();
    assert!(status.loaded.is_empty());
    assert_eq!(status.memory.resident_bytes, 0.0);
}

fn loaded(status: &flow_core::llm::LlmStatus) -> Vec<&str> {
    status.loaded.iter().map(|m| m.model.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_errors_and_load_nothing() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let err = commands::llm_chat(&e.app, ask_model("nope", "Hi", 4))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "NotFound");
    assert!(err.message().contains("no installed model `nope`"));
    for (request, needle) in [
        (
            ChatRequest {
                temperature: Some(5.0),
                ..ask("Hi", 4)
            },
            "temperature must be between 0 and 2",
        ),
        (
            ChatRequest {
                messages: vec![],
                ..ask("Hi", 4)
            },
            "at least one message",
        ),
        (ask("Hi", 0), "maxTokens must be between 1"),
        (
            ChatRequest {
                json_schema: Some(serde_json::json!("x")),
                ..ask("Hi", 4)
            },
            "output schema must be a JSON object",
        ),
    ] {
        let err = commands::llm_chat(&e.app, request).await.unwrap_err();
        assert_eq!(err.kind(), "InvalidInput", "{err}");
        assert!(err.message().contains(needle), "{err}");
    }
    assert!(
        commands::llm_status(&e.app)
            .await
            .unwrap()
            .loaded
            .is_empty()
    );

    // A file that is not a usable model: refused with its name, and the runtime keeps working.
    let broken = e.app.models().llms_dir().join("broken.gguf");
    let head = std::fs::read(common::test_model()).unwrap()[..1 << 20].to_vec();
    std::fs::write(&broken, head).unwrap();
    let err = commands::llm_load(&e.app, Some("broken.gguf".into()), None)
        .await
        .unwrap_err();
    assert!(
        err.message().contains("broken.gguf could not be loaded"),
        "{err}"
    );
    assert!(commands::llm_chat(&e.app, ask("Hi", 2)).await.is_ok());

    set(
        &e.app,
        SettingsPatch {
            allow_local_ai: Some(false),
            ..Default::default()
        },
    )
    .await;
    let err = commands::llm_chat(&e.app, ask("Hi", 2)).await.unwrap_err();
    assert_eq!(err.kind(), "Unavailable");
    assert!(err.message().contains("allow_local_ai"));
}

/// The shortest queue wait the settings allow, so queue timeouts come fast.
async fn wait_at_most_a_second_for_a_slot(app: &App) {
    set(
        app,
        SettingsPatch {
            ai_inference_queue_timeout_ms: Some(1000),
            ..Default::default()
        },
    )
    .await;
}

/// Starts a long generation that holds the only inference slot; returns its handle.
async fn hold_the_slot(app: &App, id: &str) -> tokio::task::JoinHandle<llm::ChatResult> {
    let (tx, mut rx) = mpsc::channel(1024);
    let app2 = app.clone();
    let request = ChatRequest {
        request_id: Some(id.into()),
        temperature: Some(0.8),
        seed: Some(3),
        ..ask("Tell a very long story about the sea.", 4000)
    };
    let handle = tokio::spawn(async move {
        llm::chat(&app2, request, Some(tx), CancellationToken::new())
            .await
            .unwrap()
    });
    rx.recv().await.expect("the holder generates");
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    handle
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_times_out_with_a_clear_error() {
    let e = env();
    install_test_model(&e.app, MODEL);
    wait_at_most_a_second_for_a_slot(&e.app).await;
    let holder = hold_the_slot(&e.app, "holder").await;
    let started = Instant::now();
    let err = commands::llm_chat(&e.app, ask("Hi", 2)).await.unwrap_err();
    assert_eq!(err.kind(), "Unavailable");
    assert!(err.message().contains("inference slot"), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(commands::llm_status(&e.app).await.unwrap().queued, 0);
    commands::llm_cancel(&e.app, "holder".into()).await.unwrap();
    assert_eq!(holder.await.unwrap().finish_reason, FinishReason::Cancelled);
}

fn ai_node(id: &str, prompt: &str) -> serde_json::Value {
    json!({"id": id, "type": "ai", "data": {
        "provider": "local", "modelId": MODEL, "prompt": prompt,
        "maxTokens": 12, "temperature": 0
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ai_node_streams_tokens_into_its_run_and_outputs_text() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let g = graph(
        json!([
            mock("seed", json!({"output": {"topic": "the moon"}})),
            ai_node("ask", "Write one sentence about {{seed.topic}}."),
            mock("after", json!({}))
        ]),
        json!([edge("seed", "ask", "pass"), edge("ask", "after", "pass")]),
    );
    let (w, status) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.events);
    let streamed: String = w
        .kinds_of("ask")
        .iter()
        .filter_map(|k| match k {
            ExecutionEventKind::NodeToken { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    let output = w
        .kinds_of("ask")
        .iter()
        .find_map(|k| match k {
            ExecutionEventKind::NodeSucceeded { output, .. } => Some(output.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(output["text"], json!(streamed));
    assert!(!streamed.is_empty());
    assert_eq!(output["model"], json!(MODEL));
    assert!(output["tokens"].as_u64().unwrap() > 0);
    assert!(output["durationMs"].as_f64().unwrap() > 0.0);
    assert!(w.succeeded("after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ai_node_on_a_branch_not_taken_never_loads_its_model() {
    let e = env();
    install_test_model(&e.app, MODEL);
    let g = graph(
        json!([
            mock(
                "check",
                json!({"fail": true, "error": "nothing to summarise"})
            ),
            ai_node("summarise", "Summarise."),
            mock("report", json!({}))
        ]),
        json!([
            edge("check", "summarise", "pass"),
            edge("check", "report", "fail")
        ]),
    );
    let (w, _) = run_to_end(&e.app, g, RunOptions::default()).await;
    assert!(w.skipped("summarise").is_some());
    assert!(w.succeeded("report"));
    assert!(
        commands::llm_status(&e.app)
            .await
            .unwrap()
            .loaded
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ai_node_whose_queue_wait_times_out_takes_its_fail_path() {
    let e = env();
    install_test_model(&e.app, MODEL);
    wait_at_most_a_second_for_a_slot(&e.app).await;
    let holder = hold_the_slot(&e.app, "busy").await;
    let g = graph(
        json!([ai_node("ask", "Hi"), mock("fallback", json!({}))]),
        json!([edge("ask", "fallback", "fail")]),
    );
    let (w, _) = run_to_end(&e.app, g, RunOptions::default()).await;
    let error = w.failed("ask").expect("the ai node failed");
    assert!(error.contains("inference slot"), "{error}");
    assert!(w.succeeded("fallback"));
    commands::llm_cancel(&e.app, "busy".into()).await.unwrap();
    holder.await.unwrap();

    // A cloud provider while cloud AI is off (the default): the run is refused before it starts.
    let g = graph(
        json!([{"id": "cloud", "type": "ai", "data": {"provider": "openai", "modelId": "gpt", "prompt": "Hi"}}]),
        json!([]),
    );
    let source = flow_core::engine::RunSource {
        graph: Some(g),
        ..Default::default()
    };
    let err = commands::run_start(&e.app, source, None, None)
        .await
        .unwrap_err();
    assert!(err.message().contains("cloud AI is turned off"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evicting_a_model_mid_generation_lets_that_generation_finish() {
    let e = env();
    let a = install_test_model(&e.app, "a.gguf");
    let b = install_test_model(&e.app, "b.gguf");
    let (tx, mut rx) = mpsc::channel(1024);
    let app = e.app.clone();
    let request = ask_model(&a, "Count from one to one hundred.", 48);
    let running =
        tokio::spawn(
            async move { llm::chat(&app, request, Some(tx), CancellationToken::new()).await },
        );
    rx.recv().await.expect("a generates");
    // One model at a time: loading b evicts a while a is still generating.
    let status = commands::llm_load(&e.app, Some(b), None).await.unwrap();
    assert_eq!(loaded(&status), vec!["b.gguf"]);
    while rx.recv().await.is_some() {}
    let result = running.await.unwrap().unwrap();
    assert!(result.completion_tokens > 1);
    assert_ne!(result.finish_reason, FinishReason::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gguf_imported_by_path_is_installed_and_usable() {
    let e = env();
    let source = e.dir.path().join("mine.gguf");
    std::fs::hard_link(common::test_model(), &source)
        .or_else(|_| std::fs::copy(common::test_model(), &source).map(drop))
        .unwrap();
    let path = source.to_string_lossy().into_owned();
    let model = commands::model_import_file(&e.app, path.clone())
        .await
        .unwrap();
    assert_eq!(model.file_name, "mine.gguf");
    assert_eq!(model.architecture.as_deref(), Some("gemma3"));
    let installed = commands::models_installed(&e.app).await.unwrap();
    assert_eq!(installed.len(), 1);
    let answer = commands::llm_chat(&e.app, ask_model("mine", "Hi", 3))
        .await
        .unwrap();
    assert_eq!(answer.model, "mine.gguf");

    let again = commands::model_import_file(&e.app, path).await.unwrap_err();
    assert_eq!(again.kind(), "Conflict");
    let missing = commands::model_import_file(&e.app, "/nonexistent/x.gguf".into())
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), "NotFound");
    // Deleting a loaded model unloads it first.
    commands::model_delete(&e.app, "mine.gguf".into())
        .await
        .unwrap();
    assert!(
        commands::llm_status(&e.app)
            .await
            .unwrap()
            .loaded
            .is_empty()
    );
    assert!(commands::models_installed(&e.app).await.unwrap().is_empty());
}
