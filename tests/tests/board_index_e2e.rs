//! End-to-end: the real `flow-server` over a generated Claude Code tree, checking that the
//! in-memory index follows the files (every `update` event is followed by a refetch that sees
//! the change, as the UI does), and the routes that came with it: task times and bulk delete.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::claude_fixture::{FixtureOptions, generate};
use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse::SseStream;
use serde_json::{Value, json};

const TOKEN: &str = "board-index-e2e-token-0123";

struct Board {
    server: ServerProcess,
    fixture: flow_tests::claude_fixture::Fixture,
    _root: tempfile::TempDir,
    client: reqwest::Client,
}

impl Board {
    fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        let fixture = generate(root.path(), &FixtureOptions::default()).unwrap();
        let server = ServerProcess::start(ServerOptions {
            token: Some(TOKEN.into()),
            env: vec![
                ("TASKS_DIR".into(), fixture.tasks_dir.display().to_string()),
                (
                    "PROJECTS_DIR".into(),
                    fixture.projects_dir.display().to_string(),
                ),
            ],
            ..Default::default()
        });
        Self {
            server,
            fixture,
            _root: root,
            client: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: &str, path: &str) -> (u16, Value) {
        let response = self
            .client
            .request(
                method.parse().unwrap(),
                format!("{}{path}", self.server.url),
            )
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn events(&self) -> SseStream {
        let mut stream = flow_tests::sse::connect(&self.server.url, TOKEN, None, false).await;
        assert_eq!(stream.next_json().await.1["type"], "connected");
        // Requests wait for the first index build: after this one, a file the test writes is
        // new to the index (written during the build, it would be in it already, and its
        // event a `change`: the CI failure of 2026-12-04).
        let (status, _) = self.send("GET", "/api/sessions?limit=all").await;
        assert_eq!(status, 200);
        stream
    }
}

/// The next `update` event for `file`.
async fn update_for(stream: &mut SseStream, file: &str) -> Value {
    loop {
        let (_, event) = tokio::time::timeout(Duration::from_secs(10), stream.next_json())
            .await
            .expect("no update event");
        if event["type"] == "update" && event["file"] == file {
            return event;
        }
    }
}

#[tokio::test]
async fn every_update_is_visible_to_the_refetch_it_triggers() {
    let board = Board::start();
    let s0 = board.fixture.sessions[0].uuid.clone();
    let mut stream = board.events().await;
    let list = board.fixture.tasks_dir.join(&s0);

    // A new task file, written as Claude Code writes it (temp file renamed into place).
    for round in 0..10 {
        let body = json!({"id": "50", "subject": format!("round {round}"), "status": "in_progress",
                          "blocks": [], "blockedBy": []});
        let tmp = list.join(".50.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&body).unwrap()).unwrap();
        std::fs::rename(&tmp, list.join("50.json")).unwrap();
        // A write may be reported more than once (its close, its rename); the refetch after
        // the event that reports it must see it, so wait for the first that does.
        let mut event;
        loop {
            event = update_for(&mut stream, "50.json").await;
            let (_, tasks) = board.send("GET", &format!("/api/sessions/{s0}")).await;
            let subject = tasks
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == "50")
                .map(|t| t["subject"].clone());
            if subject == Some(json!(format!("round {round}"))) {
                break;
            }
        }
        assert_eq!(event["sessionId"], s0.as_str());
        if round == 0 {
            assert_eq!(event["event"], "add");
        }
        let (_, sessions) = board.send("GET", "/api/sessions?limit=all").await;
        let item = sessions
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == s0.as_str())
            .unwrap();
        assert_eq!(item, &sessions[0], "the touched session is now the newest");
    }

    // A list that appears with its file, then goes away whole.
    std::fs::create_dir_all(board.fixture.tasks_dir.join("late-list")).unwrap();
    std::fs::write(
        board.fixture.tasks_dir.join("late-list/1.json"),
        r#"{"id":"1","subject":"late"}"#,
    )
    .unwrap();
    // A plain write is reported from its creation on (the file may still be empty then), so
    // the refetch after one of the list's events must see it, not necessarily after the first.
    loop {
        let event = update_for(&mut stream, "1.json").await;
        if event["sessionId"] != "late-list" {
            continue;
        }
        let (status, late) = board.send("GET", "/api/sessions/late-list").await;
        if (status, late[0]["subject"].clone()) == (200, json!("late")) {
            break;
        }
    }
    std::fs::remove_dir_all(board.fixture.tasks_dir.join("late-list")).unwrap();
    // The creation may have been reported twice (the directory's walk, then the file's close).
    while update_for(&mut stream, "1.json").await["event"] != "unlink" {}
    assert_eq!(board.send("GET", "/api/sessions/late-list").await.0, 404);
}

#[tokio::test]
async fn task_times_and_bulk_delete_in_dependency_order() {
    let board = Board::start();
    let s0 = board.fixture.sessions[0].uuid.clone();

    let (status, times) = board
        .send("GET", &format!("/api/sessions/{s0}/times"))
        .await;
    assert_eq!(status, 200);
    let times = times.as_array().unwrap();
    let (_, tasks) = board.send("GET", &format!("/api/sessions/{s0}")).await;
    let ids = |v: &[Value], key: &str| -> Vec<String> {
        v.iter()
            .map(|t| t[key].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(times, "taskId"),
        ids(tasks.as_array().unwrap(), "id"),
        "one entry per shown task, in the same order"
    );
    for t in times {
        assert!(t["createdAt"].as_str().unwrap() <= t["updatedAt"].as_str().unwrap());
        assert_eq!(t["sessionId"], s0.as_str());
    }
    let (_, all_times) = board.send("GET", "/api/tasks/times").await;
    let (_, all_tasks) = board.send("GET", "/api/tasks/all").await;
    assert_eq!(
        all_times.as_array().unwrap().len(),
        all_tasks.as_array().unwrap().len()
    );
    assert_eq!(board.send("GET", "/api/sessions/nope/times").await.0, 404);

    // Task 3 waits for 1 in the fixture: 3 must go before 1.
    let (status, deleted) = board
        .send("DELETE", &format!("/api/sessions/{s0}/tasks"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["success"], true);
    assert_eq!(deleted["sessionId"], s0.as_str());
    let order: Vec<&str> = deleted["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let position = |id: &str| order.iter().position(|d| *d == id).unwrap();
    assert!(position("3") < position("1"), "{order:?}");
    let (_, left) = board.send("GET", &format!("/api/sessions/{s0}")).await;
    assert_eq!(left, json!([]), "every task document is gone");
    assert_eq!(
        board.send("DELETE", "/api/sessions/nope/tasks").await.0,
        404
    );
    assert_eq!(
        board.send("DELETE", "/api/sessions/bad..id/tasks").await.0,
        400
    );
}
