//! The model runtime through a real `flow-server` process on the real test model: token events
//! over SSE and WebSocket, the OpenAI-compatible endpoint (plain and streamed), cancellation
//! mid-generation (by command and by a client leaving), Flow Studio's `/api/llm/*` routes and
//! importing a model by upload.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::time::{Duration, Instant};

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse::{self, SseStream};
use flow_tests::test_model::{TEST_MODEL, install_test_model, test_model_path};
use futures_util::StreamExt;
use serde_json::{Value, json};

const TOKEN: &str = "llm-e2e-token-0123456789";

/// A server whose data dir already holds the test model. The returned dir must outlive it.
fn start() -> (ServerProcess, tempfile::TempDir) {
    let studio = tempfile::tempdir().unwrap();
    install_test_model(studio.path());
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        studio_dir: Some(studio.path().to_path_buf()),
        ..Default::default()
    });
    (server, studio)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

async fn post(server: &ServerProcess, path: &str, body: Value) -> (u16, Value) {
    server.post_json(path, &body).await
}

async fn get(server: &ServerProcess, path: &str) -> (u16, Value) {
    server.get_json(path).await
}

fn chat(prompt: &str, max_tokens: u32, request_id: &str) -> Value {
    json!({"request": {
        "model": TEST_MODEL, "requestId": request_id, "temperature": 0, "maxTokens": max_tokens,
        "messages": [{"role": "user", "content": prompt}]
    }})
}

/// Concatenates the `llm-token` deltas of `request_id` from the event stream until `expected`
/// bytes have arrived.
async fn sse_tokens(events: &mut SseStream, request_id: &str, expected: usize) -> String {
    let mut text = String::new();
    while text.len() < expected {
        let (_, event) = events.next_json().await;
        if event["type"] == "llm-token" && event["requestId"] == request_id {
            text.push_str(event["delta"].as_str().unwrap());
        }
    }
    text
}

#[tokio::test]
async fn generated_tokens_reach_sse_and_websocket_clients_as_they_are_made() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let (server, _studio) = start();
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    assert_eq!(events.next_json().await.1["type"], "connected");

    // Over the invoke bridge: the answer, and the same text as token events on the SSE stream.
    let (status, result) = post(
        &server,
        "/api/invoke/llm_chat",
        chat("The capital of France is", 12, "sse-1"),
    )
    .await;
    assert_eq!(status, 200, "{result}");
    let text = result["text"].as_str().unwrap();
    assert!(!text.trim().is_empty());
    assert_eq!(sse_tokens(&mut events, "sse-1", text.len()).await, text);

    // Over the WebSocket: the command goes in on the socket, tokens and the reply come back on it.
    let mut socket = server.websocket().await;
    socket
        .send(Message::Text(
            json!({"id": 7, "cmd": "llm_chat", "args": chat("The capital of France is", 12, "ws-1")})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let mut streamed = String::new();
    let reply = loop {
        let message = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .expect("a frame in time")
            .unwrap()
            .unwrap();
        let Ok(frame) = serde_json::from_str::<Value>(message.to_text().unwrap_or("")) else {
            continue;
        };
        if frame["type"] == "llm-token" && frame["requestId"] == "ws-1" {
            streamed.push_str(frame["delta"].as_str().unwrap());
        } else if frame["id"] == 7 {
            break frame;
        }
    };
    let ws_text = reply["ok"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"));
    assert_eq!(ws_text, text, "greedy answers match across transports");
    assert_eq!(streamed, ws_text);
}

#[tokio::test]
async fn the_openai_endpoint_answers_plain_and_streamed_behind_the_token() {
    let (server, _studio) = start();
    let (status, models) = get(&server, "/v1/models").await;
    assert_eq!(status, 200);
    assert_eq!(models["object"], "list");
    assert_eq!(models["data"][0]["id"], TEST_MODEL);

    let body = json!({
        "model": TEST_MODEL, "temperature": 0, "max_tokens": 16, "seed": 5,
        "messages": [{"role": "system", "content": "Answer briefly."},
                     {"role": "user", "content": [{"type": "text", "text": "Name a planet."}]}]
    });
    let (status, plain) = post(&server, "/v1/chat/completions", body.clone()).await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(plain["object"], "chat.completion");
    assert_eq!(plain["choices"][0]["message"]["role"], "assistant");
    let answer = plain["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(!answer.is_empty());
    let usage = &plain["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );

    let mut streamed_body = body.clone();
    streamed_body["stream"] = json!(true);
    streamed_body["stream_options"] = json!({"include_usage": true});
    let response = client()
        .post(format!("{}/v1/chat/completions", server.url))
        .bearer_auth(TOKEN)
        .json(&streamed_body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = sse::from_response(response);
    let mut frames = Vec::new();
    while let Some(event) = stream.next_or_end().await {
        frames.push(event.data);
    }
    assert_eq!(frames.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> = frames[..frames.len() - 1]
        .iter()
        .map(|f| serde_json::from_str(f).unwrap())
        .collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, answer, "streamed and plain greedy answers match");
    let finish = chunks
        .iter()
        .find_map(|c| c["choices"][0]["finish_reason"].as_str());
    assert_eq!(finish, plain["choices"][0]["finish_reason"].as_str());
    assert_eq!(chunks.last().unwrap()["usage"], plain["usage"]);

    // Errors in OpenAI's shape, with the right status, before any stream starts.
    let mut unknown = streamed_body.clone();
    unknown["model"] = json!("gpt-4o");
    let (status, err) = post(&server, "/v1/chat/completions", unknown).await;
    assert_eq!(status, 404);
    assert!(err["error"]["message"].as_str().unwrap().contains("gpt-4o"));
    let mut two = body.clone();
    two["n"] = json!(2);
    let (status, err) = post(&server, "/v1/chat/completions", two).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["type"], "invalid_request_error");
    let response = client()
        .post(format!("{}/v1/chat/completions", server.url))
        .header("content-type", "application/json")
        .body("{not json")
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let unauthorised = client()
        .get(format!("{}/v1/models", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);
}

async fn wait_idle(server: &ServerProcess) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, status) = get(server, "/api/llm/status").await;
        if status["generating"] == 0 && status["loaded"][0]["activeRequests"] == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "generation did not stop: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn generation_stops_mid_way_on_cancel_and_when_a_streaming_client_leaves() {
    let (server, _studio) = start();
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    let url = server.url.clone();
    let long = tokio::spawn(async move {
        let mut body = chat("Tell a very long story about a lighthouse.", 3000, "long-1");
        body["request"]["temperature"] = json!(0.8);
        body["request"]["seed"] = json!(9);
        let response = client()
            .post(format!("{url}/api/invoke/llm_chat"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()
    });
    sse_tokens(&mut events, "long-1", 1).await;
    let (status, cancelled) = post(
        &server,
        "/api/invoke/llm_cancel",
        json!({"requestId": "long-1"}),
    )
    .await;
    assert_eq!((status, &cancelled["cancelled"]), (200, &json!(true)));
    let result = tokio::time::timeout(Duration::from_secs(10), long)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result["finishReason"], "cancelled");
    assert!(result["completionTokens"].as_u64().unwrap() < 3000);
    wait_idle(&server).await;

    // A streaming OpenAI client that disconnects after two chunks cancels its generation.
    let response = client()
        .post(format!("{}/v1/chat/completions", server.url))
        .bearer_auth(TOKEN)
        .json(
            &json!({"model": TEST_MODEL, "stream": true, "max_tokens": 3000, "seed": 2,
                      "messages": [{"role": "user", "content": "Tell a very long story."}]}),
        )
        .send()
        .await
        .unwrap();
    let mut stream = sse::from_response(response);
    stream.next_event().await;
    stream.next_event().await;
    drop(stream);
    wait_idle(&server).await;
}

#[tokio::test]
async fn llm_routes_load_and_unload_and_a_model_can_be_uploaded_and_deleted() {
    let (server, studio) = start();
    let (status, body) = post(&server, "/api/llm/start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["loaded"][0]["model"], TEST_MODEL);
    assert_eq!(body["endpoint"], "/v1");
    let (_, status_now) = get(&server, "/api/llm/status").await;
    assert_eq!(status_now["loaded"].as_array().unwrap().len(), 1);
    let (status, body) = post(&server, "/api/llm/stop", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["loaded"], json!([]));
    let (status, body) = post(&server, "/api/llm/start", json!({"model": "nope"})).await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = post(&server, "/api/llm/start", json!({"bogus": 1})).await;
    assert_eq!(status, 400);

    let upload = |name: &str, body: reqwest::Body| {
        client()
            .post(format!("{}/api/models/import?fileName={name}", server.url))
            .bearer_auth(TOKEN)
            .body(body)
            .send()
    };
    // The real model, streamed from disk as the request body.
    let file = tokio::fs::File::open(test_model_path()).await.unwrap();
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
    let response = upload("uploaded.gguf", body).await.unwrap();
    assert_eq!(response.status(), 200);
    let model: Value = response.json().await.unwrap();
    assert_eq!(model["fileName"], "uploaded.gguf");
    assert_eq!(model["architecture"], "gemma3");
    let (_, models) = get(&server, "/v1/models").await;
    assert_eq!(models["data"].as_array().unwrap().len(), 2);
    let (status, answer) = post(
        &server,
        "/api/invoke/llm_chat",
        json!({"request": {
        "model": "uploaded", "maxTokens": 2, "temperature": 0,
        "messages": [{"role": "user", "content": "Hi"}]}}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");

    // Bad uploads are refused and leave nothing behind.
    let response = upload("junk.gguf", "not a model".into()).await.unwrap();
    assert_eq!(response.status(), 400);
    let response = upload("uploaded.gguf", "x".into()).await.unwrap();
    assert_eq!(response.status(), 409);
    let response = upload("..%2Fescape.gguf", "x".into()).await.unwrap();
    assert_eq!(response.status(), 400);
    let llms = studio.path().join("llms");
    let mut names: Vec<String> = std::fs::read_dir(&llms)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "catalog.json")
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![TEST_MODEL.to_owned(), "uploaded.gguf".to_owned()]
    );

    let (status, deleted) = post(
        &server,
        "/api/invoke/model_delete",
        json!({"fileName": "uploaded.gguf"}),
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(!llms.join("uploaded.gguf").exists());
    let (status, _) = post(
        &server,
        "/api/invoke/model_delete",
        json!({"fileName": "../x.gguf"}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn inference_opens_no_connection_beyond_loopback() {
    let (server, _studio) = start();
    let url = server.url.clone();
    let generation = tokio::spawn(async move {
        let response = client()
            .post(format!("{url}/v1/chat/completions"))
            .bearer_auth(TOKEN)
            .json(
                &json!({"model": TEST_MODEL, "max_tokens": 64, "temperature": 0,
                          "messages": [{"role": "user", "content": "Describe the sea."}]}),
            )
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()
    });
    // Sample the server's sockets while it loads the model and generates.
    let mut most_sockets = 0;
    while !generation.is_finished() {
        let peers = flow_tests::sockets::peers(server.pid());
        assert!(
            peers.outside.is_empty(),
            "connections beyond loopback: {:?}",
            peers.outside
        );
        most_sockets = most_sockets.max(peers.sockets);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answer = generation.await.unwrap();
    assert!(
        answer["usage"]["completion_tokens"].as_u64().unwrap() > 0,
        "{answer}"
    );
    // The listener and the client's connection were seen, so the probe reads real sockets.
    assert!(most_sockets >= 2, "saw {most_sockets} sockets");
}
