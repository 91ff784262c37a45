//! `{{…}}` templates in node data and `when` conditions on edges.
//!
//! Heads: `input` (the run input), `memory` (the run's `set-variable` map), or a node id (that
//! node's latest output). Paths walk object fields and array indices: `{{build.items.0.name}}`.
//! A string that is exactly one template keeps the JSON type of what it names; templates embedded
//! in longer text are stringified (strings verbatim, anything else as JSON).

use std::collections::HashMap;

use serde_json::{Map, Value};

/// What templates can name.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The run input (`{{input}}`).
    pub input: &'a Value,
    /// Outputs of nodes that ran, by id.
    pub outputs: &'a HashMap<String, Value>,
    /// The run memory (`{{memory.key}}`).
    pub memory: &'a Map<String, Value>,
}

/// A template or condition that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// Whether `text` contains a template at all (cheap pre-check before resolving).
pub fn has_template(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

/// Resolves every string of `data`, recursively.
pub fn resolve_map(
    data: &Map<String, Value>,
    scope: Scope<'_>,
) -> Result<Map<String, Value>, TemplateError> {
    data.iter()
        .map(|(k, v)| Ok((k.clone(), resolve_value(v, scope)?)))
        .collect()
}

/// Resolves every string inside `value`, recursively.
pub fn resolve_value(value: &Value, scope: Scope<'_>) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::String(s) => resolve_str(s, scope)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_value(v, scope))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(resolve_map(map, scope)?),
        other => other.clone(),
    })
}

/// Resolves one string: exactly one template keeps its JSON type, otherwise text.
pub fn resolve_str(text: &str, scope: Scope<'_>) -> Result<Value, TemplateError> {
    if !text.contains("{{") {
        return Ok(Value::String(text.to_owned()));
    }
    let trimmed = text.trim();
    if let Some(inner) = single_template(trimmed) {
        return lookup(inner, scope);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + 2 + len];
        out.push_str(&stringify(&lookup(inner, scope)?));
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

/// The inside of `text` when it is exactly one `{{…}}`.
fn single_template(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then_some(inner)
}

/// Strings verbatim, `null` as nothing, anything else as compact JSON.
pub fn stringify(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn lookup(inner: &str, scope: Scope<'_>) -> Result<Value, TemplateError> {
    let reference = inner.trim();
    let mut parts = reference.split('.');
    let head = parts.next().unwrap_or_default();
    let unresolved =
        |why: String| TemplateError(format!("unresolved template {{{{{reference}}}}}: {why}"));
    let (root, what): (&Value, String) = match head {
        "" => return Err(unresolved("empty reference".to_owned())),
        "input" => (scope.input, "the run input".to_owned()),
        "memory" => {
            let Some(key) = parts.next() else {
                return Ok(Value::Object(scope.memory.clone()));
            };
            match scope.memory.get(key) {
                Some(v) => (v, format!("memory.{key}")),
                None => return Err(unresolved(format!("no set-variable node set memory.{key}"))),
            }
        }
        node => match scope.outputs.get(node) {
            Some(v) => (v, format!("node {node}'s output")),
            None => return Err(unresolved(format!("node {node} did not run"))),
        },
    };
    let mut current = root;
    for part in parts {
        let next = match current {
            Value::Object(map) => map.get(part),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        current = next.ok_or_else(|| unresolved(format!("{what} has no field {part}")))?;
    }
    Ok(current.clone())
}

/// Comparison operators of a `when` condition, longest first so `<=` wins over `<`.
const OPERATORS: [&str; 6] = ["==", "!=", "<=", ">=", "<", ">"];

/// Evaluates an edge's `when` condition: `A == B`, `!=`, `<`, `>`, `<=`, `>=`, `A contains B`, or
/// a bare operand's truthiness. Operands are quoted strings, numbers, `true`/`false`/`null`, or
/// template text.
pub fn evaluate_condition(condition: &str, scope: Scope<'_>) -> Result<bool, TemplateError> {
    let text = condition.trim();
    if text.is_empty() {
        return Err(TemplateError("empty condition".to_owned()));
    }
    let parse_err = |why: &str| TemplateError(format!("cannot parse condition `{text}`: {why}"));
    let Some((at, op)) = find_operator(text) else {
        return Ok(truthy(
            &operand(text, scope).map_err(|e| with_condition(e, text))?,
        ));
    };
    let (left, right) = (text[..at].trim(), text[at + op.len()..].trim());
    if left.is_empty() || right.is_empty() {
        return Err(parse_err(&format!(
            "`{}` needs a value on both sides",
            op.trim()
        )));
    }
    let l = operand(left, scope).map_err(|e| with_condition(e, text))?;
    let r = operand(right, scope).map_err(|e| with_condition(e, text))?;
    match op.trim() {
        "==" => Ok(loosely_equal(&l, &r)),
        "!=" => Ok(!loosely_equal(&l, &r)),
        "contains" => Ok(match &l {
            Value::Array(items) => items.iter().any(|i| loosely_equal(i, &r)),
            Value::Object(map) => map.contains_key(&stringify(&r)),
            other => stringify(other).contains(&stringify(&r)),
        }),
        cmp => {
            let (Some(a), Some(b)) = (number(&l), number(&r)) else {
                return Err(TemplateError(format!(
                    "condition `{text}`: cannot compare {} {cmp} {} (not numbers)",
                    l, r
                )));
            };
            Ok(match cmp {
                "<" => a < b,
                ">" => a > b,
                "<=" => a <= b,
                _ => a >= b,
            })
        }
    }
}

fn with_condition(err: TemplateError, text: &str) -> TemplateError {
    TemplateError(format!("condition `{text}`: {}", err.0))
}

/// The first operator outside quotes and `{{…}}`, with its byte position.
fn find_operator(text: &str) -> Option<(usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if bytes[i..].starts_with(b"{{") => {
                depth += 1;
                i += 2;
                continue;
            }
            None if bytes[i..].starts_with(b"}}") && depth > 0 => {
                depth -= 1;
                i += 2;
                continue;
            }
            None if depth == 0 => {
                if let Some(op) = OPERATORS
                    .iter()
                    .find(|op| bytes[i..].starts_with(op.as_bytes()))
                {
                    return Some((i, op));
                }
                if bytes[i..].starts_with(b" contains ") {
                    return Some((i, " contains "));
                }
            }
            None => {}
        }
        i += 1;
    }
    None
}

fn operand(text: &str, scope: Scope<'_>) -> Result<Value, TemplateError> {
    for q in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(q) {
            return inner
                .strip_suffix(q)
                .map(|s| Value::String(s.to_owned()))
                .ok_or_else(|| TemplateError(format!("unclosed quote in `{text}`")));
        }
    }
    if text.contains("{{") {
        return resolve_str(text, scope);
    }
    match text {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        "null" => return Ok(Value::Null),
        _ => {}
    }
    if let Ok(n) = text.parse::<f64>() {
        return Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number));
    }
    // A bare word is text: `{{x.status}} == ok` reads naturally.
    Ok(Value::String(text.to_owned()))
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (number(a), number(b)) {
        // Numbers compare numerically so `{{x.code}} == 0` matches `0`, `0.0` and `"0"`.
        (Some(x), Some(y)) if matches!(a, Value::Number(_)) || matches!(b, Value::Number(_)) => {
            x == y
        }
        _ => stringify(a) == stringify(b),
    }
}

/// `false`, `null`, `0`, `""`, `"false"`, `"0"` and empty collections are false.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !(s.is_empty() || s == "false" || s == "0"),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn with<T>(f: impl FnOnce(Scope<'_>) -> T) -> T {
        let input = json!({"name": "web", "n": 3});
        let mut outputs = HashMap::new();
        outputs.insert(
            "build".to_owned(),
            json!({"code": 0, "tags": ["a", "b"], "meta": {"ok": true}}),
        );
        outputs.insert("classify".to_owned(), json!({"label": "retry"}));
        let mut memory = Map::new();
        memory.insert("env".to_owned(), json!("prod"));
        f(Scope {
            input: &input,
            outputs: &outputs,
            memory: &memory,
        })
    }

    #[test]
    fn single_templates_keep_their_type_and_embedded_ones_are_text() {
        with(|s| {
            assert_eq!(
                resolve_str("{{input}}", s).unwrap(),
                json!({"name": "web", "n": 3})
            );
            assert_eq!(resolve_str("{{ input.n }}", s).unwrap(), json!(3));
            assert_eq!(resolve_str("{{build.tags}}", s).unwrap(), json!(["a", "b"]));
            assert_eq!(resolve_str("{{build.tags.1}}", s).unwrap(), json!("b"));
            assert_eq!(resolve_str("{{build.meta.ok}}", s).unwrap(), json!(true));
            assert_eq!(resolve_str("{{memory.env}}", s).unwrap(), json!("prod"));
            assert_eq!(
                resolve_str("deploy {{input.name}} x{{input.n}} {{build.tags}}", s).unwrap(),
                json!("deploy web x3 [\"a\",\"b\"]")
            );
            assert_eq!(
                resolve_str("no templates", s).unwrap(),
                json!("no templates")
            );
            let data = json!({"a": ["{{input.n}}", {"b": "v={{memory.env}}"}], "c": 1});
            assert_eq!(
                resolve_value(&data, s).unwrap(),
                json!({"a": [3, {"b": "v=prod"}], "c": 1})
            );
        });
    }

    #[test]
    fn missing_references_say_what_is_missing() {
        with(|s| {
            assert_eq!(
                resolve_str("{{x.y}}", s).unwrap_err().0,
                "unresolved template {{x.y}}: node x did not run"
            );
            assert_eq!(
                resolve_str("a {{build.nope}}", s).unwrap_err().0,
                "unresolved template {{build.nope}}: node build's output has no field nope"
            );
            assert!(
                resolve_str("{{memory.missing}}", s)
                    .unwrap_err()
                    .0
                    .contains("memory.missing")
            );
            assert!(
                resolve_str("{{input.zzz}}", s)
                    .unwrap_err()
                    .0
                    .contains("the run input has no field zzz")
            );
        });
    }

    #[test]
    fn conditions_compare_after_resolution() {
        with(|s| {
            let ok = |c: &str| evaluate_condition(c, s).unwrap();
            assert!(ok("{{classify.label}} == 'retry'"));
            assert!(ok("{{classify.label}} != \"done\""));
            assert!(ok("{{build.code}} == 0"));
            assert!(ok("{{input.n}} > 2"));
            assert!(ok("{{input.n}} >= 3"));
            assert!(!ok("{{input.n}} < 3"));
            assert!(ok("{{input.n}} <= 3"));
            assert!(ok("{{build.tags}} contains 'a'"));
            assert!(ok("{{input.name}} contains 'we'"));
            assert!(ok("{{build.meta.ok}}"));
            assert!(!ok("{{build.code}}"));
            assert!(ok("{{classify.label}} == retry"));
        });
    }

    #[test]
    fn bad_conditions_are_errors() {
        with(|s| {
            assert!(
                evaluate_condition("== 'x'", s)
                    .unwrap_err()
                    .0
                    .contains("cannot parse")
            );
            assert!(
                evaluate_condition("{{input.name}} == 'x", s)
                    .unwrap_err()
                    .0
                    .contains("unclosed quote")
            );
            assert!(
                evaluate_condition("{{input.name}} > 2", s)
                    .unwrap_err()
                    .0
                    .contains("not numbers")
            );
            assert!(
                evaluate_condition("{{ghost.x}} == 1", s)
                    .unwrap_err()
                    .0
                    .contains("node ghost did not run")
            );
            assert!(evaluate_condition("  ", s).is_err());
        });
    }
}
