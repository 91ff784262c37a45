//! End-to-end: the Template Hub behind the real `flow-server`: the starters over the invoke
//! bridge, install into a collection with its `flows-changed` event, an edit that makes update
//! a 409 until forced, the edit kept in revision history, state across a restart, a starter run
//! for real, deletion, and a broken catalog override named in a 400.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::server::{ServerOptions, ServerProcess};
use flow_tests::sse;
use serde_json::{Value, json};

const TOKEN: &str = "template-hub-e2e-token-abcdefgh";

fn start(studio_dir: std::path::PathBuf) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        studio_dir: Some(studio_dir),
        ..Default::default()
    })
}

async fn entry(server: &ServerProcess, id: &str) -> Value {
    let (status, list) = server.invoke("template_hub_list", json!({})).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|l| l["entry"]["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no {id} in {list}"))
}

/// Reads bus events until a `flows-changed` one arrives.
async fn next_flows_changed(events: &mut sse::SseStream) -> Value {
    loop {
        let (_, event) = events.next_json().await;
        if event["type"] == "flows-changed" {
            return event;
        }
    }
}

#[tokio::test]
async fn starters_install_update_over_an_edit_run_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let studio = dir.path().join("studio");
    let server = start(studio.clone());
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    assert_eq!(events.next_json().await.1["type"], "connected");

    let (status, list) = server.invoke("template_hub_list", json!({})).await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap();
    assert!(list.len() >= 6, "{list:?}");
    for listing in list {
        assert_eq!(listing["status"], "not-installed", "{listing}");
        let entry = &listing["entry"];
        assert_eq!(
            entry["nodeCount"].as_u64().unwrap() as usize,
            entry["graph"]["nodes"].as_array().unwrap().len()
        );
    }

    // Install into a collection: the flow appears on the Flows routes and an event says so.
    let (status, ops) = server
        .invoke("collection_create", json!({"name": "Ops"}))
        .await;
    assert_eq!(status, 200, "{ops}");
    next_flows_changed(&mut events).await;
    let (status, done) = server
        .invoke(
            "template_hub_install",
            json!({"id": "test-report", "collection": "ops"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let slug = done["flow"]["slug"].as_str().unwrap().to_owned();
    assert_eq!(slug, "run-tests-and-report-failures");
    assert_eq!(done["flow"]["collection"], "ops");
    assert_eq!(done["listing"]["status"], "installed");
    assert_eq!(done["listing"]["installed"]["slug"], slug.as_str());
    let event = next_flows_changed(&mut events).await;
    assert_eq!(
        (&event["slug"], &event["revision"], &event["change"]),
        (&json!(slug), &json!(1), &json!("hub-installed"))
    );
    let (status, summaries) = server
        .invoke("flows_list", json!({"query": {"collection": "ops"}}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(summaries[0]["slug"], slug.as_str());
    assert_eq!(
        summaries[0]["nodeCount"],
        done["listing"]["entry"]["nodeCount"]
    );
    assert!(
        studio
            .join("templates")
            .join(format!("{slug}.flow.json"))
            .exists()
    );
    let (status, again) = server
        .invoke(
            "template_hub_install",
            json!({"id": "test-report", "collection": null}),
        )
        .await;
    assert_eq!(
        (status, &again["kind"]),
        (409, &json!("Conflict")),
        "{again}"
    );

    // The starter runs for real: `cargo test` fails in the empty workspace, its fail edge
    // writes the report.
    let response = reqwest::Client::new()
        .post(format!("{}/api/run", server.url))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(120))
        .json(&json!({"template": slug}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut run = sse::from_response(response);
    let mut kinds = Vec::new();
    while let Some(frame) = run.next_or_end().await {
        let event: Value = serde_json::from_str(&frame.data).unwrap();
        kinds.push(format!(
            "{}:{}",
            event["kind"].as_str().unwrap(),
            event["node_id"].as_str().unwrap_or("")
        ));
    }
    for want in [
        "node_failed:tests",
        "node_succeeded:report",
        "node_succeeded:notify",
        "node_skipped:passed",
        "done:",
    ] {
        assert!(
            kinds.iter().any(|k| k == want),
            "{want} missing from {kinds:?}"
        );
    }
    let report = std::fs::read_to_string(
        studio
            .join("workspaces")
            .join(&slug)
            .join("test-failures.md"),
    )
    .unwrap();
    assert!(
        report.starts_with("# Test failures\n\nExit code: "),
        "{report}"
    );

    // The user edits the flow: the hub says so and a plain update is refused.
    let mut graph = done["flow"]["graph"].clone();
    graph["nodes"][0]["data"]["args"] = json!("test --workspace");
    let (status, saved) = server
        .invoke(
            "flow_save",
            json!({"input": {"slug": slug, "baseRevision": 1, "graph": graph}}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(entry(&server, "test-report").await["status"], "edited");
    let (status, refused) = server
        .invoke(
            "template_hub_update",
            json!({"id": "test-report", "force": null}),
        )
        .await;
    assert_eq!(
        (status, &refused["kind"]),
        (409, &json!("Conflict")),
        "{refused}"
    );
    assert!(
        refused["error"].as_str().unwrap().contains("edited"),
        "{refused}"
    );

    // Forced: a new revision from the hub; the edit is revision 2 in history.
    let (status, forced) = server
        .invoke(
            "template_hub_update",
            json!({"id": "test-report", "force": true}),
        )
        .await;
    assert_eq!(status, 200, "{forced}");
    assert_eq!(forced["flow"]["revision"], 3);
    assert_eq!(
        forced["flow"]["graph"]["nodes"][0]["data"]["args"],
        "test --color never"
    );
    assert_eq!(forced["listing"]["status"], "installed");
    let (status, kept) = server
        .invoke("flow_revision_get", json!({"slug": slug, "revision": 2}))
        .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(
        kept["graph"]["nodes"][0]["data"]["args"],
        "test --workspace"
    );

    // The install record persists across a restart.
    drop(events);
    drop(server);
    let server = start(studio.clone());
    let listing = entry(&server, "test-report").await;
    assert_eq!(listing["status"], "installed", "{listing}");
    assert_eq!(listing["installed"]["installedRevision"], 3);

    // Deleting the flow makes the starter installable again.
    let (status, _) = server.invoke("flow_delete", json!({"slug": slug})).await;
    assert_eq!(status, 200);
    assert_eq!(
        entry(&server, "test-report").await["status"],
        "not-installed"
    );

    // A broken override is an error naming the file, not a silent fall-back.
    let custom = studio.join("template_catalog.json");
    std::fs::write(&custom, "{\"apiVersion\": \"1\"").unwrap();
    let (status, broken) = server.invoke("template_hub_list", json!({})).await;
    assert_eq!(
        (status, &broken["kind"]),
        (400, &json!("InvalidInput")),
        "{broken}"
    );
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains(&custom.display().to_string()),
        "{broken}"
    );
}
