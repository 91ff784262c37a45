//! Unit tests: one per grammar rule and per error, plus the reference documents.

use serde_json::json;

use super::{DslError, parse, serialize};
use crate::flows::graph::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position, SubFlow};

fn err(source: &str) -> DslError {
    match parse(source) {
        Ok(graph) => panic!("expected an error, parsed {graph:?}"),
        Err(e) => e,
    }
}

/// Asserts the error's `line:column` and that its message contains `needle`.
fn assert_err(source: &str, line: u32, column: u32, needle: &str) {
    let e = err(source);
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert!(
        e.message.contains(needle),
        "{e} does not mention {needle:?}"
    );
}

fn data(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

const JCL_PIPELINE: &str = r#"flow "JCL Pipeline" v1.0.0
description "Validate JCL with AI, submit it with zowe, log the result"

validate-jcl[ai: "Validate JCL"] {
  modelId: "local-llm"
  prompt: "Check this JCL for errors:\n{{input.jcl}}"
}

submit-jcl[action: "Submit JCL"] {
  adapter: "cli"
  actionId: "zowe"
  command: "zowe jobs submit local-file \"job.jcl\""
}

log-result[utility: "Log result"] {
  actionId: "log"
}

validate-jcl.pass --> submit-jcl
submit-jcl --> log-result
"#;

const FIRST_FLOW: &str = r#"# The flow the getting-started guide builds.
flow "first-flow"

build[action: "Build"] {
  adapter: "shell", actionId: "run-command", command: "cargo build"
}
test[action: "Test"] {
  adapter: "shell"
  actionId: "run-command"
  command: "cargo test"
}
deploy[action: "Deploy"] { adapter: "shell", actionId: "run-command", command: "./deploy.sh" }
triage[ai: "Triage"] {
  modelId: "local-llm"   // a model served locally
}

build --> test
test.pass --> deploy
test.fail --> triage
"#;

#[test]
fn jcl_pipeline_reference_parses() {
    let g = parse(JCL_PIPELINE).unwrap();
    assert_eq!(g.id, "jcl-pipeline");
    assert_eq!(g.name, "JCL Pipeline");
    assert_eq!(g.version, "1.0.0");
    assert_eq!(
        g.description.as_deref(),
        Some("Validate JCL with AI, submit it with zowe, log the result")
    );
    let kinds: Vec<_> = g.nodes.iter().map(|n| n.node_type.as_str()).collect();
    assert_eq!(kinds, ["ai", "action", "utility"]);
    assert_eq!(g.nodes[1].data["adapter"], "cli");
    assert_eq!(g.nodes[1].data["actionId"], "zowe");
    assert_eq!(
        g.nodes[1].data["command"],
        "zowe jobs submit local-file \"job.jcl\""
    );
    assert_eq!(
        g.nodes[0].data["prompt"],
        "Check this JCL for errors:\n{{input.jcl}}"
    );
    assert_eq!(
        g.edges[0],
        FlowEdge {
            source: "validate-jcl".into(),
            target: "submit-jcl".into(),
            outcome: EdgeOutcome::Pass,
            label: None,
            condition: None,
        }
    );
    assert_eq!(g.edges[1].outcome, EdgeOutcome::Always);
    // The reference is written in canonical form.
    assert_eq!(serialize(&g), JCL_PIPELINE);
}

#[test]
fn first_flow_reference_parses() {
    let g = parse(FIRST_FLOW).unwrap();
    assert_eq!(g.id, "first-flow");
    assert_eq!(g.version, "1.0.0");
    assert_eq!(g.description, None);
    assert_eq!(g.nodes.len(), 4);
    for node in &g.nodes[..3] {
        assert_eq!(node.node_type, "action");
        assert_eq!(node.data["adapter"], "shell");
        assert_eq!(node.data["actionId"], "run-command");
    }
    assert_eq!(g.nodes[3].node_type, "ai");
    assert_eq!(g.nodes[3].data, data(json!({"modelId": "local-llm"})));
    let last = g.edges.last().unwrap();
    assert_eq!(
        (last.source.as_str(), last.target.as_str(), last.outcome),
        ("test", "triage", EdgeOutcome::Fail)
    );
    assert_eq!(parse(&serialize(&g)).unwrap(), g);
}

#[test]
fn canonical_form_is_exact() {
    let mut g = FlowGraph::new("Release pipeline");
    g.version = "1.2.0".into();
    g.description = Some("Builds and ships".into());
    g.nodes.push(FlowNode {
        id: "build".into(),
        node_type: "action".into(),
        label: "Build it".into(),
        data: data(json!({"adapter": "shell", "timeoutMs": 60000, "label": "x",
                           "odd key": [1, 2.5, true, null, {"k": "v"}]})),
        position: Position { x: 3.0, y: 4.0 },
    });
    g.nodes.push(FlowNode {
        id: "notify".into(),
        node_type: "utility".into(),
        label: "Notify".into(),
        data: serde_json::Map::new(),
        position: Position::default(),
    });
    g.subflows.push(SubFlow {
        id: "unit".into(),
        label: "Build and test".into(),
        node_ids: vec!["build".into(), "notify".into()],
        retry: Some(2),
    });
    g.edges.push(FlowEdge {
        source: "build".into(),
        target: "notify".into(),
        outcome: EdgeOutcome::Pass,
        label: Some("ship it".into()),
        condition: Some("{{build.exitCode}} == 0".into()),
    });
    g.edges.push(FlowEdge {
        source: "notify".into(),
        target: "build".into(),
        outcome: EdgeOutcome::Always,
        label: None,
        condition: None,
    });
    let text = serialize(&g);
    assert_eq!(
        text,
        r#"flow "Release pipeline" v1.2.0
description "Builds and ships"

build[action: "Build it"] {
  adapter: "shell"
  timeoutMs: 60000
  "label": "x"
  "odd key": [1, 2.5, true, null, {"k": "v"}]
}

notify[utility: "Notify"]

subflow unit["Build and test"] retry 2 {
  build
  notify
}

build.pass --> notify label "ship it" when {{build.exitCode}} == 0
notify --> build
"#
    );
    let back = parse(&text).unwrap();
    g.nodes[0].position = Position::default();
    assert_eq!(back, g);
}

#[test]
fn header_version_defaults_and_is_verbatim() {
    assert_eq!(parse("flow \"A\"").unwrap().version, "1.0.0");
    assert_eq!(parse("flow \"A\" v2").unwrap().version, "2");
    assert_eq!(
        parse("flow \"A\" v1.0-rc.1+build#5\n").unwrap().version,
        "1.0-rc.1+build#5"
    );
    assert_eq!(parse("flow \"A\" v\n").unwrap().version, "");
    assert_eq!(parse("flow \"A\" # v9\n").unwrap().version, "1.0.0");
}

#[test]
fn header_comes_first_after_blank_lines_and_comments() {
    let g = parse("\n# intro\n// more\n\n  flow \"Hello, World!\"\n").unwrap();
    assert_eq!(
        (g.id.as_str(), g.name.as_str()),
        ("hello-world", "Hello, World!")
    );
    assert_err("build[action: \"x\"]\n", 1, 1, "expected the header");
    assert_err("flow Release\n", 1, 6, "expected a string, found 'R'");
    assert_err(
        "flow \"A\" v1 extra\n",
        1,
        13,
        "expected end of line after the header",
    );
    assert_err("", 1, 1, "found end of input");
}

#[test]
fn description_only_right_after_the_header() {
    let g = parse("flow \"A\"\n\n# note\ndescription \"About\"\n").unwrap();
    assert_eq!(g.description.as_deref(), Some("About"));
    // Elsewhere `description` is an ordinary id.
    let g = parse("flow \"A\"\ndescription[action: \"D\"]\ndescription --> description\n").unwrap();
    assert_eq!(g.description, None);
    assert_eq!(g.nodes[0].id, "description");
    assert_eq!(g.edges[0].source, "description");
    assert_err(
        "flow \"A\"\na[action: \"x\"]\ndescription \"late\"\n",
        3,
        13,
        "goes on the line right after the header",
    );
}

#[test]
fn nodes_with_and_without_bodies() {
    let g = parse(
        "flow \"A\"\nn[utility: \"N\"]\nm[ service : \"M\" ]   {  }\nk[ai: \"K\"] { a: 1, b: 2, }\n",
    )
    .unwrap();
    assert_eq!(g.nodes.len(), 3);
    assert!(g.nodes[0].data.is_empty() && g.nodes[1].data.is_empty());
    assert_eq!(g.nodes[2].data, data(json!({"a": 1, "b": 2})));
    assert_eq!(g.nodes[0].position, Position::default());
}

#[test]
fn unknown_and_quoted_kinds_are_kept() {
    let g = parse("flow \"A\"\nq[quantum_v2: \"Q\"]\nr[\"odd kind!\": \"R\"]\n").unwrap();
    assert_eq!(g.nodes[0].node_type, "quantum_v2");
    assert_eq!(g.nodes[1].node_type, "odd kind!");
    assert_eq!(parse(&serialize(&g)).unwrap(), g);
    assert_err(
        "flow \"A\"\nq[9lives: \"Q\"]\n",
        2,
        3,
        "expected the node kind",
    );
}

#[test]
fn data_values_are_any_json() {
    let g = parse(
        "flow \"A\"\nn[action: \"N\"] {\n  tags: [\"a\", 1, true, null]\n  env: {\"RUST_LOG\": \"debug\", \"n\": [1, {\"x\": 2}]}\n  multi: [\n    1, # one\n    2\n  ]\n  \"odd key\": -1.5e3\n  \"label\": \"not the label\"\n}\n",
    )
    .unwrap();
    assert_eq!(
        g.nodes[0].data,
        data(json!({
            "tags": ["a", 1, true, null],
            "env": {"RUST_LOG": "debug", "n": [1, {"x": 2}]},
            "multi": [1, 2],
            "odd key": -1500.0,
            "label": "not the label"
        }))
    );
    assert_eq!(g.nodes[0].label, "N");
}

#[test]
fn numbers_keep_their_kind() {
    let g = parse(
        "flow \"A\"\nn[action: \"N\"] { a: 9223372036854775807, b: -9223372036854775808, c: 18446744073709551615, d: 18446744073709551616, e: 1.0, f: 0, g: 1E2 }\n",
    )
    .unwrap();
    let d = &g.nodes[0].data;
    assert_eq!(d["a"].as_i64(), Some(i64::MAX));
    assert_eq!(d["b"].as_i64(), Some(i64::MIN));
    assert_eq!(d["c"].as_u64(), Some(u64::MAX));
    assert!(d["d"].is_f64());
    assert!(d["e"].is_f64());
    assert_eq!(d["f"].as_u64(), Some(0));
    assert_eq!(d["g"].as_f64(), Some(100.0));
    assert_eq!(parse(&serialize(&g)).unwrap(), g);
}

#[test]
fn number_errors() {
    let doc = |v: &str| format!("flow \"A\"\nn[action: \"N\"] {{ k: {v} }}\n");
    assert_err(&doc("01"), 2, 22, "leading zeros");
    assert_err(&doc("1."), 2, 23, "expected a digit after '.'");
    assert_err(&doc("1e+"), 2, 24, "exponent");
    assert_err(
        &doc("-x"),
        2,
        22,
        "expected a digit in the number, found 'x'",
    );
    assert_err(&doc("1e400"), 2, 21, "out of range");
    assert_err(&doc("12abc"), 2, 23, "expected ',', a new line or '}'");
}

#[test]
fn strings_and_escapes() {
    let g = parse("flow \"q\\\"b\\\\n\\nt\\tr\\r\\u{1F600}\\u{0}\"\nn[action: \"tab\there\"]\n")
        .unwrap();
    assert_eq!(g.name, "q\"b\\n\nt\tr\r\u{1F600}\u{0}");
    assert_eq!(g.nodes[0].label, "tab\there");
    assert_err("flow \"a\\qb\"\n", 1, 8, "after '\\', found 'q'");
    assert_err("flow \"a\nb\"\n", 1, 8, "found end of line");
    assert_err(
        "flow \"abc",
        1,
        10,
        "string opened at 1:6, found end of input",
    );
    assert_err("flow \"\\u{110000}\"\n", 1, 7, "not a Unicode scalar value");
    assert_err("flow \"\\u{d800}\"\n", 1, 7, "not a Unicode scalar value");
    assert_err("flow \"\\u{}\"\n", 1, 7, "1 to 6 hex digits");
    assert_err("flow \"\\u{1234567}\"\n", 1, 7, "1 to 6 hex digits");
    assert_err("flow \"\\u41\"\n", 1, 9, "expected '{' after \\u");
    assert_err("flow \"\\u{41\"\n", 1, 12, "expected '}' to close");
}

#[test]
fn serializer_escapes_every_control_character() {
    let mut g = FlowGraph::new("nul\u{0} bell\u{7} esc\u{1b} del\u{7f} nl\n \"q\" \\ \u{85}");
    g.description = Some("\t\r\n".into());
    let text = serialize(&g);
    assert!(text.starts_with(
        "flow \"nul\\u{0} bell\\u{7} esc\\u{1b} del\\u{7f} nl\\n \\\"q\\\" \\\\ \\u{85}\" v1.0.0\ndescription \"\\t\\r\\n\"\n"
    ));
    assert_eq!(parse(&text).unwrap(), g);
}

#[test]
fn comments_are_skipped_but_conditions_keep_them() {
    let g = parse(
        "flow \"A\" # header\n// full line\na[action: \"x\"] # after a node\na --> b // after an edge\na.fail --> b when {{a.out}} != '#1' // kept\n",
    )
    .unwrap();
    assert_eq!(g.edges.len(), 2);
    assert_eq!(g.edges[0].condition, None);
    assert_eq!(
        g.edges[1].condition.as_deref(),
        Some("{{a.out}} != '#1' // kept")
    );
    let g = parse("flow \"A\"\nn[action: \"a # not a comment // either\"]\n").unwrap();
    assert_eq!(g.nodes[0].label, "a # not a comment // either");
}

#[test]
fn edges_outcomes_labels_and_conditions() {
    let g = parse(
        "flow \"A\"\nx --> y\nx.pass --> y\nx.fail-->y\nx.always --> y label \"l\"\na-->b label \"x\" when {{a.label}} == 'retry'   \nlater --> undefined\n",
    )
    .unwrap();
    let outcomes: Vec<_> = g.edges.iter().map(|e| e.outcome).collect();
    assert_eq!(
        outcomes,
        [
            EdgeOutcome::Always,
            EdgeOutcome::Pass,
            EdgeOutcome::Fail,
            EdgeOutcome::Always,
            EdgeOutcome::Always,
            EdgeOutcome::Always
        ]
    );
    assert_eq!(g.edges[3].label.as_deref(), Some("l"));
    assert_eq!(g.edges[4].source, "a");
    assert_eq!(g.edges[4].target, "b");
    assert_eq!(g.edges[4].label.as_deref(), Some("x"));
    assert_eq!(
        g.edges[4].condition.as_deref(),
        Some("{{a.label}} == 'retry'")
    );
    // References are not resolved: the validator reports dangling edges.
    assert_eq!(g.edges[5].target, "undefined");
    assert!(g.nodes.is_empty());
}

#[test]
fn edge_errors() {
    assert_err(
        "flow \"A\"\na.maybe --> b\n",
        2,
        3,
        "expected pass, fail or always after '.', found 'maybe'",
    );
    assert_err("flow \"A\"\na. --> b\n", 2, 3, "pass, fail or always");
    assert_err(
        "flow \"A\"\na.pass b\n",
        2,
        8,
        "expected '-->' after the edge source, found 'b'",
    );
    assert_err(
        "flow \"A\"\na --> \n",
        2,
        7,
        "expected the edge target, found end of line",
    );
    assert_err(
        "flow \"A\"\na --> b when   \n",
        2,
        13,
        "expected a condition after 'when'",
    );
    assert_err(
        "flow \"A\"\na --> b label x\n",
        2,
        15,
        "expected a string, found 'x'",
    );
    assert_err(
        "flow \"A\"\na --> b c\n",
        2,
        9,
        "expected 'label', 'when' or end of line",
    );
    assert_err(
        "flow \"A\"\na --> b when x\n--> c\n",
        3,
        1,
        "expected a node, a sub-flow or an edge",
    );
    assert_err(
        "flow \"A\"\na\n",
        2,
        2,
        "expected '[' (a node) or '-->' (an edge) after 'a', found end of line",
    );
}

#[test]
fn subflows() {
    let g = parse(
        "flow \"A\"\nsubflow unit[\"Build and test\"] retry 2 {\n  build\n  test, lint\n}\nsubflow bare[\"B\"]\nsubflow[action: \"a node named subflow\"]\nsubflow --> bare\nsubflow empty[\"E\"] {}\n",
    )
    .unwrap();
    assert_eq!(
        g.subflows[0],
        SubFlow {
            id: "unit".into(),
            label: "Build and test".into(),
            node_ids: vec!["build".into(), "test".into(), "lint".into()],
            retry: Some(2),
        }
    );
    assert_eq!(g.subflows[1].retry, None);
    assert!(g.subflows[1].node_ids.is_empty());
    assert_eq!(g.nodes[0].id, "subflow");
    assert_eq!(g.edges[0].source, "subflow");
    assert_eq!(g.subflows.len(), 3);
    assert_err(
        "flow \"A\"\nsubflow s[\"S\"] retry x {}\n",
        2,
        22,
        "after 'retry', found 'x'",
    );
    assert_err(
        "flow \"A\"\nsubflow s[\"S\"] retry 4294967296\n",
        2,
        22,
        "found '4294967296'",
    );
    assert_err("flow \"A\"\nsubflow s[S]\n", 2, 11, "expected a string");
    assert_err(
        "flow \"A\"\nsubflow s[\"S\"] { a b }\n",
        2,
        20,
        "expected ',', a new line or '}' after the member",
    );
}

#[test]
fn duplicates_are_errors_at_the_second_occurrence() {
    assert_err(
        "flow \"A\"\na[action: \"x\"]\n\n  a[utility: \"y\"]\n",
        4,
        3,
        "duplicate id 'a' (first defined at 2:1)",
    );
    assert_err(
        "flow \"A\"\na[action: \"x\"]\nsubflow a[\"S\"]\n",
        3,
        9,
        "duplicate id 'a'",
    );
    assert_err(
        "flow \"A\"\nsubflow a[\"S\"]\na[action: \"x\"]\n",
        3,
        1,
        "duplicate id 'a' (first defined at 2:9)",
    );
    assert_err(
        "flow \"A\"\na[action: \"x\"] {\n  k: 1\n  \"k\": 2\n}\n",
        4,
        3,
        "duplicate data key 'k' (first at 3:3)",
    );
    assert_err(
        "flow \"A\"\na[action: \"x\"] { k: {\"a\": 1, \"a\": 2} }\n",
        2,
        30,
        "duplicate key 'a' in the object (first at 2:22)",
    );
}

#[test]
fn node_errors() {
    assert_err(
        "flow \"A\"\n\nbuild[action \"Build\"]\n",
        3,
        14,
        "expected ':' after the node kind, found '\"'",
    );
    let e = err("flow \"A\"\n\nbuild[action \"Build\"]\n");
    assert_eq!(
        e.to_string(),
        "3:14: expected ':' after the node kind, found '\"'"
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"\n",
        2,
        14,
        "expected ']' after the node label, found end of line",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] x\n",
        2,
        16,
        "expected end of line after the node",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  label: \"x\"\n}\n",
        3,
        3,
        "the label goes in the brackets",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  k \"x\"\n}\n",
        3,
        5,
        "expected ':' after the data key",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  k: yes\n}\n",
        3,
        6,
        "found 'yes'",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  k: 1 2\n}\n",
        3,
        8,
        "expected ',', a new line or '}' after the value of 'k'",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  k: 1,,\n}\n",
        3,
        8,
        "expected a data key or '}', found ','",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] {\n  k: 1\n",
        4,
        1,
        "found end of input",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] { k: [1 2] }\n",
        2,
        24,
        "expected ',' or ']' in the array",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] { k: {a: 1} }\n",
        2,
        22,
        "expected a quoted key in the object",
    );
    assert_err(
        "flow \"A\"\nb[action: \"B\"] { k: }\n",
        2,
        21,
        "expected a value",
    );
}

#[test]
fn nesting_is_bounded() {
    let deep = format!(
        "flow \"A\"\nb[action: \"B\"] {{ k: {} }}\n",
        "[".repeat(10_000)
    );
    let e = err(&deep);
    assert!(e.message.contains("levels of nested"), "{e}");
    let ok = format!(
        "flow \"A\"\nb[action: \"B\"] {{ k: {}{} }}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(parse(&ok).is_ok());
}

#[test]
fn crlf_bom_and_tabs() {
    let g = parse("\u{feff}flow \"A\" v2\r\n\r\nn[action:\t\"N\"] {\r\n  k: 1\r\n}\r\nn.pass --> m when x == 1\r\n").unwrap();
    assert_eq!(g.version, "2");
    assert_eq!(g.nodes[0].data["k"], 1);
    assert_eq!(g.edges[0].condition.as_deref(), Some("x == 1"));
}

#[test]
fn serialize_is_total_for_awkward_graphs() {
    let mut g = FlowGraph::new("A");
    g.version = "1 0\tbeta".into();
    g.edges.push(FlowEdge {
        source: "a".into(),
        target: "b".into(),
        outcome: EdgeOutcome::Fail,
        label: None,
        condition: Some("  x ==\n1\r\n ".into()),
    });
    g.edges.push(FlowEdge {
        source: "a".into(),
        target: "b".into(),
        outcome: EdgeOutcome::Always,
        label: Some(String::new()),
        condition: Some("\n".into()),
    });
    let text = serialize(&g);
    assert_eq!(
        text,
        "flow \"A\" v1_0_beta\n\na.fail --> b when x == 1\na --> b label \"\"\n"
    );
    let back = parse(&text).unwrap();
    assert_eq!(back.edges[0].condition.as_deref(), Some("x == 1"));
    assert_eq!(back.edges[1].condition, None);
    // Ids that are not identifiers are written as they are and do not read back.
    let mut g = FlowGraph::new("A");
    g.edges.push(FlowEdge {
        source: "has space".into(),
        target: String::new(),
        outcome: EdgeOutcome::Always,
        label: None,
        condition: None,
    });
    assert_eq!(serialize(&g), "flow \"A\" v1.0.0\n\nhas space --> \n");
    assert!(parse(&serialize(&g)).is_err());
}

#[test]
fn an_empty_flow_round_trips() {
    let g = FlowGraph::new("Empty");
    assert_eq!(serialize(&g), "flow \"Empty\" v1.0.0\n");
    assert_eq!(parse(&serialize(&g)).unwrap(), g);
}

#[test]
fn a_carriage_return_inside_a_condition_is_kept() {
    let g = parse("flow \"A\"\na --> b when x\r== 1\r\n").unwrap();
    assert_eq!(g.edges[0].condition.as_deref(), Some("x\r== 1"));
    assert_eq!(parse(&serialize(&g)).unwrap(), g);
}
