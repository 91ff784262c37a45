//! End-to-end: the agent board's features store behind the real `flow-server`: the original's
//! `/api/features/*` routes and shapes, proper status codes, the SSE event, the invoke bridge,
//! and persistence across a restart.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use serde_json::{Value, json};

const TOKEN: &str = "features-e2e-token-abcdefgh";

fn start(studio_dir: Option<std::path::PathBuf>) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        studio_dir,
        ..Default::default()
    })
}

struct Api<'a> {
    server: &'a ServerProcess,
    client: reqwest::Client,
}

impl Api<'_> {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(
                method.parse().unwrap(),
                format!("{}/api/features{path}", self.server.url),
            )
            .bearer_auth(TOKEN)
            .timeout(Duration::from_secs(10));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body)).await
    }
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn routes_shapes_and_status_codes() {
    let server = start(None);
    let api = Api {
        server: &server,
        client: reqwest::Client::new(),
    };
    assert_eq!(api.get("").await, (200, json!([])));

    let (status, login) = api
        .post(
            "",
            json!({"name": "Login", "category": "auth", "steps": ["open", "submit"]}),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    let keys: Vec<&str> = login
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "category",
            "createdAt",
            "dependencies",
            "description",
            "id",
            "inProgress",
            "name",
            "passes",
            "priority",
            "steps",
            "updatedAt"
        ]
    );
    assert_eq!(login["id"], 1);
    assert_eq!(login["priority"], 1);
    assert_eq!(login["steps"], json!(["open", "submit"]));
    assert_eq!(login["passes"], false);
    assert!(login["createdAt"].as_str().unwrap().ends_with('Z'));

    let (status, batch) = api
        .post(
            "/bulk",
            json!({"features": [
                {"name": "Sign-up", "priority": 0},
                {"name": "Profile", "dependencies": [{"index": 0}, 1]},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{batch}");
    assert_eq!(ids(&batch), [2, 3]);
    assert_eq!(batch[1]["dependencies"], json!([2, 1]));

    let (_, all) = api.get("").await;
    assert_eq!(ids(&all), [2, 1, 3], "ordered by priority");
    assert_eq!(api.get("/2").await.1["name"], "Sign-up");

    // Errors: the original's messages, with proper statuses.
    assert_eq!(
        api.get("/abc").await,
        (
            400,
            json!({"kind": "InvalidInput", "error": "Invalid feature ID"})
        )
    );
    let (status, body) = api.get("/99").await;
    assert_eq!((status, body["kind"].as_str()), (404, Some("NotFound")));
    let (status, body) = api.post("", json!({"name": ""})).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("name"), "{body}");
    let (status, body) = api
        .post(
            "/bulk",
            json!({"features": [{"name": "x", "dependencies": [{"index": 0}]}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // Claim returns the feature; the other mutators `{"success": true}`.
    let (status, claimed) = api.post("/1/claim", json!(null)).await;
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["inProgress"], true);
    let (status, body) = api.post("/1/claim", json!(null)).await;
    assert_eq!((status, body["kind"].as_str()), (409, Some("Conflict")));
    assert_eq!(
        api.post("/2/pass", json!(null)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(
        api.post("/1/fail", json!(null)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(
        api.post("/1/skip", json!(null)).await,
        (200, json!({"success": true}))
    );
    assert_eq!(
        api.get("/1").await.1["priority"],
        3,
        "behind 3, which got MAX + 1 = 2"
    );

    // Dependencies: bare id body, cycles refused, delete by path.
    assert_eq!(
        api.post("/2/dependencies", json!(1)).await,
        (200, json!({"success": true}))
    );
    let (status, body) = api.post("/1/dependencies", json!(3)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("cycle"), "{body}");
    let (status, _) = api.post("/1/dependencies", json!({"index": 0})).await;
    assert_eq!(status, 400);
    assert_eq!(
        api.call("DELETE", "/2/dependencies/1", None).await,
        (200, json!({"success": true}))
    );
    let (status, body) = api.call("DELETE", "/2/dependencies/x", None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Invalid dependency ID");

    // Views: 2 passes, 1 is ready, 3 waits on 1.
    assert_eq!(
        api.get("/stats").await,
        (
            200,
            json!({"total": 3, "passing": 1, "failing": 2, "inProgress": 0, "blocked": 1})
        )
    );
    assert_eq!(ids(&api.get("/ready").await.1), [1]);
    assert_eq!(ids(&api.get("/blocked").await.1), [3]);
    let (_, graph) = api.get("/graph").await;
    let node = graph
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == 1)
        .unwrap();
    assert_eq!(
        node,
        &json!({"id": 1, "name": "Login", "category": "auth", "priority": 3, "passes": false,
                "inProgress": false, "blocked": false, "dependencies": [], "dependents": [3]})
    );

    // Beyond the original: patch, change log, delete.
    let (status, patched) = api
        .call(
            "PATCH",
            "/1",
            Some(json!({"description": "with a password"})),
        )
        .await;
    assert_eq!(
        (status, patched["description"].as_str()),
        (200, Some("with a password"))
    );
    let (_, log) = api.get("/1/events").await;
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["created", "claimed", "failed", "skipped", "updated"]
    );
    assert_eq!(log[4]["field"], "description");
    assert_eq!(log[4]["featureId"], 1);
    assert_eq!(
        api.call("DELETE", "/1", None).await,
        (200, json!({"success": true}))
    );
    assert_eq!(api.get("/1").await.0, 404);
    assert_eq!(api.get("/3").await.1["dependencies"], json!([2]));

    // The bridge reaches the same store.
    let (status, listed) = server.invoke("features_list", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&listed), [2, 3]);
}

#[tokio::test]
async fn mutations_reach_the_event_stream() {
    let server = start(None);
    let api = Api {
        server: &server,
        client: reqwest::Client::new(),
    };
    let mut stream = sse::connect(&server.url, TOKEN, None, false).await;
    let (_, connected) = stream.next_json().await;
    assert_eq!(connected["type"], "connected");
    api.post("", json!({"name": "Watched"})).await;
    assert_eq!(
        next_feature_event(&mut stream).await,
        json!({"type": "feature-update", "featureId": 1, "change": "created"})
    );
    api.post("/1/claim", json!(null)).await;
    let event = next_feature_event(&mut stream).await;
    assert_eq!(
        event,
        json!({"type": "feature-update", "featureId": 1, "change": "claimed"})
    );
}

/// The next `feature-update` event, skipping others (the board's file watcher may speak too).
async fn next_feature_event(stream: &mut sse::SseStream) -> Value {
    loop {
        let (_, event) = stream.next_json().await;
        if event["type"] == "feature-update" {
            return event;
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn features_persist_across_a_restart() {
    let first = start(None);
    let studio = first.studio_dir();
    {
        let api = Api {
            server: &first,
            client: reqwest::Client::new(),
        };
        api.post("", json!({"name": "Durable", "steps": ["survive"]}))
            .await;
        api.post("/1/pass", json!(null)).await;
    }
    assert!(studio.join("db").join("flow.sqlite").is_file());
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(first.pid().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let first = tokio::task::spawn_blocking(move || {
        let mut first = first;
        assert!(
            first.wait_exit(Duration::from_secs(10)).is_some(),
            "first server did not stop"
        );
        first
    })
    .await
    .unwrap();

    let second = start(Some(studio));
    let api = Api {
        server: &second,
        client: reqwest::Client::new(),
    };
    let (status, feature) = api.get("/1").await;
    assert_eq!(status, 200, "{feature}");
    assert_eq!(feature["name"], "Durable");
    assert_eq!(feature["steps"], json!(["survive"]));
    assert_eq!(feature["passes"], true);
    let (_, log) = api.get("/1/events").await;
    assert_eq!(log.as_array().unwrap().len(), 2);
    let (_, next) = api.post("", json!({"name": "After"})).await;
    assert_eq!(next["id"], 2, "ids continue");
    drop(second);
    drop(first);
}
