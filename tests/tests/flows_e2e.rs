//! End-to-end: saved flows, the DSL, validation and the node catalog behind the real
//! `flow-server`: the invoke bridge and Flow Studio's `GET /api/templates` / `GET /api/nodes`,
//! status codes for bad input and stale revisions, the `flows-changed` event, files on disk,
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

const TOKEN: &str = "flows-e2e-token-abcdefghij";

fn start(studio_dir: Option<std::path::PathBuf>) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        studio_dir,
        ..Default::default()
    })
}

async fn get(server: &ServerProcess, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

const PIPELINE: &str = r#"flow "Release pipeline" v1.2.0
description "Build, test, then tell someone"

build[action: "Build"] {
  adapter: "shell"
  actionId: "run-command"
  command: "cargo build"
}
test[action: "Test"] {
  adapter: "shell"
  actionId: "run-command"
  command: "cargo test"
}
notify[utility: "Notify"] {
  actionId: "log"
  message: "tests failed: {{test.stderr}}"
}

build.pass --> test
test.fail --> notify label "on failure"
"#;

#[tokio::test]
async fn flows_round_trip_through_the_bridge_and_rest_routes() {
    let server = start(None);
    let mut events = sse::connect(&server.url, TOKEN, None, false).await;
    assert_eq!(events.next_json().await.1["type"], "connected");

    // DSL text -> graph -> saved flow.
    let (status, graph) = server
        .invoke("dsl_parse", json!({"source": PIPELINE}))
        .await;
    assert_eq!(status, 200, "{graph}");
    assert_eq!(graph["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(graph["edges"][1]["outcome"], "fail");
    assert_eq!(graph["edges"][1]["label"], "on failure");

    let (status, report) = server
        .invoke("flow_validate", json!({"graph": graph}))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ok"], true, "{report}");

    let (status, saved) = server
        .invoke("flow_save", json!({"input": {"graph": graph}}))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["slug"], "release-pipeline");
    assert_eq!(saved["revision"], 1);
    assert_eq!(saved["collection"], "default");
    let (_, event) = events.next_json().await;
    assert_eq!(event["type"], "flows-changed");
    assert_eq!(event["slug"], "release-pipeline");

    // The files are where Flow Studio keeps them, the DSL sibling included.
    let templates = server.studio_dir().join("templates");
    let on_disk: Value = serde_json::from_str(
        &std::fs::read_to_string(templates.join("release-pipeline.flow.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(on_disk["name"], "Release pipeline");
    let dsl = std::fs::read_to_string(templates.join("release-pipeline.flow")).unwrap();
    assert!(
        dsl.starts_with("flow \"Release pipeline\" v1.2.0\n"),
        "{dsl}"
    );

    // Flow Studio's REST routes call the same commands.
    let (status, list) = get(&server, "/api/templates").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list[0]["slug"], "release-pipeline");
    assert_eq!(list[0]["nodeCount"], 3);
    let (_, filtered) = get(&server, "/api/templates?search=nothing-like-this").await;
    assert_eq!(filtered, json!([]));
    let (status, doc) = get(&server, "/api/templates/release-pipeline").await;
    assert_eq!(status, 200);
    assert_eq!(
        doc["graph"]["description"],
        "Build, test, then tell someone"
    );
    let (status, missing) = get(&server, "/api/templates/no-such-flow").await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["kind"], "NotFound");

    // A save against a stale revision is a conflict and changes nothing.
    let mut edited = doc["graph"].clone();
    edited["nodes"][0]["label"] = json!("Build (release)");
    let (status, second) = server
        .invoke(
            "flow_save",
            json!({"input": {"slug": "release-pipeline", "baseRevision": 1, "graph": edited}}),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["revision"], 2);
    let mut stale = doc["graph"].clone();
    stale["nodes"][0]["label"] = json!("Lost update");
    let (status, conflict) = server
        .invoke(
            "flow_save",
            json!({"input": {"slug": "release-pipeline", "baseRevision": 1, "graph": stale}}),
        )
        .await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(conflict["kind"], "Conflict");
    let (_, current) = server
        .invoke("flow_get", json!({"slug": "release-pipeline"}))
        .await;
    assert_eq!(current["graph"]["nodes"][0]["label"], "Build (release)");

    // History: both revisions, a DSL diff between them, restore makes revision 3.
    let (_, revisions) = server
        .invoke("flow_revisions", json!({"slug": "release-pipeline"}))
        .await;
    let numbers: Vec<u64> = revisions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    let (_, diff) = server
        .invoke(
            "flow_revision_diff",
            json!({"slug": "release-pipeline", "from": 1, "to": 2}),
        )
        .await;
    let changed: Vec<(&str, &str)> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["op"] != "equal")
        .map(|l| (l["op"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changed,
        [
            ("delete", "build[action: \"Build\"] {"),
            ("insert", "build[action: \"Build (release)\"] {")
        ]
    );
    let (status, restored) = server
        .invoke(
            "flow_revision_restore",
            json!({"slug": "release-pipeline", "revision": 1, "baseRevision": 2}),
        )
        .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["revision"], 3);
    assert_eq!(restored["graph"]["nodes"][0]["label"], "Build");

    // Export as DSL, import it back as a new flow.
    let (_, exported) = server
        .invoke(
            "flow_export",
            json!({"slug": "release-pipeline", "format": "dsl"}),
        )
        .await;
    assert_eq!(exported["fileName"], "release-pipeline.flow");
    let (status, imported) = server
        .invoke(
            "flow_import",
            json!({"fileName": "copy.flow", "content": exported["content"], "collection": null}),
        )
        .await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(imported["slug"], "release-pipeline-2");
    assert_eq!(imported["graph"]["edges"], restored["graph"]["edges"]);
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_loses_nothing() {
    let server = start(None);
    let (status, error) = server
        .invoke(
            "dsl_parse",
            json!({"source": "flow \"X\"\na[action \"missing colon\"]\n"}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["kind"], "InvalidInput");
    assert!(
        error["error"].as_str().unwrap().starts_with("2:10: "),
        "{error}"
    );

    let (status, error) = server
        .invoke(
            "flow_import",
            json!({"fileName": "broken.flow.json", "content": "{\"name\": ", "collection": null}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    let (_, list) = server.invoke("flows_list", json!({"query": null})).await;
    assert_eq!(list, json!([]), "a failed import creates nothing");

    for slug in ["../settings", "A", ""] {
        let (status, error) = server.invoke("flow_get", json!({"slug": slug})).await;
        assert_eq!(status, 400, "{slug}: {error}");
    }
    let (status, error) = server
        .invoke("flow_save", json!({"input": {"graph": {"name": "   "}}}))
        .await;
    assert_eq!(status, 400, "{error}");

    // Validation names the node and field, and catches structural mistakes.
    let (_, report) = server
        .invoke(
            "flow_validate",
            json!({"graph": {"name": "Broken", "nodes": [
                {"id": "run", "type": "action", "label": "Run",
                 "data": {"adapter": "shell", "actionId": "run-command"}},
                {"id": "run", "type": "utility", "label": "Dup", "data": {"actionId": "log", "message": "x"}},
            ], "edges": [{"source": "run", "target": "ghost"}]}}),
        )
        .await;
    assert_eq!(report["ok"], false);
    let codes: Vec<&str> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for code in ["duplicate-id", "dangling-edge", "required"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let required = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "required")
        .unwrap();
    assert_eq!(required["nodeId"], "run");
    assert_eq!(required["field"], "command");
}

#[tokio::test]
async fn node_catalog_install_and_uninstall_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let studio = dir.path().join("studio");
    let server = start(Some(studio.clone()));

    let (status, catalog) = get(&server, "/api/nodes").await;
    assert_eq!(status, 200, "{catalog}");
    let slugs: Vec<&str> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["entry"]["slug"].as_str().unwrap())
        .collect();
    for slug in [
        "shell-run-command",
        "fs-read-file",
        "cli-gh",
        "utility-log",
        "ai-local",
    ] {
        assert!(slugs.contains(&slug), "{slug} missing from {slugs:?}");
    }
    let (_, installed) = get(&server, "/api/nodes?installed=true").await;
    let installed_count = installed.as_array().unwrap().len();
    assert!(
        installed_count > 0,
        "a new data dir starts with the built-in entries installed"
    );
    assert!(studio.join("nodes").join("utility-log.json").is_file());

    let (status, removed) = server
        .invoke("node_uninstall", json!({"slug": "utility-log"}))
        .await;
    assert_eq!(status, 200, "{removed}");
    assert!(!studio.join("nodes").join("utility-log.json").exists());

    // A flow using the uninstalled type keeps its node and is told why it cannot run.
    let (_, report) = server
        .invoke(
            "flow_validate",
            json!({"graph": {"name": "Uses log", "nodes": [
                {"id": "say", "type": "utility", "label": "Say", "data": {"actionId": "log", "message": "hi"}}
            ]}}),
        )
        .await;
    assert_eq!(report["issues"][0]["code"], "unsupported-node", "{report}");

    drop(server);
    let server = start(Some(studio.clone()));
    let (_, installed) = get(&server, "/api/nodes?installed=true").await;
    assert_eq!(
        installed.as_array().unwrap().len(),
        installed_count - 1,
        "an uninstall sticks across restarts"
    );
    let (status, listing) = server
        .invoke("node_install", json!({"slug": "utility-log"}))
        .await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(listing["installed"], true);
    let (status, missing) = server
        .invoke("node_install", json!({"slug": "no-such-entry"}))
        .await;
    assert_eq!(status, 404, "{missing}");
}
