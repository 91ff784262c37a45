#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]
//! Saved flows end to end: real files and a real SQLite database in temp dirs, through the
//! commands.

use std::path::{Path, PathBuf};
use std::time::Duration;

use flow_core::commands::*;
use flow_core::flows::{
    DiffOp, FlowEdge, FlowFileFormat, FlowGraph, FlowListQuery, FlowNode, SaveFlowInput,
};
use flow_core::{App, AppConfig, AppError, BusItem, Edition, FlowEvent};

struct Env {
    _dir: tempfile::TempDir,
    data: PathBuf,
    home: PathBuf,
    app: App,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let app = open(&data, &home);
        Self {
            _dir: dir,
            data,
            home,
            app,
        }
    }

    fn reopen(&mut self) {
        self.app = open(&self.data, &self.home);
    }

    fn templates(&self) -> PathBuf {
        self.app.flows().templates_dir().to_path_buf()
    }

    fn json_path(&self, slug: &str) -> PathBuf {
        self.templates().join(format!("{slug}.flow.json"))
    }
}

fn open(data: &Path, home: &Path) -> App {
    App::open(AppConfig::new(data, Edition::Server, home)).unwrap()
}

fn graph(name: &str, nodes: usize) -> FlowGraph {
    let mut g = FlowGraph::new(name);
    for i in 0..nodes {
        g.nodes.push(FlowNode {
            id: format!("n{i}"),
            node_type: "utility".into(),
            label: format!("Node {i}"),
            data: serde_json::Map::new(),
            position: Default::default(),
        });
        if i > 0 {
            g.edges.push(FlowEdge {
                source: format!("n{}", i - 1),
                target: format!("n{i}"),
                outcome: Default::default(),
                label: None,
                condition: None,
            });
        }
    }
    g
}

fn create(g: FlowGraph, collection: Option<&str>) -> SaveFlowInput {
    SaveFlowInput {
        slug: None,
        base_revision: None,
        collection: collection.map(str::to_owned),
        graph: g,
    }
}

fn update(slug: &str, base: u32, g: FlowGraph) -> SaveFlowInput {
    SaveFlowInput {
        slug: Some(slug.to_owned()),
        base_revision: Some(base),
        collection: None,
        graph: g,
    }
}

fn slugs(list: &[flow_core::flows::FlowSummary]) -> Vec<&str> {
    list.iter().map(|s| s.slug.as_str()).collect()
}

fn query(collection: Option<&str>, search: Option<&str>) -> Option<FlowListQuery> {
    Some(FlowListQuery {
        collection: collection.map(str::to_owned),
        search: search.map(str::to_owned),
    })
}

#[tokio::test]
async fn create_get_list_search_and_collection_filter() {
    let env = Env::new();
    let app = &env.app;
    let team = collection_create(app, "Team".into()).await.unwrap();
    let mut described = graph("beta Build", 3);
    described.description = Some("Compiles the SERVICE".into());
    let beta = flow_save(app, create(described, Some(&team.slug)))
        .await
        .unwrap();
    let alpha = flow_save(app, create(graph("Alpha", 2), None))
        .await
        .unwrap();
    let alpha2 = flow_save(app, create(graph("alpha", 1), None))
        .await
        .unwrap();
    assert_eq!(
        (alpha.slug.as_str(), alpha2.slug.as_str()),
        ("alpha", "alpha-2")
    );
    assert_eq!(beta.collection, "team");
    assert_eq!(alpha.collection, "default");
    // Files: canonical pretty JSON plus the DSL projection.
    let text = std::fs::read_to_string(env.json_path("beta-build")).unwrap();
    assert!(text.contains("\n  \"name\": \"beta Build\""));
    assert!(env.templates().join("beta-build.flow").exists());

    let got = flow_get(app, "beta-build".into()).await.unwrap();
    assert_eq!(got, beta);
    assert_eq!(got.graph.nodes.len(), 3);

    let all = flows_list(app, None).await.unwrap();
    assert_eq!(slugs(&all), ["alpha", "alpha-2", "beta-build"]);
    assert_eq!((all[2].node_count, all[2].edge_count), (3, 2));
    let found = flows_list(app, query(None, Some("service"))).await.unwrap();
    assert_eq!(slugs(&found), ["beta-build"]);
    let found = flows_list(app, query(None, Some("ALPHA-2"))).await.unwrap();
    assert_eq!(slugs(&found), ["alpha-2"]);
    let in_team = flows_list(app, query(Some("team"), None)).await.unwrap();
    assert_eq!(slugs(&in_team), ["beta-build"]);
    let in_default = flows_list(app, query(Some("default"), None)).await.unwrap();
    assert_eq!(slugs(&in_default), ["alpha", "alpha-2"]);
    assert!(matches!(
        flows_list(app, query(Some("nope"), None)).await,
        Err(AppError::NotFound(_))
    ));

    let cols = collections_list(app).await.unwrap();
    let counts: Vec<_> = cols
        .iter()
        .map(|c| (c.slug.as_str(), c.flow_count, c.is_system))
        .collect();
    assert_eq!(counts, [("default", 2, true), ("team", 1, false)]);

    assert!(matches!(
        flow_get(app, "../../etc/passwd".into()).await,
        Err(AppError::InvalidInput(_))
    ));
    assert!(matches!(
        flow_get(app, "missing".into()).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        flow_save(app, create(graph("X", 1), Some("nope"))).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn stale_save_is_a_conflict_and_leaves_the_file_alone() {
    let env = Env::new();
    let app = &env.app;
    let doc = flow_save(app, create(graph("Flow", 2), None))
        .await
        .unwrap();
    let v2 = flow_save(app, update("flow", 1, graph("Flow v2", 3)))
        .await
        .unwrap();
    assert_eq!(v2.revision, 2);
    let before = std::fs::read(env.json_path("flow")).unwrap();
    let err = flow_save(app, update("flow", doc.revision, graph("Mine", 9)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("revision 2") && m.contains("revision 1")),
        "{err:?}"
    );
    assert_eq!(std::fs::read(env.json_path("flow")).unwrap(), before);
    let missing_base = SaveFlowInput {
        base_revision: None,
        ..update("flow", 2, graph("Mine", 1))
    };
    assert!(matches!(
        flow_save(app, missing_base).await,
        Err(AppError::InvalidInput(m)) if m.contains("baseRevision is required")
    ));
    assert!(matches!(
        flow_save(app, update("nothing-here", 1, graph("N", 1))).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_saves_exactly_one_wins() {
    let env = Env::new();
    let app = env.app.clone();
    flow_save(&app, create(graph("Race", 1), None))
        .await
        .unwrap();
    for round in 0..5u32 {
        let base = flow_get(&app, "race".into()).await.unwrap().revision;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                let app = app.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    flow_save(
                        &app,
                        update("race", base, graph(&format!("R{round}-{i}"), 2)),
                    )
                    .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(AppError::Conflict(_))))
            .count();
        assert_eq!((wins, conflicts), (1, 1), "{results:?}");
        let winner = results.into_iter().find_map(Result::ok).unwrap();
        let now = flow_get(&app, "race".into()).await.unwrap();
        assert_eq!((now.revision, now.graph), (base + 1, winner.graph));
    }
}

#[tokio::test]
async fn rename_duplicate_move_delete() {
    let env = Env::new();
    let app = &env.app;
    let ops = collection_create(app, "Ops".into()).await.unwrap();
    let doc = flow_save(app, create(graph("Deploy", 4), Some(&ops.slug)))
        .await
        .unwrap();

    let renamed = flow_rename(app, "deploy".into(), "Deploy prod".into(), 1)
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.slug.as_str(),
            renamed.revision,
            renamed.graph.name.as_str()
        ),
        ("deploy", 2, "Deploy prod")
    );
    assert_eq!(renamed.graph.nodes, doc.graph.nodes);
    assert!(matches!(
        flow_rename(app, "deploy".into(), "X".into(), 1).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        flow_rename(app, "deploy".into(), "   ".into(), 2).await,
        Err(AppError::InvalidInput(_))
    ));

    let copy = flow_duplicate(app, "deploy".into(), None).await.unwrap();
    assert_eq!(
        (
            copy.slug.as_str(),
            copy.graph.name.as_str(),
            copy.revision,
            copy.collection.as_str()
        ),
        ("deploy-prod-copy", "Deploy prod copy", 1, "ops")
    );
    let named = flow_duplicate(app, "deploy".into(), Some("Other".into()))
        .await
        .unwrap();
    assert_eq!(named.slug, "other");

    let moved = flow_move(app, "deploy".into(), "default".into())
        .await
        .unwrap();
    assert_eq!((moved.collection.as_str(), moved.revision), ("default", 2));
    assert_eq!(
        flow_get(app, "deploy".into()).await.unwrap().collection,
        "default"
    );
    assert!(matches!(
        flow_move(app, "deploy".into(), "nowhere".into()).await,
        Err(AppError::NotFound(_))
    ));
    flow_move(app, "deploy".into(), "ops".into()).await.unwrap();

    // Collections: rename, protected Default, delete moves flows back to Default.
    let renamed_col = collection_rename(app, "ops".into(), "Operations".into())
        .await
        .unwrap();
    assert_eq!(
        (
            renamed_col.slug.as_str(),
            renamed_col.name.as_str(),
            renamed_col.flow_count
        ),
        ("ops", "Operations", 3)
    );
    assert!(matches!(
        collection_rename(app, "default".into(), "Mine".into()).await,
        Err(AppError::InvalidInput(_))
    ));
    assert!(matches!(
        collection_delete(app, "default".into()).await,
        Err(AppError::InvalidInput(_))
    ));
    assert!(matches!(
        collection_create(app, " ".into()).await,
        Err(AppError::InvalidInput(_))
    ));
    let gone = collection_delete(app, "ops".into()).await.unwrap();
    assert_eq!(gone.moved_flows, 3);
    let listed = collections_list(app).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].flow_count, 3);

    // Delete: files first, then rows; a second delete is NotFound.
    flow_delete(app, "deploy".into()).await.unwrap();
    assert!(!env.json_path("deploy").exists());
    assert!(!env.templates().join("deploy.flow").exists());
    assert!(matches!(
        flow_delete(app, "deploy".into()).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        flow_revisions(app, "deploy".into()).await,
        Err(AppError::NotFound(_))
    ));
    // A new flow reusing the slug starts from scratch.
    let again = flow_save(app, create(graph("Deploy", 1), None))
        .await
        .unwrap();
    assert_eq!((again.slug.as_str(), again.revision), ("deploy", 1));
    assert_eq!(flow_revisions(app, "deploy".into()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn keeps_twenty_revisions_diffs_and_restores() {
    let env = Env::new();
    let app = &env.app;
    let mut doc = flow_save(app, create(graph("Hist", 1), None))
        .await
        .unwrap();
    for i in 2..=25 {
        doc = flow_save(
            app,
            update("hist", doc.revision, graph(&format!("Hist {i}"), i)),
        )
        .await
        .unwrap();
    }
    assert_eq!(doc.revision, 25);
    let revs = flow_revisions(app, "hist".into()).await.unwrap();
    assert_eq!(revs.len(), 20);
    assert_eq!((revs[0].revision, revs[19].revision), (25, 6));
    assert_eq!((revs[0].name.as_str(), revs[0].node_count), ("Hist 25", 25));
    assert!(matches!(
        flow_revision_get(app, "hist".into(), 5).await,
        Err(AppError::NotFound(_))
    ));
    let r10 = flow_revision_get(app, "hist".into(), 10).await.unwrap();
    assert_eq!((r10.revision, r10.graph.name.as_str()), (10, "Hist 10"));

    let diff = flow_revision_diff(app, "hist".into(), 10, 25)
        .await
        .unwrap();
    assert_eq!((diff.from, diff.to), (10, 25));
    assert!(diff.lines.iter().any(|l| l.op == DiffOp::Insert));
    assert!(diff.lines.iter().any(|l| l.op == DiffOp::Delete));
    assert_eq!(
        diff.to_dsl,
        flow_core::flows::dsl::serialize(&flow_get(app, "hist".into()).await.unwrap().graph)
    );

    assert!(matches!(
        flow_revision_restore(app, "hist".into(), 10, 24).await,
        Err(AppError::Conflict(_))
    ));
    let restored = flow_revision_restore(app, "hist".into(), 10, 25)
        .await
        .unwrap();
    assert_eq!(restored.revision, 26);
    assert_eq!(restored.graph, r10.graph);
    let revs = flow_revisions(app, "hist".into()).await.unwrap();
    assert_eq!((revs.len(), revs[19].revision), (20, 7));
}

#[tokio::test]
async fn import_export_json() {
    let env = Env::new();
    let app = &env.app;
    let team = collection_create(app, "Team".into()).await.unwrap();
    let doc = flow_save(app, create(graph("Ship It", 5), None))
        .await
        .unwrap();
    let exported = flow_export(app, "ship-it".into(), FlowFileFormat::Json)
        .await
        .unwrap();
    assert_eq!(exported.file_name, "ship-it.flow.json");
    assert_eq!(exported.mime_type, "application/json");
    let imported = flow_import(
        app,
        exported.file_name.clone(),
        exported.content.clone(),
        Some(team.slug.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            imported.slug.as_str(),
            imported.revision,
            imported.collection.as_str()
        ),
        ("ship-it-2", 1, "team")
    );
    assert_eq!(imported.graph.nodes, doc.graph.nodes);
    // Sniffed by content when the name says nothing.
    let sniffed = flow_import(app, "upload".into(), exported.content, None)
        .await
        .unwrap();
    assert_eq!(sniffed.slug, "ship-it-3");
    let dsl = flow_export(app, "ship-it".into(), FlowFileFormat::Dsl)
        .await
        .unwrap();
    assert_eq!(
        (dsl.file_name.as_str(), dsl.mime_type.as_str()),
        ("ship-it.flow", "text/plain; charset=utf-8")
    );
    assert_eq!(dsl.content, flow_core::flows::dsl::serialize(&doc.graph));
}

/// Needs the real DSL parser (`flows::dsl::parse`), written separately.
#[tokio::test]
async fn import_dsl_round_trips() {
    let env = Env::new();
    let app = &env.app;
    let doc = flow_save(app, create(graph("Dsl Flow", 3), None))
        .await
        .unwrap();
    let dsl = flow_export(app, "dsl-flow".into(), FlowFileFormat::Dsl)
        .await
        .unwrap();
    let imported = flow_import(app, dsl.file_name, dsl.content, None)
        .await
        .unwrap();
    assert_eq!(imported.slug, "dsl-flow-2");
    assert_eq!(imported.graph.name, doc.graph.name);
    assert_eq!(imported.graph.nodes.len(), 3);
    assert_eq!(imported.graph.edges, doc.graph.edges);
}

#[tokio::test]
async fn bad_imports_are_clear_and_create_nothing() {
    let env = Env::new();
    let app = &env.app;
    let err = flow_import(app, "x.flow.json".into(), "{\n  \"nodes\": [}".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidInput(m) if m.contains("x.flow.json") && m.contains("line 2")),
        "{err:?}"
    );
    let err = flow_import(app, "x.flow".into(), "}}} not a flow".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidInput(m) if m.starts_with("x.flow:1:")),
        "{err:?}"
    );
    let err = flow_import(app, "x.json".into(), r#"{"name": "  "}"#.into(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::InvalidInput(_)), "{err:?}");
    let huge = format!(
        "{{\"name\":\"big\",\"description\":\"{}\"}}",
        "x".repeat(6 << 20)
    );
    assert!(matches!(
        flow_import(app, "big.flow.json".into(), huge, None).await,
        Err(AppError::PayloadTooLarge(_))
    ));
    assert!(matches!(
        flow_import(
            app,
            "ok.flow.json".into(),
            r#"{"name":"ok"}"#.into(),
            Some("nope".into())
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert!(flows_list(app, None).await.unwrap().is_empty());
    assert_eq!(std::fs::read_dir(env.templates()).unwrap().count(), 0);
}

#[tokio::test]
async fn hand_placed_and_corrupt_files() {
    let env = Env::new();
    let app = &env.app;
    std::fs::write(
        env.json_path("by-hand"),
        r#"{"id": "whatever", "name": "By Hand", "nodes": [{"id": "a", "type": "ai"}]}"#,
    )
    .unwrap();
    std::fs::write(env.json_path("broken"), "{ not json").unwrap();
    std::fs::write(env.json_path("not-a-graph"), r#"{"nodes": 3}"#).unwrap();
    std::fs::write(env.templates().join("Upper.flow.json"), "{}").unwrap();
    std::fs::write(env.templates().join(".tmp-abc"), "{}").unwrap();

    let list = flows_list(app, None).await.unwrap();
    assert_eq!(slugs(&list), ["by-hand"]);
    assert_eq!((list[0].revision, list[0].node_count), (1, 1));
    let doc = flow_get(app, "by-hand".into()).await.unwrap();
    assert_eq!((doc.revision, doc.graph.id.as_str()), (1, "by-hand"));
    let err = flow_get(app, "broken".into()).await.unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidInput(m) if m.contains("broken.flow.json") && m.contains("line 1")),
        "{err:?}"
    );
    assert!(matches!(
        flow_get(app, "not-a-graph".into()).await,
        Err(AppError::InvalidInput(_))
    ));
    // A hand-placed flow can be saved like any other, from its first-seen revision.
    let saved = flow_save(app, update("by-hand", 1, graph("By Hand", 2)))
        .await
        .unwrap();
    assert_eq!(saved.revision, 2);
    // And a corrupt one can still be deleted.
    flow_delete(app, "broken".into()).await.unwrap();
}

#[tokio::test]
async fn external_edits_become_revisions_and_block_stale_saves() {
    let mut env = Env::new();
    let doc = flow_save(&env.app, create(graph("Ext", 2), None))
        .await
        .unwrap();
    let mut edited = doc.graph.clone();
    edited.description = Some("edited in vim, and a bit longer".into());
    std::fs::write(
        env.json_path("ext"),
        serde_json::to_string(&edited).unwrap(),
    )
    .unwrap();
    // Seen by the list (fingerprint changed) ...
    let list = flows_list(&env.app, None).await.unwrap();
    assert_eq!(list[0].revision, 2);
    assert_eq!(list[0].description, edited.description);
    // ... and a save from the pre-edit revision cannot drop the edit.
    assert!(matches!(
        flow_save(&env.app, update("ext", 1, graph("Ext", 5))).await,
        Err(AppError::Conflict(_))
    ));
    let got = flow_get(&env.app, "ext".into()).await.unwrap();
    assert_eq!(
        (got.revision, got.graph.description),
        (2, edited.description.clone())
    );

    // An edit while Flow is closed is picked up after reopening, by get as well.
    edited.name = "Ext renamed outside".into();
    std::fs::write(
        env.json_path("ext"),
        serde_json::to_string_pretty(&edited).unwrap(),
    )
    .unwrap();
    env.reopen();
    let got = flow_get(&env.app, "ext".into()).await.unwrap();
    assert_eq!(
        (got.revision, got.graph.name.as_str()),
        (3, "Ext renamed outside")
    );
    let revs = flow_revisions(&env.app, "ext".into()).await.unwrap();
    assert_eq!(
        revs.iter().map(|r| r.revision).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    let saved = flow_save(&env.app, update("ext", 3, graph("Ext", 1)))
        .await
        .unwrap();
    assert_eq!(saved.revision, 4);
    // A file deleted outside Flow disappears from the list.
    std::fs::remove_file(env.json_path("ext")).unwrap();
    assert!(flows_list(&env.app, None).await.unwrap().is_empty());
}

async fn next_flow_event(
    sub: &mut flow_core::Subscription,
) -> (Option<String>, Option<u32>, String) {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap()
            .unwrap();
        if let BusItem::Event(envelope) = item
            && let FlowEvent::FlowsChanged {
                slug,
                revision,
                change,
            } = &envelope.event
        {
            return (slug.clone(), *revision, change.clone());
        }
    }
}

#[tokio::test]
async fn events_are_published() {
    let env = Env::new();
    let app = &env.app;
    let mut sub = app.bus().subscribe(None);
    let doc = flow_save(app, create(graph("Ev", 1), None)).await.unwrap();
    flow_rename(app, doc.slug.clone(), "Ev2".into(), 1)
        .await
        .unwrap();
    flow_revision_restore(app, doc.slug.clone(), 1, 2)
        .await
        .unwrap();
    let col = collection_create(app, "C".into()).await.unwrap();
    flow_move(app, doc.slug.clone(), col.slug.clone())
        .await
        .unwrap();
    flow_import(app, "i.json".into(), r#"{"name":"I"}"#.into(), None)
        .await
        .unwrap();
    flow_delete(app, doc.slug.clone()).await.unwrap();
    let ev = |s: &str, r: Option<u32>, c: &str| (Some(s.to_owned()), r, c.to_owned());
    let expected = [
        ev("ev", Some(1), "saved"),
        ev("ev", Some(2), "renamed"),
        ev("ev", Some(3), "restored"),
        (None, None, "collections".to_owned()),
        ev("ev", None, "moved"),
        ev("i", Some(1), "imported"),
        ev("ev", None, "deleted"),
    ];
    for want in expected {
        assert_eq!(next_flow_event(&mut sub).await, want);
    }
}

// ---- Crash safety: a real child process saving in a loop, killed with SIGKILL. ----

const CHILD_ENV: &str = "FLOW_STORE_CRASH_CHILD_DIR";
const CHILD_TEST: &str = "crash_writer_child";

/// The graph the writer saves at step `i`: its content is a function of `i`, so the parent can
/// tell whether what it finds on disk is exactly something the writer wrote.
fn crash_graph(i: u64) -> FlowGraph {
    let mut g = graph("Crash", 5 + (i % 10) as usize);
    g.description = Some(format!("step {i}"));
    g
}

fn step_of(g: &FlowGraph) -> u64 {
    g.description
        .as_deref()
        .and_then(|d| d.strip_prefix("step "))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

/// Not a test by itself: the writer half of `crash_safety_under_sigkill`, doing nothing unless
/// the parent sets the environment variable.
#[test]
fn crash_writer_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = open(&dir.join("data"), &dir.join("home"));
        let mut doc = flow_get(&app, "crash".into()).await.unwrap();
        let mut i = step_of(&doc.graph);
        loop {
            i += 1;
            doc = flow_save(&app, update("crash", doc.revision, crash_graph(i)))
                .await
                .unwrap();
        }
    });
}

#[test]
fn crash_safety_under_sigkill() {
    let env = Env::new();
    let root = env.data.parent().unwrap().to_path_buf();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(flow_save(&env.app, create(crash_graph(0), None)))
        .unwrap();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut last_step = 0;
    let mut progressed = false;
    for round in 0..6 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_millis(150 + seed % 400);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", CHILD_TEST, "--nocapture"])
            .env(CHILD_ENV, &root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(wait);
        // `Child::kill` is SIGKILL on Unix: no destructors, no chance to finish a write.
        child.kill().unwrap();
        child.wait().unwrap();

        let text = std::fs::read_to_string(env.json_path("crash")).unwrap();
        let on_disk: FlowGraph = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("round {round}: torn JSON file: {e}\n{text}"));
        let step = step_of(&on_disk);
        let mut expected = crash_graph(step);
        expected.id = "crash".into();
        assert_eq!(on_disk, expected, "round {round}: content nobody wrote");
        assert!(step >= last_step, "round {round}: went back in time");
        progressed |= step > last_step;
        last_step = step;

        // The store opens, lists only the flow, and serves the on-disk content.
        let app = open(&env.data, &env.home);
        let (list, doc) = rt.block_on(async {
            (
                flows_list(&app, None).await.unwrap(),
                flow_get(&app, "crash".into()).await.unwrap(),
            )
        });
        assert_eq!(slugs(&list), ["crash"], "round {round}");
        assert_eq!(doc.graph, expected, "round {round}");
        assert_eq!(list[0].revision, doc.revision);
        let visible: Vec<_> = std::fs::read_dir(env.templates())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.starts_with(".tmp-"))
            .collect();
        assert!(
            visible
                .iter()
                .all(|n| n == "crash.flow.json" || n == "crash.flow"),
            "round {round}: {visible:?}"
        );
    }
    assert!(progressed, "the writer never got to save");
}
