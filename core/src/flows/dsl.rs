//! The Flow DSL: text to [`FlowGraph`] and back.
//!
//! # Grammar
//!
//! ```text
//! flow "Release pipeline" v1.2.0          # header: the first non-blank, non-comment line
//! description "Builds and ships"          # optional: only as the first statement after the header
//!
//! build[action: "Build it"] {             # node: <id>[<kind>: "<label>"] { body }, body optional
//!   adapter: "shell"
//!   timeoutMs: 60000, retries: 2          # fields: one per line, or separated by a comma
//!   env: {"RUST_LOG": "debug", "n": [1, {"x": 2}]}
//!   "odd key": 1
//! }
//! notify[utility: "Notify"]
//!
//! subflow unit["Build and test"] retry 2 {   # members separated by newlines or commas
//!   build
//!   test
//! }
//!
//! build --> test                          # always
//! build.pass --> deploy label "ship it"   # .pass / .fail / .always (canonical form omits .always)
//! test.fail --> triage when {{test.exitCode}} != 0
//! ```
//!
//! - **Header.** `flow "<name>"`, then optionally `v<version>`: the text after `v` is kept
//!   verbatim up to the next whitespace (default `1.0.0`). The graph id is the slug of the name.
//! - **Description.** `description "<text>"` is a statement only as the first statement after
//!   the header (blank lines and comments may come between); anywhere else, and whenever it is
//!   followed by `[` or `-->`, `description` is an ordinary id. The same goes for `subflow`
//!   (a sub-flow only when another id follows it), `flow`, `label`, `when` and `retry`.
//! - **Ids** are `[A-Za-z0-9_-]+`; an id stops before `-->`, so `a-->b` is an edge.
//! - **Node kinds** are any bare identifier `[A-Za-z_][A-Za-z0-9_-]*`, or (an extension) a quoted
//!   string. Only `action`, `ai`, `agentic`, `utility` and `service` run, but an unknown kind is
//!   deliberately not a parse error: the validator flags it, and graph → DSL → graph never loses a
//!   node.
//! - **Data keys** are a bare identifier or a quoted string. A bare `label` is an error (the label
//!   goes in the brackets); the quoted `"label"` is an ordinary key. A key given twice in one
//!   body (or one object) is an error at the second.
//! - **Values** are any JSON value (an extension: objects and nested arrays too, so no data is
//!   lost); inside arrays and objects newlines and comments are whitespace. Numbers use JSON
//!   syntax and stay exact `i64`/`u64` when integral, `f64` otherwise.
//! - **Strings** are double-quoted with the escapes `\"`, `\\`, `\n`, `\t`, `\r` and `\u{XXXX}`
//!   (1–6 hex digits). Any other escape, and a raw newline, is an error.
//! - **Comments** run from `#` or `//` to the end of the line, outside strings, except after
//!   `when`: a condition is the rest of its line verbatim (trimmed), comment markers included,
//!   because expressions may contain them.
//! - **Edges** are `src[.pass|.fail|.always] --> dst [label "<text>"] [when <condition>]`.
//! - **Sub-flows** are `subflow <id>["<label>"] [retry N] [{ members }]`.
//! - Node and sub-flow ids share one namespace: a second definition is an error at its
//!   `line:column`. References are purely syntactic: edges and members may name nodes defined
//!   later or never (the validator reports dangling ones).
//! - Positions are not part of the DSL: parsed nodes sit at the origin.
//!
//! Errors carry a 1-based `line:column` (column in characters) and say what was expected and what
//! was found. The parser never panics and bounds its nesting depth, whatever the input.
//!
//! # Canonical form
//!
//! [`serialize`] writes the header, the description, each node (two-space indented body, compact
//! JSON values), each sub-flow and then the edges, with a blank line between blocks and a
//! trailing newline. It is total: whitespace in a version becomes `_`, newlines in a condition
//! become spaces (an empty condition is dropped), and ids that are not `[A-Za-z0-9_-]+` are
//! written as they are (they cannot read back; the validator flags them). For every graph
//! without such ids, `parse(serialize(g))` is `g` with positions zeroed and `id = slugify(name)`.

mod cursor;
mod escape;
mod lexer;
mod parser;
mod serializer;
#[cfg(test)]
mod tests;

use super::graph::FlowGraph;

/// A parse failure: where (1-based line and column) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct DslError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What was expected and what was found.
    pub message: String,
}

/// Parses DSL text into a graph.
pub fn parse(source: &str) -> Result<FlowGraph, DslError> {
    parser::parse(source)
}

/// Writes a graph as canonical DSL text.
pub fn serialize(graph: &FlowGraph) -> String {
    serializer::serialize(graph)
}
