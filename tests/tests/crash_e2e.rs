//! SIGKILL during concurrent writes: clients save flows, add task notes, update settings and
//! start runs against the real `flow-server` binary, keeping every acknowledgement; the server is
//! killed with SIGKILL mid-stream and started again on the same folders. Every acknowledged write
//! must be there, and every JSON file it left must parse.
//!
//! `FLOW_CRASH_WRITES` sets how many acknowledged writes to wait for before the kill (default
//! 1000, of which at least one in fifty run starts).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flow_tests::json_files::corrupt_json;
use flow_tests::server::{ServerOptions, ServerProcess};
use serde_json::{Value, json};

const TOKEN: &str = "crash-test-token-0123456789";
const TASKS: usize = 20;
const RUN_DSL: &str = r#"flow "Crash run"

a[utility: "A"] {
  actionId: "log"
  message: "hello"
}
"#;

/// What the server acknowledged before it was killed.
#[derive(Default)]
struct Acks {
    /// Saved flows: slug, revision, the name it was saved with.
    flows: Vec<(String, u64, String)>,
    /// Notes: task id, note text.
    notes: Vec<(String, String)>,
    /// The last `max_agentic_seconds` the server said it stored.
    settings: Option<u64>,
    /// Started runs.
    runs: Vec<String>,
}

async fn invoke(client: &reqwest::Client, url: &str, command: &str, args: Value) -> Option<Value> {
    let response = client
        .post(format!("{url}/api/invoke/{command}"))
        .bearer_auth(TOKEN)
        .json(&args)
        .send()
        .await
        .ok()?;
    let status = response.status();
    let body: Value = response.json().await.ok()?;
    assert!(status.is_success(), "{command}: {status} {body}");
    Some(body)
}

fn task(id: usize) -> String {
    serde_json::to_string_pretty(&json!({
        "id": id.to_string(),
        "subject": format!("Task {id}"),
        "description": "Start",
        "status": "in_progress",
        "blocks": [],
        "blockedBy": [],
    }))
    .unwrap()
}

fn server(studio: Option<PathBuf>, claude: &Path) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![
            (
                "TASKS_DIR".into(),
                claude.join("tasks").display().to_string(),
            ),
            (
                "PROJECTS_DIR".into(),
                claude.join("projects").display().to_string(),
            ),
            ("RUST_LOG".into(), "info".into()),
        ],
        studio_dir: studio,
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkill_during_concurrent_writes_loses_no_acknowledged_write_and_leaves_no_corrupt_file()
{
    let target: usize = std::env::var("FLOW_CRASH_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let claude = tempfile::tempdir().unwrap();
    let list = claude.path().join("tasks/crash");
    std::fs::create_dir_all(&list).unwrap();
    std::fs::create_dir_all(claude.path().join("projects")).unwrap();
    for id in 1..=TASKS {
        std::fs::write(list.join(format!("{id}.json")), task(id)).unwrap();
    }
    let mut first = server(None, claude.path());
    let url = first.url.clone();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let acks = Arc::new(Mutex::new(Acks::default()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();

    // Flow savers: each saves new flows and saves every other one again (revision 2).
    for writer in 0..6 {
        let (client, url, acks, count) = (client.clone(), url.clone(), acks.clone(), count.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("Crash {writer} {i}");
                let graph = json!({"name": name, "nodes": [], "edges": []});
                let Some(saved) = invoke(
                    &client,
                    &url,
                    "flow_save",
                    json!({"input": {"graph": graph}}),
                )
                .await
                else {
                    return;
                };
                let slug = saved["slug"].as_str().unwrap().to_owned();
                acks.lock()
                    .unwrap()
                    .flows
                    .push((slug.clone(), 1, name.clone()));
                count.fetch_add(1, Ordering::Relaxed);
                if i % 2 == 0 {
                    let renamed = format!("{name} again");
                    let graph = json!({"name": renamed, "nodes": [], "edges": []});
                    let input = json!({"input": {"slug": slug, "baseRevision": 1, "graph": graph}});
                    let Some(_) = invoke(&client, &url, "flow_save", input).await else {
                        return;
                    };
                    acks.lock().unwrap().flows.push((slug, 2, renamed));
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // Note writers: several on each task file at once.
    for writer in 0..6 {
        let (client, url, acks, count) = (client.clone(), url.clone(), acks.clone(), count.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let task_id = ((writer + i) % TASKS + 1).to_string();
                let note = format!("note-{writer}-{i}");
                let args = json!({"sessionId": "crash", "taskId": task_id, "note": note});
                let Some(_) = invoke(&client, &url, "board_add_note", args).await else {
                    return;
                };
                acks.lock().unwrap().notes.push((task_id, note));
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // One settings writer, its values rising, so the last acknowledged one is known.
    {
        let (client, url, acks, count) = (client.clone(), url.clone(), acks.clone(), count.clone());
        writers.push(tokio::spawn(async move {
            for i in 1..8_000u64 {
                let args = json!({"patch": {"max_agentic_seconds": 10 * i}});
                let Some(settings) = invoke(&client, &url, "settings_update", args).await else {
                    return;
                };
                assert_eq!(settings["max_agentic_seconds"], 10 * i);
                acks.lock().unwrap().settings = Some(10 * i);
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Run starters: each acknowledged start is a history write.
    for _ in 0..2 {
        let (client, url, acks, count) = (client.clone(), url.clone(), acks.clone(), count.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let args = json!({"source": {"dsl": RUN_DSL}});
                let Some(started) = invoke(&client, &url, "run_start", args).await else {
                    return;
                };
                let id = started["executionId"].as_str().unwrap().to_owned();
                acks.lock().unwrap().runs.push(id);
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    // Every kind of write is represented (a run start does the most work, so it comes slowest).
    let enough = || {
        let acks = acks.lock().unwrap();
        count.load(Ordering::Relaxed) >= target
            && acks.runs.len() >= (target / 50).max(1)
            && !acks.flows.is_empty()
            && !acks.notes.is_empty()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    while !enough() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} writes acknowledged in 300 s",
            count.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Mid-stream: every writer has a request in flight.
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &first.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = first
        .wait_exit(Duration::from_secs(10))
        .expect("the server died");
    assert!(!exit.success());
    for writer in writers {
        writer.await.unwrap();
    }
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let studio = first.studio_dir();
    eprintln!(
        "acknowledged before the kill: {} flow saves, {} notes, settings up to {:?}, {} runs",
        acks.flows.len(),
        acks.notes.len(),
        acks.settings,
        acks.runs.len()
    );

    // Nothing it left is half-written.
    assert_eq!(corrupt_json(&studio), Vec::<String>::new());
    assert_eq!(corrupt_json(claude.path()), Vec::<String>::new());

    let second = server(Some(studio), claude.path());
    let url = second.url.clone();
    let mut lost = Vec::new();
    for (slug, revision, name) in &acks.flows {
        let doc = invoke(&client, &url, "flow_get", json!({"slug": slug}))
            .await
            .unwrap();
        let current = doc["revision"].as_u64().unwrap();
        if current < *revision {
            lost.push(format!(
                "flow {slug} is at revision {current}, {revision} was acknowledged"
            ));
        }
        if current == *revision && doc["graph"]["name"] != json!(name) {
            lost.push(format!(
                "flow {slug} revision {revision} is not {name:?}: {doc}"
            ));
        }
    }
    for id in 1..=TASKS {
        let text = std::fs::read_to_string(list.join(format!("{id}.json"))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let description = doc["description"].as_str().unwrap();
        for (task_id, note) in acks.notes.iter().filter(|(t, _)| *t == id.to_string()) {
            let kept = description.contains(&format!("\n{note}\n"))
                || description.ends_with(&format!("\n{note}"));
            if !kept {
                lost.push(format!("task {task_id} lost {note}"));
            }
        }
    }
    let settings = invoke(&client, &url, "settings_get", json!({}))
        .await
        .unwrap();
    if let Some(last) = acks.settings {
        let stored = settings["max_agentic_seconds"].as_u64().unwrap();
        // The write in flight at the kill may have landed too.
        if stored != last && stored != last + 10 {
            lost.push(format!(
                "max_agentic_seconds is {stored}, {last} was acknowledged"
            ));
        }
    }
    for id in &acks.runs {
        let response = client
            .post(format!("{url}/api/invoke/run_get"))
            .bearer_auth(TOKEN)
            .json(&json!({"executionId": id}))
            .send()
            .await
            .unwrap();
        if !response.status().is_success() {
            lost.push(format!("run {id}: {}", response.text().await.unwrap()));
        }
    }
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost; the first ones: {:#?}",
        lost.len(),
        &lost[..lost.len().min(20)]
    );
}
