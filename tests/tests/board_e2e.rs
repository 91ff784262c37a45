//! End-to-end: the real `flow-server` binary over a generated Claude Code tree, driven through
//! the original board's REST routes and the invoke bridge.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use flow_tests::claude_fixture::{Fixture, FixtureOptions, generate, session_uuid};
use flow_tests::server::{ServerOptions, ServerProcess};
use serde_json::{Value, json};

const TOKEN: &str = "board-e2e-token-abcdefghijk";
const NOTE_BLOCK: &str = "\n\n---\n\n#### [Note added by user]\n\n";

struct Board {
    server: ServerProcess,
    fixture: Fixture,
    _root: tempfile::TempDir,
    client: reqwest::Client,
}

impl Board {
    fn start(options: FixtureOptions) -> Self {
        let root = tempfile::tempdir().unwrap();
        let fixture = generate(root.path(), &options).unwrap();
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

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(
                method.parse().unwrap(),
                format!("{}{path}", self.server.url),
            )
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"));
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }
}

const SESSION_KEYS: [&str; 13] = [
    "id",
    "name",
    "slug",
    "project",
    "description",
    "gitBranch",
    "taskCount",
    "completed",
    "inProgress",
    "pending",
    "createdAt",
    "modifiedAt",
    "transcript",
];
const TASK_KEYS: [&str; 8] = [
    "id",
    "subject",
    "description",
    "activeForm",
    "status",
    "owner",
    "blocks",
    "blockedBy",
];

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn session_list_has_the_original_shape_order_and_limits() {
    let board = Board::start(FixtureOptions {
        sessions: 24,
        ..Default::default()
    });
    let (status, sessions) = board.get("/api/sessions").await;
    assert_eq!(status, 200);
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 20, "default limit");
    for s in list {
        assert_eq!(keys(s), SESSION_KEYS, "keys in order, nulls kept: {s}");
    }
    let modified: Vec<&str> = list
        .iter()
        .map(|s| s["modifiedAt"].as_str().unwrap())
        .collect();
    let mut sorted = modified.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(modified, sorted, "newest first");
    assert!(
        modified[0].ends_with('Z') && modified[0].len() == 24,
        "{}",
        modified[0]
    );

    // 24 listed sessions, the transcript-only one and the team list.
    let (_, all) = board.get("/api/sessions?limit=all").await;
    assert_eq!(all.as_array().unwrap().len(), 26);
    let (_, junk) = board.get("/api/sessions?limit=lots").await;
    assert_eq!(junk.as_array().unwrap().len(), 26);
    let (_, three) = board.get("/api/sessions?limit=3").await;
    assert_eq!(three.as_array().unwrap().len(), 3);

    let by_id = |id: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
    };
    // Session 0: custom title wins over the slug; index fills description/branch/created.
    let s0 = &board.fixture.sessions[0];
    let first = by_id(&s0.uuid).unwrap();
    assert_eq!(first["name"], s0.name());
    assert_eq!(first["slug"], s0.slug);
    assert_eq!(first["project"], s0.cwd);
    assert_eq!(first["gitBranch"], "main");
    assert_eq!(first["createdAt"], "2026-03-05T09:00:00.000Z");
    assert_eq!(first["description"], format!("Summary of {}", s0.slug));
    // 4 parseable tasks + a broken file: counted in taskCount only.
    assert_eq!(first["taskCount"], 5);
    assert_eq!(
        (
            first["completed"].clone(),
            first["inProgress"].clone(),
            first["pending"].clone()
        ),
        (json!(1), json!(1), json!(2))
    );
    assert_eq!(first["transcript"]["messageCount"], s0.message_count);
    assert_eq!(
        first["transcript"]["usage"]["outputTokens"],
        f64::from(s0.output_tokens)
    );
    assert_eq!(first["transcript"]["models"], json!(["claude-opus-4-6"]));
    // Session 1: no custom title, name is the slug; no index entry.
    let s1 = &board.fixture.sessions[1];
    let second = by_id(&s1.uuid).unwrap();
    assert_eq!(second["name"], s1.slug);
    assert_eq!(second["description"], Value::Null);
    assert_eq!(second["createdAt"], "2026-03-05T10:00:01.001Z");
    // Session 2: only sidecars.
    assert_eq!(
        by_id(&board.fixture.sessions[2].uuid).unwrap()["taskCount"],
        0
    );
    // Session 3: a `session-<uuid>` list, matched to its transcript.
    let s3 = &board.fixture.sessions[3];
    let third = by_id(s3.list_id.as_deref().unwrap()).unwrap();
    assert_eq!(third["name"], s3.name());
    assert!(
        by_id(&s3.uuid).is_none(),
        "a list and its transcript are one session"
    );
    // The transcript-only session and the team list.
    let only = board.fixture.sessions.last().unwrap();
    let only_item = by_id(&only.uuid).unwrap();
    assert_eq!(only_item["taskCount"], 0);
    assert_eq!(only_item["project"], only.cwd);
    let team = by_id(&board.fixture.team_list).unwrap();
    assert_eq!(team["name"], Value::Null);
    assert_eq!(team["transcript"], Value::Null);
    assert!(by_id("agent-a1b2c3").is_none());

    let (status, via_invoke) = board
        .server
        .invoke("board_sessions", json!({"all": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(via_invoke, all);
}

#[tokio::test]
async fn session_tasks_all_tasks_notes_and_deletes() {
    let board = Board::start(FixtureOptions::default());
    let s0 = board.fixture.sessions[0].uuid.clone();

    let (status, tasks) = board.get(&format!("/api/sessions/{s0}")).await;
    assert_eq!(status, 200);
    let tasks = tasks.as_array().unwrap().clone();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["1", "2", "3", "4"],
        "sorted by id, broken file dropped"
    );
    for t in &tasks {
        assert_eq!(&keys(t)[..8], TASK_KEYS);
    }
    assert_eq!(
        tasks[2],
        json!({"id": "3", "subject": "Update API docs", "description": "", "activeForm": "",
               "status": "pending", "owner": "", "blocks": [], "blockedBy": ["1"]})
    );
    assert_eq!(tasks[3]["owner"], "reviewer");
    assert_eq!(tasks[3]["metadata"], json!({"priority": "low"}));
    assert_eq!(tasks[3]["customField"], json!({"kept": true}));
    let (_, via_invoke) = board
        .server
        .invoke("board_session_tasks", json!({"sessionId": s0}))
        .await;
    assert_eq!(via_invoke, Value::Array(tasks.clone()));

    // Lifecycle tasks are hidden unless asked for.
    let team = board.fixture.team_list.clone();
    let (_, team_tasks) = board.get(&format!("/api/sessions/{team}")).await;
    assert_eq!(team_tasks.as_array().unwrap().len(), 1);
    let (_, with_internal) = board
        .get(&format!("/api/sessions/{team}?includeInternal=true"))
        .await;
    assert_eq!(with_internal.as_array().unwrap().len(), 2);

    assert_eq!(
        board.get("/api/sessions/no-such-session").await,
        (
            404,
            json!({"kind": "NotFound", "error": "Session not found"})
        )
    );
    let (status, bad) = board.get("/api/sessions/bad..id").await;
    assert_eq!((status, bad["kind"].as_str()), (400, Some("InvalidInput")));

    let (status, all) = board.get("/api/tasks/all").await;
    assert_eq!(status, 200);
    let all = all.as_array().unwrap();
    let one = all
        .iter()
        .find(|t| t["sessionId"] == s0 && t["id"] == "2")
        .unwrap();
    assert_eq!(&keys(one)[8..], ["sessionId", "sessionName", "project"]);
    assert_eq!(one["sessionName"], board.fixture.sessions[0].name());
    assert_eq!(one["project"], board.fixture.sessions[0].cwd);
    assert!(all.iter().all(|t| t["metadata"]["_internal"] != true));
    let team_task = all.iter().find(|t| t["sessionId"] == team).unwrap();
    assert_eq!(
        (
            team_task["sessionName"].clone(),
            team_task["project"].clone()
        ),
        (Value::Null, Value::Null)
    );
    let (_, all_invoke) = board.server.invoke("board_all_tasks", json!({})).await;
    assert_eq!(&all_invoke, &Value::Array(all.clone()));

    // Notes: the exact block, every field kept, in file order.
    let path = board.fixture.tasks_dir.join(&s0).join("4.json");
    let before: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (status, added) = board
        .send(
            "POST",
            &format!("/api/tasks/{s0}/4/note"),
            Some(json!({"note": "  Please add a test.  "})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(added["success"], true);
    assert_eq!(
        added["task"]["description"],
        format!("Read the diff{NOTE_BLOCK}Please add a test.")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let after: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(after["customField"], before["customField"]);
    assert_eq!(Value::Object(after), added["task"]);
    let (_, noted) = board
        .server
        .invoke(
            "board_add_note",
            json!({"sessionId": s0, "taskId": "3", "note": "second"}),
        )
        .await;
    assert_eq!(noted["task"]["description"], format!("{NOTE_BLOCK}second"));
    assert_eq!(
        noted["task"]["id"], 3,
        "the numeric id stays numeric on disk"
    );

    for (body, status, kind, error) in [
        (
            json!({"note": "   "}),
            400,
            "InvalidInput",
            Some("Note cannot be empty"),
        ),
        (json!({}), 400, "InvalidInput", None),
    ] {
        let (got, answer) = board
            .send("POST", &format!("/api/tasks/{s0}/4/note"), Some(body))
            .await;
        assert_eq!((got, answer["kind"].as_str()), (status, Some(kind)));
        if let Some(error) = error {
            assert_eq!(answer["error"], error);
        }
    }
    assert_eq!(
        board
            .send(
                "POST",
                &format!("/api/tasks/{s0}/77/note"),
                Some(json!({"note": "x"}))
            )
            .await,
        (404, json!({"kind": "NotFound", "error": "Task not found"}))
    );
    let (status, _) = board
        .send(
            "POST",
            &format!("/api/tasks/{s0}/..%2F1/note"),
            Some(json!({"note": "x"})),
        )
        .await;
    assert_eq!(status, 400);

    // Deletes: the guard, then success, then 404.
    assert_eq!(
        board
            .send("DELETE", &format!("/api/tasks/{s0}/1"), None)
            .await,
        (
            400,
            json!({"kind": "InvalidInput", "error": "Cannot delete task that blocks other tasks (blocked: 2, 3)"})
        )
    );
    assert!(board.fixture.tasks_dir.join(&s0).join("1.json").exists());
    assert_eq!(
        board
            .send("DELETE", &format!("/api/tasks/{s0}/4"), None)
            .await,
        (200, json!({"success": true, "taskId": "4"}))
    );
    assert!(!path.exists());
    assert_eq!(
        board
            .send("DELETE", &format!("/api/tasks/{s0}/4"), None)
            .await,
        (404, json!({"kind": "NotFound", "error": "Task not found"}))
    );
    let (status, deleted) = board
        .server
        .invoke("board_delete_task", json!({"sessionId": s0, "taskId": "2"}))
        .await;
    assert_eq!(
        (status, deleted),
        (200, json!({"success": true, "taskId": "2"}))
    );
    let (status, _) = board
        .send(
            "DELETE",
            &format!("/api/tasks/{}/..", session_uuid(1)),
            None,
        )
        .await;
    assert!(status == 400 || status == 404, "{status}");
}

#[tokio::test]
async fn board_routes_need_the_token_and_survive_missing_dirs() {
    let root = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![
            (
                "TASKS_DIR".into(),
                root.path().join("none/tasks").display().to_string(),
            ),
            (
                "PROJECTS_DIR".into(),
                root.path().join("none/projects").display().to_string(),
            ),
        ],
        ..Default::default()
    });
    let client = reqwest::Client::new();
    for path in ["/api/sessions", "/api/tasks/all"] {
        let anonymous = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let ok = client
            .get(format!("{}{path}", server.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.json::<Value>().await.unwrap(), json!([]));
    }
}

#[tokio::test]
async fn multi_megabyte_transcripts_are_read_to_the_end() {
    let board = Board::start(FixtureOptions {
        sessions: 2,
        tasks_per_session: 4,
        jsonl_bytes: 3 * 1024 * 1024,
    });
    let s0 = &board.fixture.sessions[0];
    let jsonl = board
        .fixture
        .projects_dir
        .join("-home-dev-src-project-0")
        .join(format!("{}.jsonl", s0.uuid));
    assert!(std::fs::metadata(&jsonl).unwrap().len() > 3 * 1024 * 1024);
    let (_, sessions) = board.get("/api/sessions?limit=all").await;
    let item = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == s0.uuid)
        .unwrap();
    // The custom title is written after the padding, far beyond the original's 64 KiB head.
    assert_eq!(item["name"], s0.name());
    assert_eq!(item["transcript"]["messageCount"], s0.message_count);
    assert_eq!(
        item["transcript"]["usage"]["outputTokens"],
        f64::from(s0.output_tokens)
    );
}

#[tokio::test]
async fn file_changes_reach_sse_clients_as_board_events() {
    let claude = tempfile::tempdir().unwrap();
    let tasks = claude.path().join("tasks");
    let projects = claude.path().join("projects");
    let server = ServerProcess::start(ServerOptions {
        token: Some(LIVE_TOKEN.into()),
        env: vec![
            ("TASKS_DIR".into(), tasks.display().to_string()),
            ("PROJECTS_DIR".into(), projects.display().to_string()),
        ],
        ..Default::default()
    });
    let mut stream = flow_tests::sse::connect(&server.url, LIVE_TOKEN, None, false).await;
    assert_eq!(stream.next_json().await.1["type"], "connected");

    // Neither directory exists at start: both are picked up when they appear.
    std::fs::create_dir_all(tasks.join("session-live")).unwrap();
    std::fs::create_dir_all(projects.join("-home-me-live")).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    std::fs::write(
        tasks.join("session-live/1.json"),
        r#"{"id":"1","subject":"live","status":"pending","blocks":[],"blockedBy":[]}"#,
    )
    .unwrap();
    let (_, update) = next_of_type(&mut stream, "update").await;
    assert_eq!(update["sessionId"], "session-live");
    assert_eq!(update["file"], "1.json");
    assert_eq!(update["event"], "add");

    std::fs::write(
        projects.join("-home-me-live/live.jsonl"),
        "{\"type\":\"user\"}\n",
    )
    .unwrap();
    let (_, meta) = next_of_type(&mut stream, "metadata-update").await;
    assert_eq!(meta, serde_json::json!({"type": "metadata-update"}));

    // One write may be reported more than once (create, then the data). Barriers make what
    // follows the reads attributable to them without waiting on a quiet period.
    let list = tasks.join("session-live");
    through_barrier(&mut stream, &list, "barrier-1.json").await;
    // The first barrier's batch may still publish a `metadata-update` after the barrier's own
    // `update`; a second barrier drains it.
    through_barrier(&mut stream, &list, "barrier-2.json").await;

    // Reading through the API never echoes back as a change.
    let client = reqwest::Client::new();
    for path in [
        "/api/sessions/session-live",
        "/api/sessions",
        "/api/tasks/all",
    ] {
        let r = client
            .get(format!("{}{path}", server.url))
            .bearer_auth(LIVE_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let echoed = through_barrier(&mut stream, &list, "barrier-3.json").await;
    assert!(echoed.is_empty(), "reads produced events: {echoed:?}");
}

/// Writes a task file into `list` and returns the events that arrived before its `update`.
/// Inotify keeps one queue for every watch of the server, so when this returns, every change
/// made before the barrier has been handled.
async fn through_barrier(
    stream: &mut flow_tests::sse::SseStream,
    list: &std::path::Path,
    name: &str,
) -> Vec<serde_json::Value> {
    std::fs::write(
        list.join(name),
        r#"{"id":"b","subject":"barrier","status":"pending","blocks":[],"blockedBy":[]}"#,
    )
    .unwrap();
    let mut before = Vec::new();
    loop {
        let (_, event) = stream.next_json().await;
        if event["type"] == "update" && event["file"] == name {
            return before;
        }
        before.push(event);
    }
}

const LIVE_TOKEN: &str = "board-live-token-0123456789";

async fn next_of_type(
    stream: &mut flow_tests::sse::SseStream,
    kind: &str,
) -> (String, serde_json::Value) {
    loop {
        let (id, event) = stream.next_json().await;
        if event["type"] == kind {
            return (id, event);
        }
    }
}
