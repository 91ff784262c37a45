//! End-to-end: runs over Flow Studio's HTTP routes against the real `flow-server`:
//! `POST|GET /api/run` streaming a run's events, `GET /api/runs/{id}/events` replay (whole, after
//! `Last-Event-ID`, and attached mid-run), `GET /api/history`, bad inputs as JSON errors, and
//! history across a restart and a SIGKILL mid-run.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse::{self, SseStream};
use serde_json::{Value, json};

const TOKEN: &str = "runs-e2e-token-abcdefghijk";

/// Three `log` utility nodes in a row.
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

/// A log, a mock sleeping `delay` ms, a log.
fn slow_flow(delay: u64) -> String {
    format!(
        r#"flow "Slow middle"

first[utility: "First"] {{
  actionId: "log"
  message: "before the wait"
}}
slow[action: "Slow"] {{
  adapter: "mock"
  delayMs: {delay}
}}
last[utility: "Last"] {{
  actionId: "log"
  message: "after the wait"
}}

first.pass --> slow
slow.pass --> last
"#
    )
}

fn start(studio_dir: Option<std::path::PathBuf>) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        studio_dir,
        ..Default::default()
    })
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

async fn get_json(server: &ServerProcess, path: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{}{path}", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Opens a run stream, asserting it is one.
async fn open_stream(request: reqwest::RequestBuilder) -> SseStream {
    let response = request.bearer_auth(TOKEN).send().await.unwrap();
    let status = response.status().as_u16();
    if status != 200 {
        panic!(
            "stream refused: {status} {}",
            response.text().await.unwrap()
        );
    }
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    sse::from_response(response)
}

async fn post_run(server: &ServerProcess, body: Value) -> SseStream {
    open_stream(client().post(format!("{}/api/run", server.url)).json(&body)).await
}

/// Reads frames until the server ends the stream: `(id, event JSON)` each.
async fn read_to_end(stream: &mut SseStream) -> Vec<(u32, Value)> {
    let mut frames = Vec::new();
    while let Some(event) = stream.next_or_end().await {
        let json: Value = serde_json::from_str(&event.data).expect("frame is JSON");
        frames.push((event.id.parse().expect("numeric id"), json));
    }
    frames
}

fn kinds(frames: &[(u32, Value)]) -> Vec<String> {
    frames
        .iter()
        .map(|(_, e)| {
            let kind = e["kind"].as_str().unwrap();
            match e["node_id"].as_str() {
                Some(node) => format!("{kind}:{node}"),
                None => kind.to_owned(),
            }
        })
        .collect()
}

/// Ids are the events' `seq`s, consecutive from `first`, and the last frame is `done`.
fn assert_whole(frames: &[(u32, Value)], first: u32) {
    assert!(!frames.is_empty());
    for (n, (id, event)) in frames.iter().enumerate() {
        assert_eq!(*id, first + n as u32, "{frames:?}");
        assert_eq!(event["seq"], json!(id));
        assert!(event.get("type").is_none(), "not wrapped: {event}");
    }
    assert_eq!(frames.last().unwrap().1["kind"], "done");
}

#[tokio::test]
async fn a_dsl_run_streams_in_order_and_replays_from_history() {
    let server = start(None);
    let mut stream = post_run(&server, json!({"dsl": THREE})).await;
    let frames = read_to_end(&mut stream).await;
    assert_whole(&frames, 0);
    let kinds = kinds(&frames);
    assert_eq!(kinds.first().unwrap(), "started");
    for node in ["a", "b", "c"] {
        let started = kinds
            .iter()
            .position(|k| *k == format!("node_started:{node}"));
        let log = kinds.iter().position(|k| *k == format!("node_log:{node}"));
        let done = kinds
            .iter()
            .position(|k| *k == format!("node_succeeded:{node}"));
        assert!(
            started < log && log < done && started.is_some(),
            "{kinds:?}"
        );
    }
    assert!(
        kinds.iter().position(|k| k == "node_succeeded:a")
            < kinds.iter().position(|k| k == "node_started:b")
    );
    let started = &frames[0].1;
    assert_eq!(started["trigger"], "api");
    assert_eq!(started["flow_name"], "Three logs");
    assert_eq!(frames.last().unwrap().1["status"], "succeeded");
    let id = started["execution_id"].as_str().unwrap().to_owned();

    // The history lists it, ended.
    let (status, runs) = get_json(&server, "/api/history").await;
    assert_eq!(status, 200, "{runs}");
    assert_eq!(runs[0]["executionId"], id.as_str());
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["trigger"], "api");
    assert_eq!(runs[0]["succeeded"], 3);
    let (_, filtered) = get_json(&server, "/api/history?status=failed").await;
    assert_eq!(filtered, json!([]));
    let (_, searched) = get_json(&server, "/api/history?search=HELLO%20FROM%20B&limit=5").await;
    assert_eq!(searched.as_array().unwrap().len(), 1, "{searched}");

    // Replay after the end: everything, in order, then the stream ends.
    let events_url = format!("{}/api/runs/{id}/events", server.url);
    let mut replay = open_stream(client().get(&events_url)).await;
    let replayed = read_to_end(&mut replay).await;
    assert_eq!(replayed, frames);

    // From `Last-Event-ID: 2`: seq 3 onwards.
    let mut resumed = open_stream(client().get(&events_url).header("Last-Event-ID", "2")).await;
    let resumed = read_to_end(&mut resumed).await;
    assert_whole(&resumed, 3);
    assert_eq!(resumed, frames[3..]);
    let mut after = open_stream(client().get(format!("{events_url}?after=4"))).await;
    assert_eq!(read_to_end(&mut after).await, frames[5..]);

    // The same run through the command bridge.
    let (status, detail) = server.invoke("run_get", json!({"executionId": id})).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["steps"].as_array().unwrap().len(), 3);
    assert_eq!(detail["steps"][0]["logLines"], 1);
}

#[tokio::test]
async fn a_saved_flow_runs_by_template_and_bad_input_is_a_json_error() {
    let server = start(None);
    let (status, graph) = server.invoke("dsl_parse", json!({"source": THREE})).await;
    assert_eq!(status, 200, "{graph}");
    let (status, saved) = server
        .invoke("flow_save", json!({"input": {"graph": graph}}))
        .await;
    assert_eq!(status, 200, "{saved}");
    let slug = saved["slug"].as_str().unwrap().to_owned();

    let mut stream =
        open_stream(client().get(format!("{}/api/run?template={slug}", server.url))).await;
    let frames = read_to_end(&mut stream).await;
    assert_whole(&frames, 0);
    assert_eq!(frames[0].1["flow_slug"], slug.as_str());
    let (_, runs) = get_json(&server, &format!("/api/history?flow={slug}")).await;
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["flowSlug"], slug.as_str());

    // A graph works too, with `input`.
    let mut by_graph = post_run(&server, json!({"graph": graph, "input": {"x": 1}})).await;
    assert_whole(&read_to_end(&mut by_graph).await, 0);

    let post = |body: Value| {
        let server_url = server.url.clone();
        async move {
            let response = client()
                .post(format!("{server_url}/api/run"))
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    for (body, expected) in [
        (json!({}), 400),
        (json!({"dsl": "this is not a flow"}), 400),
        (json!({"dsl": THREE, "template": slug}), 400),
        (json!({"template": "no-such-flow"}), 404),
        (json!({"dsl": THREE, "bogus": 1}), 400),
        (
            json!({"graph": {"name": "Broken", "nodes": [],
                "edges": [{"source": "a", "target": "b"}]}}),
            400,
        ),
    ] {
        let (status, error) = post(body.clone()).await;
        assert_eq!(status, expected, "{body} -> {error}");
        assert!(error["kind"].is_string(), "{error}");
    }
    let (status, error) = get_json(&server, "/api/run?template=no-such-flow").await;
    assert_eq!((status, error["kind"].as_str()), (404, Some("NotFound")));
    let (status, error) = get_json(&server, "/api/run?dsl=nonsense").await;
    assert_eq!(
        (status, error["kind"].as_str()),
        (400, Some("InvalidInput"))
    );
    let (status, error) = get_json(&server, "/api/runs/run-nope/events").await;
    assert_eq!((status, error["kind"].as_str()), (404, Some("NotFound")));
    let (status, error) = get_json(&server, "/api/history?status=bogus").await;
    assert_eq!(
        (status, error["kind"].as_str()),
        (400, Some("InvalidInput"))
    );
    let (status, _) = get_json(&server, "/api/history?limit=many").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn attaching_mid_run_replays_then_follows_live_without_gaps() {
    let server = start(None);
    let mut stream = post_run(&server, json!({"dsl": slow_flow(1500)})).await;
    let mut head = Vec::new();
    loop {
        let event = stream.next_event().await;
        let json: Value = serde_json::from_str(&event.data).unwrap();
        let waiting = json["kind"] == "node_started" && json["node_id"] == "slow";
        head.push((event.id.parse::<u32>().unwrap(), json));
        if waiting {
            break;
        }
    }
    let id = head[0].1["execution_id"].as_str().unwrap().to_owned();

    // Listed while it runs.
    let (_, runs) = get_json(&server, "/api/history?status=running").await;
    assert_eq!(runs[0]["executionId"], id.as_str(), "{runs}");

    let mut attached =
        open_stream(client().get(format!("{}/api/runs/{id}/events", server.url))).await;
    let attached = read_to_end(&mut attached).await;
    assert_whole(&attached, 0);
    let mut whole = head;
    whole.extend(read_to_end(&mut stream).await);
    assert_whole(&whole, 0);
    assert_eq!(attached, whole);
    let kinds = kinds(&attached);
    assert!(
        kinds.contains(&"node_succeeded:last".to_owned()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn history_survives_a_restart_and_a_killed_run_shows_interrupted() {
    let studio = tempfile::tempdir().unwrap();
    let server = start(Some(studio.path().to_owned()));
    let mut quick = post_run(&server, json!({"dsl": THREE})).await;
    let quick = read_to_end(&mut quick).await;
    let quick_id = quick[0].1["execution_id"].as_str().unwrap().to_owned();

    let mut slow = post_run(&server, json!({"dsl": slow_flow(60_000)})).await;
    let mut slow_id = String::new();
    loop {
        let (_, json) = slow.next_json().await;
        slow_id = json["execution_id"].as_str().unwrap_or(&slow_id).to_owned();
        if json["kind"] == "node_started" && json["node_id"] == "slow" {
            break;
        }
    }
    // The writer commits within milliseconds; give it a moment, then kill without warning.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = std::process::Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    drop(slow);
    drop(server);

    let server = start(Some(studio.path().to_owned()));
    let (status, runs) = get_json(&server, "/api/history").await;
    assert_eq!(status, 200, "{runs}");
    let by_id = |id: &str| {
        runs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["executionId"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing from {runs}"))
    };
    assert_eq!(by_id(&quick_id)["status"], "succeeded");
    let cut = by_id(&slow_id);
    assert_eq!(cut["status"], "interrupted", "{cut}");
    assert!(cut["endedAt"].is_string());
    let (_, interrupted) = get_json(&server, "/api/history?status=interrupted").await;
    assert_eq!(interrupted.as_array().unwrap().len(), 1);

    // Both replay from the history; the cut-off one ends without a `done`.
    let mut replay =
        open_stream(client().get(format!("{}/api/runs/{quick_id}/events", server.url))).await;
    assert_eq!(read_to_end(&mut replay).await, quick);
    let mut cut_replay =
        open_stream(client().get(format!("{}/api/runs/{slow_id}/events", server.url))).await;
    let cut_frames = read_to_end(&mut cut_replay).await;
    assert!(!cut_frames.is_empty());
    assert_ne!(cut_frames.last().unwrap().1["kind"], "done");
    let (_, detail) = server
        .invoke("run_get", json!({"executionId": slow_id}))
        .await;
    let slow_step = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["nodeId"] == "slow")
        .cloned()
        .unwrap();
    assert_eq!(slow_step["status"], "failed", "{detail}");
}

/// Reads WebSocket frames as JSON until `until` holds for one of them; fails after 10 s.
async fn ws_read_until<S>(socket: &mut S, until: impl Fn(&Value) -> bool) -> Vec<Value>
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    use futures_util::StreamExt;
    let mut frames = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame in time")
            .expect("open socket")
            .expect("frame");
        let Ok(text) = message.into_text() else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let stop = until(&value);
        frames.push(value);
        if stop {
            return frames;
        }
    }
}

#[tokio::test]
async fn run_events_reach_websocket_clients_and_the_event_stream_replays_them() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let server = start(None);
    let mut socket = server.websocket().await;
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    assert_eq!(events.next_json().await.1["type"], "connected");

    // Start the run over the WebSocket itself, then watch its events arrive there.
    socket
        .send(Message::Text(
            json!({"id": 1, "cmd": "run_start", "args": {"source": {"dsl": THREE}, "options": null}})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    // The reply and the run's events travel independently: a short run may finish before its
    // reply goes out, so read until both have come.
    let mut frames = ws_read_until(&mut socket, |v| {
        v["type"] == "execution" && v["kind"] == "done"
    })
    .await;
    if !frames.iter().any(|f| f["id"] == 1) {
        frames.extend(ws_read_until(&mut socket, |v| v["id"] == 1).await);
    }
    let reply = frames.iter().find(|f| f["id"] == 1).expect("invoke reply");
    let run = reply["ok"]["executionId"].as_str().unwrap().to_owned();
    let kinds: Vec<&str> = frames
        .iter()
        .filter(|f| f["type"] == "execution" && f["execution_id"] == run.as_str())
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"started"));
    assert_eq!(kinds.last(), Some(&"done"));
    assert_eq!(kinds.iter().filter(|k| **k == "node_succeeded").count(), 3);

    // The general event stream carried the same events; a client reconnecting with the
    // Last-Event-ID of the run's first event gets the rest replayed from the ring.
    let mut first_id = None;
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("done") {
        let (id, event) = events.next_json().await;
        if event["type"] == "execution" && event["execution_id"] == run.as_str() {
            first_id.get_or_insert(id);
            seen.push(event["kind"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, kinds);
    let mut again = sse::connect(&server.url, TOKEN, first_id.as_deref(), false).await;
    assert_eq!(again.next_json().await.1["type"], "connected");
    let mut replayed = Vec::new();
    while replayed.len() < kinds.len() - 1 {
        let (_, event) = again.next_json().await;
        if event["type"] == "execution" && event["execution_id"] == run.as_str() {
            replayed.push(event["kind"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(replayed, kinds[1..]);
}
