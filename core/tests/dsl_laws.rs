#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]
//! Property tests for the Flow DSL: round trip, canonical fixed point, and no panics.

use flow_core::flows::dsl::{parse, serialize};
use flow_core::flows::slug::slugify;
use flow_core::flows::{EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position, SubFlow};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Characters that stress the escaper and the lexer, mixed into otherwise arbitrary text.
const SPECIAL: &[char] = &[
    '"', '\\', '\n', '\r', '\t', '\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{feff}', '{',
    '}', '[', ']', '#', '/', ':', ',', '.', '-', '>', ' ', 'é', '😀', 'u',
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![any::<char>(), prop::sample::select(SPECIAL)],
        0..16,
    )
    .prop_map(String::from_iter)
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,10}"
}

fn kind() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["action", "ai", "agentic", "utility", "service"])
            .prop_map(str::to_owned),
        1 => "[A-Za-z_][A-Za-z0-9_-]{0,8}",
        1 => text(),
    ]
}

/// A condition as the DSL can hold it: one line, no surrounding whitespace, not empty.
fn condition() -> impl Strategy<Value = String> {
    text()
        .prop_map(|s| s.replace('\n', " ").trim().to_owned())
        .prop_filter("a condition is not empty", |s| !s.is_empty())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn data() -> impl Strategy<Value = Map<String, Value>> {
    let key = prop_oneof![
        "[A-Za-z_][A-Za-z0-9_-]{0,8}",
        Just("label".to_owned()),
        text()
    ];
    prop::collection::vec((key, json_value()), 0..5).prop_map(|pairs| pairs.into_iter().collect())
}

fn node() -> impl Strategy<Value = FlowNode> {
    (id(), kind(), text(), data(), any::<(i16, i16)>()).prop_map(
        |(id, node_type, label, data, (x, y))| FlowNode {
            id,
            node_type,
            label,
            data,
            position: Position {
                x: f64::from(x),
                y: f64::from(y),
            },
        },
    )
}

fn edge() -> impl Strategy<Value = FlowEdge> {
    (
        id(),
        id(),
        prop::sample::select(vec![
            EdgeOutcome::Always,
            EdgeOutcome::Pass,
            EdgeOutcome::Fail,
        ]),
        prop::option::of(text()),
        prop::option::of(condition()),
    )
        .prop_map(|(source, target, outcome, label, condition)| FlowEdge {
            source,
            target,
            outcome,
            label,
            condition,
        })
}

fn subflow() -> impl Strategy<Value = SubFlow> {
    (
        id(),
        text(),
        prop::collection::vec(id(), 0..4),
        prop::option::of(any::<u32>()),
    )
        .prop_map(|(id, label, node_ids, retry)| SubFlow {
            id,
            label,
            node_ids,
            retry,
        })
}

/// A graph the DSL can hold: valid, unique ids; everything else arbitrary.
fn graph() -> impl Strategy<Value = FlowGraph> {
    (
        text(),
        text().prop_map(|v| v.chars().filter(|c| !c.is_whitespace()).collect::<String>()),
        prop::option::of(text()),
        prop::collection::vec(node(), 0..6),
        prop::collection::vec(edge(), 0..8),
        prop::collection::vec(subflow(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(name, version, description, mut nodes, mut edges, mut subflows, link)| {
                // Suffixes keep ids unique, and node and sub-flow ids apart.
                for (i, node) in nodes.iter_mut().enumerate() {
                    node.id = format!("{}_{i}", node.id);
                }
                for (i, subflow) in subflows.iter_mut().enumerate() {
                    subflow.id = format!("{}_s{i}", subflow.id);
                }
                // Most edges should join real nodes, like a real flow's do.
                if link && !nodes.is_empty() {
                    for (i, edge) in edges.iter_mut().enumerate() {
                        edge.source = nodes[i % nodes.len()].id.clone();
                        edge.target = nodes[(i * 7 + 1) % nodes.len()].id.clone();
                    }
                }
                FlowGraph {
                    id: "whatever".to_owned(),
                    name,
                    version,
                    description,
                    nodes,
                    edges,
                    subflows,
                }
            },
        )
}

/// What parsing the serialized graph must give back.
fn normalized(graph: &FlowGraph) -> FlowGraph {
    let mut expected = graph.clone();
    expected.id = slugify(&expected.name);
    for node in &mut expected.nodes {
        node.position = Position::default();
    }
    expected
}

/// A small deterministic generator for the noise, seeded by proptest.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len())]
    }
    /// Optional inline whitespace.
    fn ws(&mut self) -> &'static str {
        self.pick(&["", "", " ", "  ", "\t"])
    }
    /// Required inline whitespace.
    fn ws1(&mut self) -> &'static str {
        self.pick(&[" ", " ", "  ", "\t", " \t "])
    }
    fn newline(&mut self) -> &'static str {
        self.pick(&["\n", "\n", "\r\n"])
    }
    /// The end of a line: maybe a comment, then a newline.
    fn eol(&mut self) -> String {
        let comment = self.pick(&["", "", "", " # note", "\t// \"quoted\" {", "# -->"]);
        format!("{comment}{}", self.newline())
    }
    /// Blank and comment lines.
    fn filler(&mut self) -> String {
        let mut out = String::new();
        for _ in 0..self.below(3) {
            out.push_str(self.pick(&["", "  ", "# comment", "// flow \"x\"", "\t# a --> b"]));
            out.push_str(self.newline());
        }
        out
    }
}

fn quoted(s: &str) -> String {
    // The canonical writer's escaping is what is under test elsewhere; here only the layout varies.
    let one = FlowGraph::new(s);
    let text = serialize(&one);
    let start = text.find('"').unwrap();
    let end = text.rfind("\" v").unwrap();
    text[start..=end].to_owned()
}

fn noisy_value(value: &Value, noise: &mut Noise) -> String {
    let gap = |noise: &mut Noise| -> String {
        match noise.below(6) {
            0 => format!("{}# in a value{}  ", noise.ws(), noise.newline()),
            1 => noise.newline().to_owned(),
            _ => noise.ws().to_owned(),
        }
    };
    match value {
        Value::Array(items) => {
            let mut out = format!("[{}", gap(noise));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&format!(",{}", gap(noise)));
                }
                out.push_str(&noisy_value(item, noise));
                out.push_str(&gap(noise));
            }
            out.push(']');
            out
        }
        Value::Object(map) => {
            let mut out = format!("{{{}", gap(noise));
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(&format!(",{}", gap(noise)));
                }
                out.push_str(&quoted(key));
                out.push_str(&gap(noise));
                out.push(':');
                out.push_str(&gap(noise));
                out.push_str(&noisy_value(item, noise));
                out.push_str(&gap(noise));
            }
            out.push('}');
            out
        }
        // Scalars are written like the canonical form; spacing is the point here.
        other => {
            let mut node = FlowNode {
                id: "n".into(),
                node_type: "ai".into(),
                label: String::new(),
                data: Map::new(),
                position: Position::default(),
            };
            node.data.insert("k".into(), other.clone());
            let mut g = FlowGraph::new("x");
            g.nodes.push(node);
            let text = serialize(&g);
            let start = text.find("k: ").unwrap() + 3;
            let end = text[start..].find('\n').unwrap() + start;
            text[start..end].to_owned()
        }
    }
}

fn noisy_node(node: &FlowNode, noise: &mut Noise) -> String {
    let mut out = String::new();
    out.push_str(&node.id);
    out.push_str(noise.ws());
    out.push('[');
    out.push_str(noise.ws());
    let bare_kind = node
        .node_type
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && node
            .node_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare_kind && !noise.chance(4) {
        out.push_str(&node.node_type);
    } else {
        out.push_str(&quoted(&node.node_type));
    }
    out.push_str(noise.ws());
    out.push(':');
    out.push_str(noise.ws());
    out.push_str(&quoted(&node.label));
    out.push_str(noise.ws());
    out.push(']');
    if node.data.is_empty() {
        if noise.chance(3) {
            out.push_str(&format!("{}{{{}}}", noise.ws1(), noise.ws()));
        }
        out.push_str(&noise.eol());
        return out;
    }
    out.push_str(noise.ws1());
    out.push('{');
    out.push_str(&noise.eol());
    let count = node.data.len();
    for (i, (key, value)) in node.data.iter().enumerate() {
        out.push_str(&noise.filler());
        out.push_str(noise.ws());
        let bare = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && key != "label";
        if bare && !noise.chance(3) {
            out.push_str(key);
        } else {
            out.push_str(&quoted(key));
        }
        out.push_str(noise.ws());
        out.push(':');
        out.push_str(noise.ws());
        out.push_str(&noisy_value(value, noise));
        out.push_str(noise.ws());
        let last = i + 1 == count;
        match noise.below(4) {
            0 if !last => out.push_str(&format!(",{}", noise.ws())),
            1 => out.push_str(&format!(",{}", noise.eol())),
            _ => out.push_str(&noise.eol()),
        }
    }
    out.push_str(noise.ws());
    out.push('}');
    out.push_str(&noise.eol());
    out
}

fn noisy_subflow(subflow: &SubFlow, noise: &mut Noise) -> String {
    let mut out = format!(
        "subflow{}{}{}[{}{}{}]",
        noise.ws1(),
        subflow.id,
        noise.ws(),
        noise.ws(),
        quoted(&subflow.label),
        noise.ws()
    );
    if let Some(retry) = subflow.retry {
        out.push_str(&format!("{}retry{}{retry}", noise.ws1(), noise.ws1()));
    }
    if subflow.node_ids.is_empty() && noise.chance(2) {
        out.push_str(&noise.eol());
        return out;
    }
    out.push_str(&format!("{}{{{}", noise.ws1(), noise.ws()));
    for member in &subflow.node_ids {
        out.push_str(&noise.filler());
        out.push_str(member);
        out.push_str(noise.ws());
        if noise.chance(2) {
            out.push_str(&format!(",{}", noise.ws()));
        } else {
            out.push_str(&noise.eol());
        }
    }
    out.push('}');
    out.push_str(&noise.eol());
    out
}

fn noisy_edge(edge: &FlowEdge, noise: &mut Noise) -> String {
    let mut out = edge.source.clone();
    match edge.outcome {
        EdgeOutcome::Always if noise.chance(2) => out.push_str(".always"),
        EdgeOutcome::Always => {}
        outcome => {
            out.push('.');
            out.push_str(outcome.as_str());
        }
    }
    out.push_str(&format!("{}-->{}", noise.ws(), noise.ws()));
    out.push_str(&edge.target);
    if let Some(label) = &edge.label {
        out.push_str(&format!(
            "{}label{}{}",
            noise.ws1(),
            noise.ws(),
            quoted(label)
        ));
    }
    match &edge.condition {
        // The condition runs to the end of the line, so no comment may follow it.
        Some(condition) => out.push_str(&format!(
            "{}when{}{condition}{}{}",
            noise.ws1(),
            noise.ws1(),
            noise.ws(),
            noise.newline()
        )),
        None => out.push_str(&format!("{}{}", noise.ws(), noise.eol())),
    }
    out
}

/// The graph written with random layout: blank lines, comments, commas, spacing, `.always`,
/// CRLF, quoted keys, and nodes, sub-flows and edges interleaved.
fn noisy(graph: &FlowGraph, seed: u64) -> String {
    let mut noise = Noise(seed);
    let mut out = noise.filler();
    out.push_str(&format!(
        "{}flow{}{}",
        noise.ws(),
        noise.ws1(),
        quoted(&graph.name)
    ));
    if graph.version != "1.0.0" || noise.chance(2) {
        out.push_str(&format!("{}v{}", noise.ws1(), graph.version));
        // Text after `v` runs to whitespace, so a comment needs a space first.
        out.push_str(&format!(" {}", noise.eol()));
    } else {
        out.push_str(&noise.eol());
    }
    if let Some(description) = &graph.description {
        out.push_str(&noise.filler());
        out.push_str(&format!(
            "description{}{}",
            noise.ws1(),
            quoted(description)
        ));
        out.push_str(&noise.eol());
    }
    let (mut n, mut s, mut e) = (0, 0, 0);
    while n < graph.nodes.len() || s < graph.subflows.len() || e < graph.edges.len() {
        out.push_str(&noise.filler());
        match noise.below(3) {
            0 if n < graph.nodes.len() => {
                out.push_str(&noisy_node(&graph.nodes[n], &mut noise));
                n += 1;
            }
            1 if s < graph.subflows.len() => {
                out.push_str(&noisy_subflow(&graph.subflows[s], &mut noise));
                s += 1;
            }
            2 if e < graph.edges.len() => {
                out.push_str(&noisy_edge(&graph.edges[e], &mut noise));
                e += 1;
            }
            _ => {}
        }
    }
    out.push_str(&noise.filler());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Law 1: parse(serialize(g)) is g, positions zeroed and id the slug of the name.
    #[test]
    fn serialize_then_parse_is_identity(g in graph()) {
        let text = serialize(&g);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, normalized(&g), "{}", text);
    }

    /// Law 2: the canonical form is a fixed point, whatever the layout of the input.
    #[test]
    fn canonical_form_is_a_fixed_point(g in graph(), seed in any::<u64>()) {
        let source = noisy(&g, seed);
        let parsed = parse(&source).map_err(|e| TestCaseError::fail(format!("{e}\n{source}")))?;
        prop_assert_eq!(&parsed, &normalized(&g), "{}", source);
        let once = serialize(&parsed);
        let twice = serialize(&parse(&once).map_err(|e| TestCaseError::fail(e.to_string()))?);
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(once, serialize(&g));
    }

    /// Law 3a: arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _result = parse(&s);
    }

    /// Law 3b: DSL-flavoured character soup never panics the parser.
    #[test]
    fn dsl_soup_never_panics(chars in prop::collection::vec(prop_oneof![
        prop::sample::select(SPECIAL),
        prop::sample::select(&['f', 'l', 'o', 'w', 'v', 'a', 'b', '1', '0', 'e', 'E', '+', '\n', ' ']),
        any::<char>(),
    ], 0..200)) {
        let source = format!("flow \"x\"\n{}", String::from_iter(chars));
        let _result = parse(&source);
    }

    /// Law 3c: valid documents with random character edits parse or fail, never panic; and
    /// whatever parses is a canonical fixed point.
    #[test]
    fn mutated_documents_never_panic(g in graph(), edits in prop::collection::vec(
        (0..3u8, any::<prop::sample::Index>(), prop_oneof![any::<char>(), prop::sample::select(SPECIAL)]),
        1..8,
    )) {
        let mut chars: Vec<char> = serialize(&g).chars().collect();
        for (op, at, c) in edits {
            match op {
                0 => chars.insert(at.index(chars.len() + 1), c),
                1 if !chars.is_empty() => { chars.remove(at.index(chars.len())); }
                _ if !chars.is_empty() => { let i = at.index(chars.len()); chars[i] = c; }
                _ => chars.push(c),
            }
        }
        let source = String::from_iter(chars);
        if let Ok(parsed) = parse(&source) {
            let once = serialize(&parsed);
            let reparsed = parse(&once);
            prop_assert!(reparsed.is_ok(), "{:?}\n{}", reparsed, once);
            prop_assert_eq!(serialize(&reparsed.unwrap()), once);
        }
    }
}
