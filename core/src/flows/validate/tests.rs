//! One positive and one negative case per code, plus the reference flows.

use serde_json::{Value, json};

use super::*;
use crate::flows::graph::{FlowEdge, FlowNode, SubFlow};
use crate::nodes::{builtin_entries, builtin_entry};

/// A node as the palette creates it from `slug`: identity, defaults, then `data` overrides.
fn node(id: &str, slug: &str, data: Value) -> FlowNode {
    let entry = builtin_entry(slug).unwrap();
    let mut fields = entry.identity.clone();
    fields.extend(entry.defaults.clone());
    fields.extend(data.as_object().unwrap().clone());
    FlowNode {
        id: id.into(),
        node_type: entry.node_type.clone(),
        label: entry.name.clone(),
        data: fields,
        position: Default::default(),
    }
}

fn raw(id: &str, node_type: &str, data: Value) -> FlowNode {
    serde_json::from_value(json!({"id": id, "type": node_type, "data": data})).unwrap()
}

fn edge(source: &str, target: &str) -> FlowEdge {
    serde_json::from_value(json!({"source": source, "target": target})).unwrap()
}

fn flow(nodes: Vec<FlowNode>, edges: Vec<FlowEdge>) -> FlowGraph {
    let mut g = FlowGraph::new("Test");
    g.nodes = nodes;
    g.edges = edges;
    g
}

fn run(node: &str, command: &str) -> FlowNode {
    self::node(node, "shell-run-command", json!({"command": command}))
}

fn report(g: &FlowGraph) -> ValidationReport {
    validate(g, builtin_entries(), &ValidationContext::default())
}

fn codes(g: &FlowGraph) -> Vec<String> {
    report(g).issues.into_iter().map(|i| i.code).collect()
}

fn has(g: &FlowGraph, code: &str) -> bool {
    codes(g).iter().any(|c| c == code)
}

fn issue(g: &FlowGraph, code: &str) -> ValidationIssue {
    report(g)
        .issues
        .into_iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(g)))
}

/// "first-flow": three shell commands, the test's failure routed to a local AI triage.
fn first_flow() -> FlowGraph {
    let mut fail = edge("test", "triage");
    fail.outcome = crate::flows::EdgeOutcome::Fail;
    flow(
        vec![
            run("checkout", "git status"),
            run("build", "cargo build"),
            run("test", "cargo test"),
            node(
                "triage",
                "ai-local",
                json!({"modelId": "local-llm",
                       "prompt": "Explain why the tests failed:\n{{test.stderr}}"}),
            ),
        ],
        vec![edge("checkout", "build"), edge("build", "test"), fail],
    )
}

/// "review-loop": generate, check, and loop back (bounded) until the check passes.
fn review_loop() -> FlowGraph {
    let mut back = edge("check", "draft");
    back.outcome = crate::flows::EdgeOutcome::Fail;
    let mut g = flow(
        vec![
            node(
                "draft",
                "ai-local",
                json!({"modelId": "local-llm",
                "prompt": "Write a summary of {{input}}", "maxIterations": 3}),
            ),
            node(
                "save",
                "fs-write-file",
                json!({"path": "out/summary.md",
                "content": "{{draft.text}}"}),
            ),
            node("check", "shell-cargo", json!({"args": "test --quiet"})),
            node(
                "note",
                "utility-log",
                json!({"message": "done: {{memory.count}}"}),
            ),
        ],
        vec![
            edge("draft", "save"),
            edge("save", "check"),
            back,
            edge("check", "note"),
        ],
    );
    g.subflows.push(SubFlow {
        id: "produce".into(),
        label: "Produce".into(),
        node_ids: vec!["draft".into(), "save".into()],
        retry: Some(1),
    });
    g
}

#[test]
fn every_builtin_entry_has_a_node_type_flows_know() {
    for e in builtin_entries() {
        assert!(
            crate::flows::graph::KNOWN_NODE_TYPES.contains(&e.node_type.as_str()),
            "{}",
            e.slug
        );
    }
}

#[test]
fn reference_flows_are_ok() {
    for g in [first_flow(), review_loop()] {
        let r = report(&g);
        assert!(r.ok, "{:#?}", r.issues);
        assert!(r.issues.is_empty(), "{:#?}", r.issues);
    }
}

#[test]
fn validates_against_the_installed_list_only() {
    let g = first_flow();
    let without_ai: Vec<_> = builtin_entries()
        .iter()
        .filter(|e| e.slug != "ai-local")
        .cloned()
        .collect();
    let r = validate(&g, &without_ai, &ValidationContext::default());
    assert!(!r.ok);
    let i = &r.issues[0];
    assert_eq!(i.code, "unsupported-node");
    assert_eq!(i.node_id.as_deref(), Some("triage"));
    assert!(
        i.message.contains("`ai-local`") && i.message.contains("Node Hub"),
        "{}",
        i.message
    );
}

#[test]
fn unsupported_node_names_adapter_and_action() {
    let g = flow(
        vec![raw(
            "x",
            "action",
            json!({"adapter": "shell", "actionId": "git"}),
        )],
        vec![],
    );
    let r = validate(&g, &[], &ValidationContext::default());
    assert!(
        r.issues[0].message.contains("actionId \"git\""),
        "{}",
        r.issues[0].message
    );
    assert!(r.issues[0].message.contains("`shell-git`"));
    let g = flow(
        vec![raw("x", "action", json!({"adapter": "mystery"}))],
        vec![],
    );
    let i = issue(&g, "unsupported-node");
    assert!(i.message.contains("adapter \"mystery\"") && i.message.contains("Node Hub"));
    assert!(!has(&first_flow(), "unsupported-node"));
}

#[test]
fn duplicate_and_invalid_ids() {
    let g = flow(vec![run("a", "ls"), run("a", "pwd")], vec![]);
    assert_eq!(codes(&g), vec!["duplicate-id"]);
    let mut g = flow(vec![run("a", "ls")], vec![]);
    g.subflows.push(SubFlow {
        id: "a".into(),
        label: String::new(),
        node_ids: vec![],
        retry: None,
    });
    assert_eq!(codes(&g), vec!["duplicate-id"]);
    let g = flow(vec![run("bad id", "ls"), run("ok_id-2", "ls")], vec![]);
    assert_eq!(codes(&g), vec!["invalid-id"]);
    assert_eq!(issue(&g, "invalid-id").node_id.as_deref(), Some("bad id"));
    assert!(!has(&first_flow(), "duplicate-id") && !has(&first_flow(), "invalid-id"));
}

#[test]
fn unknown_node_type() {
    let g = flow(vec![raw("q", "quantum", json!({}))], vec![]);
    let r = report(&g);
    assert!(!r.ok);
    assert_eq!(codes(&g), vec!["unknown-node-type"]);
    assert!(!has(&first_flow(), "unknown-node-type"));
}

#[test]
fn schema_errors_carry_node_field_and_title() {
    let g = flow(vec![node("r", "shell-run-command", json!({}))], vec![]);
    let i = issue(&g, "required");
    assert_eq!(
        (i.node_id.as_deref(), i.field.as_deref(), i.message.as_str()),
        (Some("r"), Some("command"), "Command is required")
    );
    let g = flow(vec![run("r", "")], vec![]);
    assert!(has(&g, "required"));
    let g = flow(
        vec![node(
            "r",
            "shell-run-command",
            json!({"command": "ls", "timeoutMs": "soon"}),
        )],
        vec![],
    );
    assert_eq!(codes(&g), vec!["type"]);
    let g = flow(
        vec![node(
            "l",
            "utility-log",
            json!({"message": "m", "level": "loud"}),
        )],
        vec![],
    );
    assert_eq!(codes(&g), vec!["enum"]);
    assert!(
        issue(&g, "enum")
            .message
            .contains("debug, info, warn, error")
    );
    let g = flow(vec![node("s", "utility-sleep", json!({"ms": -1}))], vec![]);
    assert_eq!(codes(&g), vec!["minimum"]);
    let g = flow(
        vec![node(
            "a",
            "ai-local",
            json!({"modelId": "m", "prompt": "p", "maxTokens": 40000}),
        )],
        vec![],
    );
    assert_eq!(codes(&g), vec!["maximum"]);
    let g = flow(
        vec![node("v", "utility-set-variable", json!({"key": "1bad"}))],
        vec![],
    );
    assert_eq!(codes(&g), vec!["pattern"]);
    assert_eq!(issue(&g, "pattern").field.as_deref(), Some("key"));
    let g = flow(
        vec![node(
            "f",
            "fs-edit-file",
            json!({"path": "a.txt", "oldString": ""}),
        )],
        vec![],
    );
    // An empty required string is "required", not "min-length".
    assert_eq!(codes(&g), vec!["required"]);
    let g = flow(
        vec![
            node("f", "fs-read-file", json!({"path": "a"})),
            node("g", "fs-grep", json!({"pattern": "x", "path": ""})),
        ],
        vec![],
    );
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
    let g = flow(
        vec![node(
            "c",
            "cli-gh",
            json!({"command": "pr list", "outputFilter": 3}),
        )],
        vec![],
    );
    assert_eq!(codes(&g), vec!["type"]);
    let mut e = builtin_entry("utility-log").unwrap().clone();
    e.schema["properties"]["message"]["minLength"] = json!(5);
    let g = flow(
        vec![node("l", "utility-log", json!({"message": "hey"}))],
        vec![],
    );
    assert_eq!(
        validate(&g, &[e], &ValidationContext::default()).issues[0].code,
        "min-length"
    );
}

#[test]
fn templates_skip_pattern_and_format_checks() {
    let g = flow(
        vec![
            node("v", "utility-set-variable", json!({"key": "{{input}}"})),
            node(
                "d",
                "utility-download",
                json!({"url": "{{v.url}}", "sha256": "{{memory.sum}}"}),
            ),
        ],
        vec![edge("v", "d")],
    );
    assert!(report(&g).issues.is_empty(), "{:?}", codes(&g));
    let g = flow(
        vec![node("d", "utility-download", json!({"url": "not a url"}))],
        vec![],
    );
    assert_eq!(codes(&g), vec!["format"]);
}

#[test]
fn dangling_edges() {
    let g = flow(
        vec![run("a", "ls")],
        vec![edge("a", "ghost"), edge("nobody", "a")],
    );
    let r = report(&g);
    let dangling: Vec<_> = r
        .issues
        .iter()
        .filter(|i| i.code == "dangling-edge")
        .collect();
    assert_eq!(dangling.len(), 2);
    assert_eq!(dangling[0].edge_index, Some(0));
    assert!(dangling[0].message.contains("`ghost`"));
    assert_eq!(dangling[1].edge_index, Some(1));
    assert!(!has(&first_flow(), "dangling-edge"));
}

#[test]
fn unbounded_cycles_and_self_loops() {
    let g = flow(
        vec![run("a", "ls"), run("b", "ls"), run("c", "ls")],
        vec![edge("a", "b"), edge("b", "c"), edge("c", "a")],
    );
    let i = issue(&g, "unbounded-cycle");
    assert!(i.message.contains("`a`, `b`, `c`") && i.message.contains("maxIterations"));
    assert_eq!(i.node_id.as_deref(), Some("a"));
    let g = flow(vec![run("a", "ls")], vec![edge("a", "a")]);
    assert_eq!(codes(&g), vec!["unbounded-cycle"]);
    let g = flow(
        vec![
            run("a", "ls"),
            node(
                "b",
                "shell-run-command",
                json!({"command": "ls", "maxIterations": 5}),
            ),
        ],
        vec![edge("a", "b"), edge("b", "a")],
    );
    assert!(codes(&g).is_empty());
    let g = flow(
        vec![
            run("a", "ls"),
            node(
                "b",
                "shell-run-command",
                json!({"command": "ls", "maxIterations": 0}),
            ),
        ],
        vec![edge("a", "b"), edge("b", "a")],
    );
    assert!(has(&g, "unbounded-cycle"));
    assert!(!has(&first_flow(), "unbounded-cycle"));
}

#[test]
fn multiple_agentic_nodes_in_the_main_flow() {
    let agent = |id: &str| {
        node(
            id,
            "agentic-generator",
            json!({"request": "build a CI flow"}),
        )
    };
    let g = flow(vec![agent("g1"), agent("g2")], vec![]);
    let i = issue(&g, "multiple-agentic");
    assert_eq!(i.node_id.as_deref(), Some("g2"));
    let g = flow(vec![agent("g1")], vec![]);
    assert!(!has(&g, "multiple-agentic"));
    // One in a sub-flow does not count against the main flow.
    let mut g = flow(vec![agent("g1"), agent("g2")], vec![]);
    g.subflows.push(SubFlow {
        id: "s".into(),
        label: String::new(),
        node_ids: vec!["g2".into()],
        retry: None,
    });
    assert!(!has(&g, "multiple-agentic"));
}

#[test]
fn subflow_members_and_overlaps() {
    let sub = |id: &str, members: &[&str]| SubFlow {
        id: id.into(),
        label: String::new(),
        node_ids: members.iter().map(|m| (*m).to_owned()).collect(),
        retry: None,
    };
    let mut g = flow(vec![run("a", "ls"), run("b", "ls")], vec![]);
    g.subflows = vec![sub("s1", &["a", "ghost"])];
    let i = issue(&g, "subflow-member");
    assert_eq!(i.node_id.as_deref(), Some("s1"));
    assert!(i.message.contains("`ghost`"));
    g.subflows = vec![sub("s1", &["a"]), sub("s2", &["a", "b"])];
    assert_eq!(codes(&g), vec!["subflow-overlap"]);
    assert_eq!(issue(&g, "subflow-overlap").node_id.as_deref(), Some("a"));
    g.subflows = vec![sub("s1", &["a"]), sub("s2", &["b"])];
    assert!(codes(&g).is_empty());
}

#[test]
fn empty_flow_is_a_warning() {
    let r = report(&flow(vec![], vec![]));
    assert!(r.ok);
    assert_eq!(r.issues[0].code, "empty-flow");
    assert_eq!(r.issues[0].severity, Severity::Warning);
    assert!(!has(&first_flow(), "empty-flow"));
}

#[test]
fn unknown_references() {
    let g = flow(
        vec![
            run("a", "echo {{input}} {{memory.x}} {{a.stdout}}"),
            node(
                "b",
                "utility-log",
                json!({"message": "got {{ ghost.out }}",
                "extra": {"nested": ["{{phantom}}"]}}),
            ),
        ],
        vec![],
    );
    let r = report(&g);
    assert!(r.ok);
    let refs: Vec<_> = r
        .issues
        .iter()
        .filter(|i| i.code == "unknown-reference")
        .collect();
    assert_eq!(refs.len(), 2, "{refs:?}");
    assert_eq!(refs[0].field.as_deref(), Some("message"));
    assert!(refs[0].message.contains("`ghost`"));
    assert_eq!(refs[1].field.as_deref(), Some("extra"));
    let mut g = flow(vec![run("a", "ls"), run("b", "ls")], vec![edge("a", "b")]);
    g.edges[0].condition = Some("{{nope.label}} == 'x'".into());
    assert_eq!(issue(&g, "unknown-reference").edge_index, Some(0));
    assert!(!has(&first_flow(), "unknown-reference"));
}

#[test]
fn destructive_commands_are_flagged() {
    for command in [
        "rm -rf build",
        "sudo rm -fr /",
        "git push --force origin main",
        "git reset --hard HEAD~1",
        "kubectl delete pod x",
        "psql -c 'drop table users'",
        "mkfs.ext4 /dev/sdb",
        "dd if=/dev/zero of=/dev/sda",
        "shutdown -h now",
        "sudo reboot",
    ] {
        let g = flow(vec![run("a", command)], vec![]);
        let r = report(&g);
        assert!(r.ok, "{command}");
        assert_eq!(codes(&g), vec!["destructive"], "{command}");
    }
    let g = flow(
        vec![node("p", "shell-git", json!({"args": "push -f"}))],
        vec![],
    );
    assert_eq!(issue(&g, "destructive").field.as_deref(), Some("args"));
    let g = flow(
        vec![node("d", "fs-delete-file", json!({"path": "old.log"}))],
        vec![],
    );
    assert_eq!(codes(&g), vec!["destructive"]);
    for command in ["git reset HEAD", "kubectl get pods", "echo rebooting"] {
        let g = flow(vec![run("a", command)], vec![]);
        assert!(!has(&g, "destructive"), "{command}");
    }
}

#[test]
fn path_escapes_are_flagged() {
    let read = |path: &str, cwd: Option<&str>| {
        let mut data = json!({"path": path});
        if let Some(cwd) = cwd {
            data["cwd"] = json!(cwd);
        }
        flow(vec![node("r", "fs-read-file", data)], vec![])
    };
    assert_eq!(
        issue(&read("../secrets.txt", None), "path-escape")
            .field
            .as_deref(),
        Some("path")
    );
    assert!(has(&read("/etc/passwd", None), "path-escape"));
    assert!(has(&read("C:\\Windows\\system.ini", None), "path-escape"));
    assert!(has(
        &read("/etc/passwd", Some("/home/me/proj")),
        "path-escape"
    ));
    assert!(!has(
        &read("/home/me/proj/a.txt", Some("/home/me/proj")),
        "path-escape"
    ));
    assert!(!has(&read("src/main.rs", None), "path-escape"));
    assert!(!has(&read("{{input}}/../x", None), "path-escape"));
    assert!(!has(&read("a..b/c", None), "path-escape"));
    let g = flow(
        vec![node(
            "c",
            "shell-run-command",
            json!({"command": "ls", "cwd": "../other"}),
        )],
        vec![],
    );
    assert_eq!(issue(&g, "path-escape").field.as_deref(), Some("cwd"));
    let g = flow(
        vec![node(
            "c",
            "shell-run-command",
            json!({"command": "ls", "cwd": "/srv/app"}),
        )],
        vec![],
    );
    assert!(!has(&g, "path-escape"));
}

#[test]
fn errors_come_first_then_document_order() {
    let g = flow(
        vec![
            run("a", "rm -rf x"),
            node("b", "shell-run-command", json!({})),
            raw("c", "quantum", json!({})),
        ],
        vec![edge("a", "ghost")],
    );
    let r = report(&g);
    let got: Vec<(Severity, &str)> = r
        .issues
        .iter()
        .map(|i| (i.severity, i.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Severity::Error, "required"),
            (Severity::Error, "unknown-node-type"),
            (Severity::Error, "dangling-edge"),
            (Severity::Warning, "destructive"),
        ]
    );
    assert!(!r.ok);
}

fn saved(
    id: &str,
    service: &str,
    status: crate::credentials::ConnectionStatus,
) -> crate::credentials::Connection {
    crate::credentials::Connection {
        id: id.into(),
        name: id.into(),
        service: service.into(),
        auth: crate::credentials::AuthKind::Bearer,
        config: Default::default(),
        has_secret: true,
        status,
        oauth: None,
        created_at: "2025-01-01T00:00:00Z".into(),
        updated_at: "2025-01-01T00:00:00Z".into(),
        last_used_at: None,
        used_by: vec![],
    }
}

fn egress_on() -> ValidationContext {
    let mut ctx = ValidationContext::default();
    ctx.settings.allow_services = true;
    ctx.settings.allow_cloud_ai = true;
    ctx.connections = vec![
        saved("gh", "github", crate::credentials::ConnectionStatus::Ready),
        saved("chat", "slack", crate::credentials::ConnectionStatus::Ready),
        saved("key", "openai", crate::credentials::ConnectionStatus::Ready),
        saved(
            "empty",
            "github",
            crate::credentials::ConnectionStatus::MissingSecret,
        ),
    ];
    ctx
}

fn issues_with(g: &FlowGraph, ctx: &ValidationContext) -> Vec<(String, Severity, Option<String>)> {
    validate(g, builtin_entries(), ctx)
        .issues
        .into_iter()
        .map(|i| (i.code, i.severity, i.field))
        .collect()
}

#[test]
fn service_nodes_are_refused_while_services_are_off() {
    let g = flow(
        vec![node(
            "h",
            "service-http-request",
            json!({"url": "https://example.com"}),
        )],
        vec![],
    );
    let r = report(&g);
    assert!(!r.ok);
    assert_eq!(r.issues[0].code, "services-off");
    assert_eq!(
        r.issues[0].message,
        "service nodes are turned off: enable Settings → Services → Service nodes"
    );
    assert!(issues_with(&g, &egress_on()).is_empty());
}

#[test]
fn cloud_ai_needs_its_switches() {
    let g = flow(
        vec![node(
            "ask",
            "ai-openai",
            json!({"connection": "key", "model": "gpt-4o-mini", "prompt": "hi"}),
        )],
        vec![],
    );
    let mut ctx = egress_on();
    assert!(issues_with(&g, &ctx).is_empty());
    ctx.settings
        .providers_enabled
        .insert("openai".into(), false);
    let r = validate(&g, builtin_entries(), &ctx);
    assert_eq!(r.issues[0].code, "cloud-ai-off");
    assert!(
        r.issues[0]
            .message
            .contains("`openai` provider is turned off"),
        "{}",
        r.issues[0].message
    );
    ctx.settings.allow_cloud_ai = false;
    let r = validate(&g, builtin_entries(), &ctx);
    assert!(
        r.issues[0].message.starts_with("cloud AI is turned off"),
        "{}",
        r.issues[0].message
    );
    // The local provider needs no switch.
    assert!(!codes(&first_flow()).contains(&"cloud-ai-off".to_owned()));
}

#[test]
fn connections_must_exist_and_match_the_service() {
    let ctx = egress_on();
    let gh = |connection: &str| {
        flow(
            vec![node(
                "g",
                "service-github",
                json!({"operation": "get-user", "connection": connection}),
            )],
            vec![],
        )
    };
    assert!(issues_with(&gh("gh"), &ctx).is_empty());
    assert_eq!(
        issues_with(&gh("nope"), &ctx),
        [(
            "unknown-connection".into(),
            Severity::Error,
            Some("connection".into())
        )]
    );
    assert_eq!(
        issues_with(&gh("chat"), &ctx),
        [(
            "connection-service-mismatch".into(),
            Severity::Error,
            Some("connection".into())
        )]
    );
    assert_eq!(
        issues_with(&gh("empty"), &ctx),
        [(
            "connection-not-ready".into(),
            Severity::Warning,
            Some("connection".into())
        )]
    );
    assert_eq!(
        issues_with(&gh(""), &ctx),
        [(
            "required".into(),
            Severity::Error,
            Some("connection".into())
        )]
    );
    // Resolved at run time.
    assert!(issues_with(&gh("{{input.connection}}"), &ctx).is_empty());
    // The generic HTTP node may go without one.
    let h = flow(
        vec![node(
            "h",
            "service-http-request",
            json!({"url": "https://example.com", "connection": ""}),
        )],
        vec![],
    );
    assert!(issues_with(&h, &ctx).is_empty());
}

#[test]
fn the_chosen_operation_checks_its_own_inputs() {
    let ctx = egress_on();
    let gh = |data: Value| flow(vec![node("g", "service-github", data)], vec![]);
    let r = validate(
        &gh(json!({"operation": "create-issue", "connection": "gh", "owner": "o"})),
        builtin_entries(),
        &ctx,
    );
    let found: Vec<_> = r
        .issues
        .iter()
        .map(|i| {
            (
                i.code.as_str(),
                i.field.as_deref().unwrap_or(""),
                i.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("required", "repo", "Repository is required"),
            ("required", "title", "Title is required")
        ]
    );
    // get-user needs nothing; a wrong type is reported once, not by both schemas.
    assert!(
        issues_with(
            &gh(json!({"operation": "get-user", "connection": "gh"})),
            &ctx
        )
        .is_empty()
    );
    let r = validate(
        &gh(
            json!({"operation": "list-issues", "connection": "gh", "owner": "o", "repo": "r", "state": "maybe"}),
        ),
        builtin_entries(),
        &ctx,
    );
    assert_eq!(r.issues.len(), 1, "{:#?}", r.issues);
    assert_eq!(r.issues[0].code, "enum");
    let r = validate(
        &gh(json!({"operation": "delete-everything", "connection": "gh"})),
        builtin_entries(),
        &ctx,
    );
    assert_eq!(r.issues[0].code, "enum");
}
