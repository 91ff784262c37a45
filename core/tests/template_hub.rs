#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]
//! The Template Hub end to end in the core: the embedded starters (parse, counts, DSL round
//! trip, validation), install into a collection, status from content hashes, refused and forced
//! updates, the catalog override and a broken one, on real files and a real SQLite database.

use std::path::PathBuf;
use std::time::Duration;

use flow_core::commands::*;
use flow_core::flows::hub::{TemplateHubListing, TemplateStatus};
use flow_core::flows::{FlowGraph, FlowNode, SaveFlowInput, Severity};
use flow_core::{App, AppConfig, AppError, BusItem, Edition, FlowEvent};

struct Env {
    _dir: tempfile::TempDir,
    data: PathBuf,
    app: App,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let app = App::open(AppConfig::new(&data, Edition::Server, &home)).unwrap();
        let data = app.config().data_dir.clone();
        Self {
            _dir: dir,
            data,
            app,
        }
    }

    fn override_path(&self) -> PathBuf {
        self.data.join("template_catalog.json")
    }

    fn json_path(&self, slug: &str) -> PathBuf {
        self.app
            .flows()
            .templates_dir()
            .join(format!("{slug}.flow.json"))
    }
}

async fn listing(app: &App, id: &str) -> TemplateHubListing {
    template_hub_list(app)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.entry.id == id)
        .unwrap_or_else(|| panic!("no hub entry {id}"))
}

/// The graph as `dsl_parse(dsl_serialize(g))` gives it back: positions zeroed, id from the name.
fn as_parsed(mut g: FlowGraph) -> FlowGraph {
    g.id = flow_core::flows::slug::slugify(&g.name);
    for n in &mut g.nodes {
        n.position = Default::default();
    }
    g
}

const STARTERS: [&str; 6] = [
    "summarise-folder-changes",
    "api-to-file",
    "github-issues-report",
    "nightly-backup",
    "triage-board-tasks",
    "test-report",
];

fn node<'g>(g: &'g FlowGraph, id: &str) -> &'g FlowNode {
    g.node(id)
        .unwrap_or_else(|| panic!("{} has no node {id}", g.name))
}

/// "Connection is required": a starter cannot ship the user's account.
fn picks_connection(issue: &flow_core::flows::ValidationIssue) -> bool {
    issue.code == "required" && issue.field.as_deref() == Some("connection")
}

#[tokio::test]
async fn every_starter_parses_counts_round_trips_and_validates() {
    let env = Env::new();
    let app = &env.app;
    let list = template_hub_list(app).await.unwrap();
    let ids: Vec<&str> = list.iter().map(|l| l.entry.id.as_str()).collect();
    assert_eq!(ids, STARTERS);
    for l in &list {
        let e = &l.entry;
        assert_eq!(l.status, TemplateStatus::NotInstalled, "{}", e.id);
        assert!(l.installed.is_none() && !l.update_available);
        assert_eq!(e.node_count as usize, e.graph.nodes.len(), "{}", e.id);
        assert_eq!(e.edge_count as usize, e.graph.edges.len(), "{}", e.id);
        assert!(
            e.node_count >= 3 && e.edge_count >= 2,
            "{} is too small",
            e.id
        );
        semver_ok(&e.version);

        let dsl = dsl_serialize(app, e.graph.clone()).await.unwrap();
        let back = dsl_parse(app, dsl.clone()).await.unwrap();
        assert_eq!(
            back,
            as_parsed(e.graph.clone()),
            "{} round trip:\n{dsl}",
            e.id
        );

        let report = flow_validate(app, e.graph.clone()).await.unwrap();
        let errors: Vec<_> = report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        for issue in &errors {
            // With egress off (the default) a service node's errors are the switch itself and,
            // for a service that needs an account, the connection the user has yet to pick.
            let on = node(&e.graph, issue.node_id.as_deref().unwrap());
            assert!(
                on.node_type == "service"
                    && (issue.code == "services-off" || picks_connection(issue)),
                "{}: unexpected {issue:?}",
                e.id
            );
        }
    }
    // Once service nodes are allowed, every starter validates clean.
    flow_core::commands::settings_update(
        app,
        flow_core::settings::SettingsPatch {
            allow_services: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for l in &list {
        let report = flow_validate(app, l.entry.graph.clone()).await.unwrap();
        let left: Vec<_> = report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error && !picks_connection(i))
            .collect();
        assert!(left.is_empty(), "{}: {left:?}", l.entry.id);
    }

    // The agreed node shapes.
    let graph = |id: &str| &list.iter().find(|l| l.entry.id == id).unwrap().entry.graph;
    let fetch = node(graph("api-to-file"), "fetch");
    assert_eq!(
        serde_json::Value::Object(fetch.data.clone()),
        serde_json::json!({"service": "http", "operation": "request", "method": "GET",
            "url": "https://api.github.com/repos/rust-lang/rust", "headers": {}, "connection": ""})
    );
    assert_eq!(
        node(graph("api-to-file"), "save").data["content"],
        "{{fetch.body}}\n"
    );
    let issues = node(graph("github-issues-report"), "issues");
    assert_eq!(
        (
            &issues.data["service"],
            &issues.data["operation"],
            &issues.data["state"]
        ),
        (&"github".into(), &"list-issues".into(), &"open".into())
    );
    let summarise = node(graph("summarise-folder-changes"), "summarise");
    assert_eq!(
        (summarise.node_type.as_str(), &summarise.data["provider"]),
        ("ai", &"local".into())
    );
    let triage = graph("triage-board-tasks");
    assert!(node(triage, "classify").data["outputSchema"].is_object());
    let conditions: Vec<&str> = triage
        .edges
        .iter()
        .filter_map(|e| e.condition.as_deref())
        .collect();
    assert_eq!(conditions.len(), 3);
    assert!(
        conditions
            .iter()
            .all(|c| c.starts_with("{{classify.json.label}} == "))
    );
    // The backup's prune step is what the destructive-action gate stops.
    let backup = flow_validate(app, graph("nightly-backup").clone())
        .await
        .unwrap();
    assert!(
        backup
            .issues
            .iter()
            .any(|i| i.code == "destructive" && i.node_id.as_deref() == Some("prune")),
        "{:?}",
        backup.issues
    );
    assert!(
        graph("nightly-backup")
            .description
            .as_deref()
            .unwrap()
            .contains("schedule")
    );
}

fn semver_ok(v: &str) {
    let parts: Vec<&str> = v.split('.').collect();
    assert!(
        parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
        "{v}"
    );
}

#[tokio::test]
async fn install_edit_refused_update_forced_update_and_delete() {
    let env = Env::new();
    let app = &env.app;
    let ops = collection_create(app, "Ops".into()).await.unwrap();
    let mut sub = app.bus().subscribe(None);

    let done = template_hub_install(app, "nightly-backup".into(), Some(ops.slug.clone()))
        .await
        .unwrap();
    let slug = done.flow.slug.clone();
    assert_eq!(slug, "nightly-backup-with-a-destructive-action-gate");
    assert_eq!(
        (done.flow.revision, done.flow.collection.as_str()),
        (1, "ops")
    );
    assert_eq!(done.listing.status, TemplateStatus::Installed);
    let installed = done.listing.installed.clone().unwrap();
    assert_eq!(
        (installed.slug.as_str(), installed.version.as_str()),
        (slug.as_str(), "1.0.0")
    );
    assert!(env.json_path(&slug).exists());
    assert_eq!(
        done.flow.graph.nodes.len(),
        done.listing.entry.node_count as usize
    );
    assert_eq!(
        next_flow_event(&mut sub).await,
        (Some(slug.clone()), Some(1), "hub-installed".into())
    );
    let summary = flows_list(app, None).await.unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(
        (summary[0].node_count, summary[0].collection.as_str()),
        (4, "ops")
    );

    // Installing again is a conflict that names the flow.
    let again = template_hub_install(app, "nightly-backup".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&again, AppError::Conflict(m) if m.contains(&slug)),
        "{again:?}"
    );

    // The user edits it: the hub says so and refuses to overwrite.
    let mut edited = done.flow.graph.clone();
    edited.nodes[0].label = "Archive my notes".into();
    let saved = flow_save(
        app,
        SaveFlowInput {
            slug: Some(slug.clone()),
            base_revision: Some(1),
            collection: None,
            graph: edited,
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.revision, 2);
    let now = listing(app, "nightly-backup").await;
    assert_eq!(now.status, TemplateStatus::Edited);
    let i = now.installed.unwrap();
    assert!(i.edited && i.installed_revision == 1 && i.current_revision == 2);
    let refused = template_hub_update(app, "nightly-backup".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Conflict(m) if m.contains("edited") && m.contains(&slug) && m.contains("force")),
        "{refused:?}"
    );
    let refused = template_hub_update(app, "nightly-backup".into(), Some(false))
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Conflict(_)));
    assert_eq!(flow_get(app, slug.clone()).await.unwrap().revision, 2);

    // Forced: the hub's graph is the new revision; the edit stays in history.
    let forced = template_hub_update(app, "nightly-backup".into(), Some(true))
        .await
        .unwrap();
    assert_eq!(forced.flow.revision, 3);
    assert_eq!(forced.flow.collection, "ops");
    assert_eq!(forced.flow.graph.nodes[0].label, "Archive the folder");
    assert_eq!(forced.listing.status, TemplateStatus::Installed);
    assert_eq!(
        forced
            .listing
            .installed
            .as_ref()
            .unwrap()
            .installed_revision,
        3
    );
    let kept = flow_revision_get(app, slug.clone(), 2).await.unwrap();
    assert_eq!(kept.graph.nodes[0].label, "Archive my notes");
    // Skip the `saved` event of the user's edit.
    assert_eq!(next_flow_event(&mut sub).await.2, "saved");
    assert_eq!(
        next_flow_event(&mut sub).await,
        (Some(slug.clone()), Some(3), "hub-updated".into())
    );

    // An untouched copy of the current version: update is a no-op.
    let same = template_hub_update(app, "nightly-backup".into(), None)
        .await
        .unwrap();
    assert_eq!(same.flow.revision, 3);
    assert_eq!(flow_revisions(app, slug.clone()).await.unwrap().len(), 3);

    // Deleting the flow makes the entry installable again.
    flow_delete(app, slug.clone()).await.unwrap();
    let gone = listing(app, "nightly-backup").await;
    assert_eq!(
        (gone.status, gone.installed),
        (TemplateStatus::NotInstalled, None)
    );
    let missing = template_hub_update(app, "nightly-backup".into(), None)
        .await
        .unwrap_err();
    assert!(matches!(missing, AppError::NotFound(_)));
    let back = template_hub_install(app, "nightly-backup".into(), None)
        .await
        .unwrap();
    assert_eq!(
        (
            back.flow.slug.as_str(),
            back.flow.revision,
            back.flow.collection.as_str()
        ),
        (slug.as_str(), 1, "default")
    );
}

#[tokio::test]
async fn status_follows_content_not_revisions_or_mtimes() {
    let env = Env::new();
    let app = &env.app;
    let done = template_hub_install(app, "test-report".into(), None)
        .await
        .unwrap();
    let slug = done.flow.slug;
    // Saving the same content again is a new revision but not an edit.
    flow_save(
        app,
        SaveFlowInput {
            slug: Some(slug.clone()),
            base_revision: Some(1),
            collection: None,
            graph: done.flow.graph.clone(),
        },
    )
    .await
    .unwrap();
    // Touching the file changes its mtime, not its content.
    let file = std::fs::File::options()
        .append(true)
        .open(env.json_path(&slug))
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    drop(file);
    assert_eq!(
        listing(app, "test-report").await.status,
        TemplateStatus::Installed
    );

    // An edit made outside Flow counts.
    let mut outside: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.json_path(&slug)).unwrap()).unwrap();
    outside["nodes"][0]["data"]["args"] = "test --workspace".into();
    std::fs::write(
        env.json_path(&slug),
        serde_json::to_vec_pretty(&outside).unwrap(),
    )
    .unwrap();
    let edited = listing(app, "test-report").await;
    assert_eq!(edited.status, TemplateStatus::Edited);
    // A file that is no longer a flow is an edit too, and does not break the list.
    std::fs::write(env.json_path(&slug), "{ not json").unwrap();
    assert_eq!(
        listing(app, "test-report").await.status,
        TemplateStatus::Edited
    );
    assert_eq!(template_hub_list(app).await.unwrap().len(), STARTERS.len());
}

fn override_doc(version: &str, extra_node: bool) -> String {
    let mut nodes = vec![
        serde_json::json!({"id": "hello", "type": "utility", "label": "Hello",
        "data": {"actionId": "log", "message": "hello"}}),
    ];
    if extra_node {
        nodes.push(
            serde_json::json!({"id": "bye", "type": "utility", "label": "Bye",
            "data": {"actionId": "log", "message": "bye"}}),
        );
    }
    let edges = if extra_node {
        serde_json::json!([{"source": "hello", "target": "bye", "outcome": "pass"}])
    } else {
        serde_json::json!([])
    };
    serde_json::json!({"apiVersion": "1", "templates": [{
        "id": "team-hello", "name": "Team hello", "description": "Says hello.",
        "category": "Team", "tags": ["hello"], "version": version,
        "graph": {"name": "ignored", "nodes": nodes, "edges": edges}}]})
    .to_string()
}

#[tokio::test]
async fn an_override_catalog_replaces_the_embedded_one_and_offers_updates() {
    let env = Env::new();
    let app = &env.app;
    std::fs::write(env.override_path(), override_doc("1.0.0", false)).unwrap();
    let list = template_hub_list(app).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].entry.node_count, list[0].entry.edge_count), (1, 0));
    let done = template_hub_install(app, "team-hello".into(), None)
        .await
        .unwrap();
    assert_eq!(done.flow.graph.name, "Team hello");
    assert_eq!(done.flow.graph.version, "1.0.0");

    std::fs::write(env.override_path(), override_doc("1.1.0", true)).unwrap();
    let offered = listing(app, "team-hello").await;
    assert_eq!(offered.status, TemplateStatus::UpdateAvailable);
    assert!(offered.update_available);
    assert_eq!((offered.entry.node_count, offered.entry.edge_count), (2, 1));
    let conflict = template_hub_install(app, "team-hello".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&conflict, AppError::Conflict(m) if m.contains("1.1.0")),
        "{conflict:?}"
    );
    let updated = template_hub_update(app, "team-hello".into(), None)
        .await
        .unwrap();
    assert_eq!(
        (updated.flow.revision, updated.flow.graph.nodes.len()),
        (2, 2)
    );
    assert_eq!(updated.flow.graph.version, "1.1.0");
    assert_eq!(updated.listing.status, TemplateStatus::Installed);
    assert_eq!(updated.listing.installed.unwrap().version, "1.1.0");

    // Without the override the embedded starters are back; the install row is kept.
    std::fs::remove_file(env.override_path()).unwrap();
    assert_eq!(template_hub_list(app).await.unwrap().len(), STARTERS.len());
    std::fs::write(env.override_path(), override_doc("1.1.0", true)).unwrap();
    assert_eq!(
        listing(app, "team-hello").await.status,
        TemplateStatus::Installed
    );
}

#[tokio::test]
async fn a_broken_override_is_an_error_naming_the_file() {
    let env = Env::new();
    let app = &env.app;
    std::fs::write(
        env.override_path(),
        "{\"apiVersion\": \"1\", \"templates\": [",
    )
    .unwrap();
    let path = env.override_path().display().to_string();
    for err in [
        template_hub_list(app).await.unwrap_err(),
        template_hub_install(app, "test-report".into(), None)
            .await
            .unwrap_err(),
        template_hub_update(app, "test-report".into(), None)
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(&err, AppError::InvalidInput(m) if m.contains(&path)),
            "{err:?}"
        );
    }
    std::fs::write(env.override_path(), override_doc("one", false)).unwrap();
    let err = template_hub_list(app).await.unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidInput(m) if m.contains(&path) && m.contains("semver")),
        "{err:?}"
    );
    assert!(flows_list(app, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_entries_and_collections_are_refused() {
    let env = Env::new();
    let app = &env.app;
    assert!(matches!(
        template_hub_install(app, "no-such-starter".into(), None).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        template_hub_install(app, "test-report".into(), Some("nowhere".into())).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        template_hub_install(app, "test-report".into(), Some("../x".into())).await,
        Err(AppError::InvalidInput(_))
    ));
    assert!(matches!(
        template_hub_update(app, "test-report".into(), Some(true)).await,
        Err(AppError::NotFound(_))
    ));
    // Nothing was half-installed by the refusals.
    assert!(flows_list(app, None).await.unwrap().is_empty());
    assert_eq!(
        listing(app, "test-report").await.status,
        TemplateStatus::NotInstalled
    );
}

#[tokio::test]
async fn a_user_flow_that_reuses_a_deleted_install_slug_is_not_the_install() {
    let env = Env::new();
    let app = &env.app;
    let done = template_hub_install(app, "api-to-file".into(), None)
        .await
        .unwrap();
    // The flow's files are removed outside Flow, then the user makes a flow of the same name.
    std::fs::remove_file(env.json_path(&done.flow.slug)).unwrap();
    std::fs::remove_file(env.json_path(&done.flow.slug).with_extension("")).unwrap();
    let mine = flow_save(
        app,
        SaveFlowInput {
            slug: None,
            base_revision: None,
            collection: None,
            graph: FlowGraph::new(done.flow.graph.name.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(mine.slug, done.flow.slug);
    assert_eq!(
        listing(app, "api-to-file").await.status,
        TemplateStatus::NotInstalled
    );
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
