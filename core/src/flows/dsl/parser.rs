//! DSL text to [`FlowGraph`]: a recursive-descent parser over the [`Cursor`].
//!
//! Statements are line-oriented (a node, sub-flow or edge ends at its newline); inside `{ … }`
//! newlines separate fields and members, and inside JSON arrays and objects they are plain
//! whitespace.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::DslError;
use super::cursor::{Cursor, Pos, describe};
use super::escape::read_string;
use super::lexer::{is_id_char, read_id, read_ident, read_number};
use crate::flows::graph::{
    DEFAULT_FLOW_VERSION, EdgeOutcome, FlowEdge, FlowGraph, FlowNode, Position, SubFlow,
};

/// How deep arrays and objects may nest; bounds the recursion so no input can overflow the stack.
const MAX_DEPTH: usize = 128;

/// Parses a whole document.
pub(crate) fn parse(source: &str) -> Result<FlowGraph, DslError> {
    let mut parser = Parser {
        cur: Cursor::new(source),
        ids: HashMap::new(),
    };
    let mut graph = parser.header()?;
    parser.statements(&mut graph)?;
    Ok(graph)
}

struct Parser<'a> {
    cur: Cursor<'a>,
    /// Every node and sub-flow id seen so far and where, to report duplicates.
    ids: HashMap<String, Pos>,
}

impl Parser<'_> {
    /// `flow "<name>" [v<version>]`, then an optional `description "<text>"` statement.
    fn header(&mut self) -> Result<FlowGraph, DslError> {
        self.cur.skip_blank();
        if !self.eat_keyword("flow") {
            return Err(self.error_here("expected the header `flow \"<name>\"` first"));
        }
        self.cur.skip_inline();
        let name = read_string(&mut self.cur)?;
        self.cur.skip_inline();
        let version = if self.cur.eat('v') {
            self.cur.take_while(|_, c| !c.is_whitespace()).to_owned()
        } else {
            DEFAULT_FLOW_VERSION.to_owned()
        };
        self.end_of_statement("after the header")?;

        // `new` sets the id to the slug of the name.
        let mut graph = FlowGraph::new(name);
        graph.version = version;

        // `description "…"` is a statement only right after the header; looking ahead on a copy
        // keeps `description` free as a node id everywhere (a node has `[` or `-->` next).
        let mut ahead = self.cur.clone();
        ahead.skip_blank();
        if keyword_at(&ahead, "description") {
            let mut probe = ahead.clone();
            probe.eat_str("description");
            probe.skip_inline();
            if probe.peek() == Some('"') {
                self.cur = probe;
                graph.description = Some(read_string(&mut self.cur)?);
                self.end_of_statement("after the description")?;
            }
        }
        Ok(graph)
    }

    /// Nodes, sub-flows and edges, in any order, one per line.
    fn statements(&mut self, graph: &mut FlowGraph) -> Result<(), DslError> {
        loop {
            self.cur.skip_blank();
            if self.cur.peek().is_none() {
                return Ok(());
            }
            let (id, at) = read_id(&mut self.cur, "a node, a sub-flow or an edge")?;
            self.cur.skip_inline();
            let is_edge = self.cur.peek() == Some('.') || self.cur.starts_with("-->");
            let context = match self.cur.peek() {
                Some(c) if id == "subflow" && is_id_char(c) && !is_edge => {
                    graph.subflows.push(self.subflow()?);
                    "after the sub-flow"
                }
                Some('[') => {
                    graph.nodes.push(self.node(id, at)?);
                    "after the node"
                }
                _ if is_edge => {
                    graph.edges.push(self.edge(id)?);
                    "after the edge"
                }
                found => {
                    let hint = if id == "description" && found == Some('"') {
                        " (a description goes on the line right after the header)"
                    } else {
                        ""
                    };
                    return Err(self.error_here(format!(
                        "expected '[' (a node) or '-->' (an edge) after '{id}'{hint}"
                    )));
                }
            };
            self.end_of_statement(context)?;
        }
    }

    /// `<id>[<kind>: "<label>"] { body }`, the cursor at `[`.
    fn node(&mut self, id: String, at: Pos) -> Result<FlowNode, DslError> {
        self.register(&id, at)?;
        self.expect('[', "after the node id")?;
        self.cur.skip_inline();
        // A quoted kind is an extension so that a kind read from JSON that is not an identifier
        // still survives serialize → parse.
        let node_type = if self.cur.peek() == Some('"') {
            read_string(&mut self.cur)?
        } else {
            read_ident(
                &mut self.cur,
                "the node kind (action, ai, agentic, utility, service)",
            )?
            .0
        };
        self.cur.skip_inline();
        self.expect(':', "after the node kind")?;
        self.cur.skip_inline();
        let label = read_string(&mut self.cur)?;
        self.cur.skip_inline();
        self.expect(']', "after the node label")?;
        self.cur.skip_inline();
        let data = if self.cur.peek() == Some('{') {
            self.body()?
        } else {
            Map::new()
        };
        Ok(FlowNode {
            id,
            node_type,
            label,
            data,
            position: Position::default(),
        })
    }

    /// `{ key: value … }`: fields separated by newlines or commas.
    fn body(&mut self) -> Result<Map<String, Value>, DslError> {
        self.expect('{', "to open the node body")?;
        let mut data = Map::new();
        let mut seen: Vec<Pos> = Vec::new();
        self.cur.skip_blank();
        while !self.cur.eat('}') {
            let at = self.cur.pos();
            let key = if self.cur.peek() == Some('"') {
                read_string(&mut self.cur)?
            } else {
                let (key, _) = read_ident(&mut self.cur, "a data key or '}'")?;
                if key == "label" {
                    return Err(at.error(
                        "expected a data key, found 'label': the label goes in the brackets, \
                         id[kind: \"label\"] (write \"label\" quoted for a data key of that name)",
                    ));
                }
                key
            };
            if let Some(first) = first_position(&data, &seen, &key) {
                return Err(at.error(format!(
                    "duplicate data key '{key}' (first at {}:{})",
                    first.line, first.column
                )));
            }
            seen.push(at);
            self.cur.skip_inline();
            self.expect(':', "after the data key")?;
            self.cur.skip_inline();
            let value = self.value(0)?;
            self.cur.skip_inline();
            let needs_separator = self.cur.peek() != Some('}');
            let separated = self.cur.eat(',') || self.cur.eat('\n');
            if needs_separator && !separated {
                return Err(self.error_here(format!(
                    "expected ',', a new line or '}}' after the value of '{key}'"
                )));
            }
            data.insert(key, value);
            if separated {
                self.cur.skip_blank();
            }
        }
        Ok(data)
    }

    /// A JSON value whose strings use the DSL's escapes.
    fn value(&mut self, depth: usize) -> Result<Value, DslError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_here(format!(
                "expected at most {MAX_DEPTH} levels of nested arrays and objects"
            )));
        }
        match self.cur.peek() {
            Some('"') => Ok(Value::String(read_string(&mut self.cur)?)),
            Some('[') => self.array(depth),
            Some('{') => self.object(depth),
            Some('-' | '0'..='9') => Ok(Value::Number(read_number(&mut self.cur)?)),
            Some(c) if c.is_ascii_alphabetic() => {
                let at = self.cur.pos();
                let word = self.cur.take_while(|_, c| is_id_char(c));
                match word {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    _ => Err(at.error(format!(
                        "expected a value (string, number, true, false, null, array or object), \
                         found '{word}' (quote text: \"{word}\")"
                    ))),
                }
            }
            _ => Err(self.error_here(
                "expected a value (string, number, true, false, null, array or object)",
            )),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, DslError> {
        self.expect('[', "to open the array")?;
        let mut items = Vec::new();
        self.cur.skip_blank();
        if self.cur.eat(']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.cur.skip_blank();
            if self.cur.eat(']') {
                return Ok(Value::Array(items));
            }
            self.expect(',', "or ']' in the array")?;
            self.cur.skip_blank();
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, DslError> {
        self.expect('{', "to open the object")?;
        let mut map = Map::new();
        let mut seen: Vec<Pos> = Vec::new();
        self.cur.skip_blank();
        if self.cur.eat('}') {
            return Ok(Value::Object(map));
        }
        loop {
            let at = self.cur.pos();
            if self.cur.peek() != Some('"') {
                return Err(self.error_here("expected a quoted key in the object"));
            }
            let key = read_string(&mut self.cur)?;
            if let Some(first) = first_position(&map, &seen, &key) {
                return Err(at.error(format!(
                    "duplicate key '{key}' in the object (first at {}:{})",
                    first.line, first.column
                )));
            }
            seen.push(at);
            self.cur.skip_blank();
            self.expect(':', "after the object key")?;
            self.cur.skip_blank();
            let value = self.value(depth + 1)?;
            map.insert(key, value);
            self.cur.skip_blank();
            if self.cur.eat('}') {
                return Ok(Value::Object(map));
            }
            self.expect(',', "or '}' in the object")?;
            self.cur.skip_blank();
        }
    }

    /// `src[.outcome] --> dst [label "…"] [when <rest of line>]`, the cursor after `src`.
    fn edge(&mut self, source: String) -> Result<FlowEdge, DslError> {
        let mut outcome = EdgeOutcome::Always;
        if self.cur.eat('.') {
            let (word, at) = read_ident(&mut self.cur, "pass, fail or always after '.'")?;
            outcome = match word.as_str() {
                "pass" => EdgeOutcome::Pass,
                "fail" => EdgeOutcome::Fail,
                "always" => EdgeOutcome::Always,
                _ => {
                    return Err(at.error(format!(
                        "expected pass, fail or always after '.', found '{word}'"
                    )));
                }
            };
            self.cur.skip_inline();
        }
        if !self.cur.eat_str("-->") {
            return Err(self.error_here("expected '-->' after the edge source"));
        }
        self.cur.skip_inline();
        let (target, _) = read_id(&mut self.cur, "the edge target")?;
        self.cur.skip_inline();
        let mut label = None;
        if self.eat_keyword("label") {
            self.cur.skip_inline();
            label = Some(read_string(&mut self.cur)?);
            self.cur.skip_inline();
        }
        let mut condition = None;
        if self.eat_keyword("when") {
            // The condition is the rest of the line verbatim, `#` and `//` included: expressions
            // may well contain them, and a comment cannot follow a condition.
            let at = self.cur.pos();
            let text = self.cur.take_until(&[]).trim();
            if text.is_empty() {
                return Err(at.error("expected a condition after 'when', found end of line"));
            }
            condition = Some(text.to_owned());
        }
        if !self.cur.at_line_end() {
            return Err(self.error_here(format!(
                "expected 'label', 'when' or end of line after the edge target '{target}'"
            )));
        }
        Ok(FlowEdge {
            source,
            target,
            outcome,
            label,
            condition,
        })
    }

    /// `subflow <id>["<label>"] [retry N] [{ members }]`, the cursor after `subflow`.
    fn subflow(&mut self) -> Result<SubFlow, DslError> {
        let (id, at) = read_id(&mut self.cur, "the sub-flow id")?;
        self.register(&id, at)?;
        self.cur.skip_inline();
        self.expect('[', "after the sub-flow id")?;
        self.cur.skip_inline();
        let label = read_string(&mut self.cur)?;
        self.cur.skip_inline();
        self.expect(']', "after the sub-flow label")?;
        self.cur.skip_inline();
        let mut retry = None;
        if self.eat_keyword("retry") {
            self.cur.skip_inline();
            let at = self.cur.pos();
            let digits = self.cur.take_while(|_, c| c.is_ascii_digit());
            let n = digits.parse::<u32>().map_err(|_| {
                at.error(format!(
                    "expected a whole number from 0 to {} after 'retry', found {}",
                    u32::MAX,
                    if digits.is_empty() {
                        describe(self.cur.peek())
                    } else {
                        format!("'{digits}'")
                    }
                ))
            })?;
            retry = Some(n);
            self.cur.skip_inline();
        }
        let mut node_ids = Vec::new();
        if self.cur.eat('{') {
            self.cur.skip_blank();
            while !self.cur.eat('}') {
                let (member, _) = read_id(&mut self.cur, "a member node id or '}'")?;
                node_ids.push(member);
                self.cur.skip_inline();
                if self.cur.eat(',') || self.cur.eat('\n') {
                    self.cur.skip_blank();
                } else if self.cur.peek() != Some('}') {
                    return Err(self.error_here("expected ',', a new line or '}' after the member"));
                }
            }
        }
        Ok(SubFlow {
            id,
            label,
            node_ids,
            retry,
        })
    }

    /// Records a node or sub-flow id; the second definition of an id is an error.
    fn register(&mut self, id: &str, at: Pos) -> Result<(), DslError> {
        if let Some(first) = self.ids.get(id) {
            return Err(at.error(format!(
                "duplicate id '{id}' (first defined at {}:{})",
                first.line, first.column
            )));
        }
        self.ids.insert(id.to_owned(), at);
        Ok(())
    }

    fn expect(&mut self, c: char, context: &str) -> Result<(), DslError> {
        if self.cur.eat(c) {
            Ok(())
        } else {
            Err(self.error_here(format!("expected '{c}' {context}")))
        }
    }

    fn end_of_statement(&mut self, context: &str) -> Result<(), DslError> {
        self.cur.skip_inline();
        if self.cur.at_line_end() {
            Ok(())
        } else {
            Err(self.error_here(format!("expected end of line {context}")))
        }
    }

    /// Consumes `word` when it stands alone (not the start of a longer id).
    fn eat_keyword(&mut self, word: &str) -> bool {
        keyword_at(&self.cur, word) && self.cur.eat_str(word)
    }

    /// An error at the cursor: `<expected>, found <what is there>`.
    fn error_here(&self, expected: impl AsRef<str>) -> DslError {
        self.cur.pos().error(format!(
            "{}, found {}",
            expected.as_ref(),
            describe(self.cur.peek())
        ))
    }
}

/// Where `key` was first given, when `map` already holds it (`seen` follows the map's order, so
/// the common no-duplicate case costs one hash lookup and no key copies).
fn first_position(map: &Map<String, Value>, seen: &[Pos], key: &str) -> Option<Pos> {
    if !map.contains_key(key) {
        return None;
    }
    map.keys()
        .position(|k| k == key)
        .and_then(|i| seen.get(i).copied())
}

/// Whether the cursor is at `word` followed by something that cannot continue an id.
fn keyword_at(cur: &Cursor<'_>, word: &str) -> bool {
    let rest = cur.rest();
    rest.starts_with(word)
        && !rest
            .get(word.len()..)
            .and_then(|after| after.chars().next())
            .is_some_and(is_id_char)
}
