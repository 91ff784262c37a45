//! A validator for exactly the JSON Schema subset catalog entries use (see
//! [`CatalogEntry::schema`](super::CatalogEntry::schema)).
//!
//! Why not the `jsonschema` crate: it is not vendored here, pulls in a large dependency tree
//! (regex engines, URI/reference resolution) for keywords entries never use, and its errors point
//! at JSON pointers that would still need mapping to a field and a `title`-based message. The
//! subset is small enough that a direct implementation is shorter than that mapping.
//!
//! Unknown keywords are ignored (as JSON Schema itself does), so a hand-written entry with extra
//! annotations still loads.

use serde_json::{Map, Value};

/// Property types the subset supports.
const TYPES: [&str; 6] = ["string", "integer", "number", "boolean", "object", "array"];
/// `format` values the subset supports.
const FORMATS: [&str; 5] = ["multiline", "path", "secret", "uri", "connection"];

/// One field that does not satisfy its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Stable code: `required`, `type`, `enum`, `minimum`, `maximum`, `pattern`, `min-length`,
    /// `format`.
    pub code: &'static str,
    /// The top-level `data` key.
    pub field: String,
    /// What is wrong, naming the property by its `title`.
    pub message: String,
}

/// Whether `text` holds a `{{…}}` template, resolved only at run time.
pub fn is_templated(text: &str) -> bool {
    text.find("{{")
        .is_some_and(|start| text[start..].contains("}}"))
}

/// Checks that `schema` is a well-formed object schema in the supported subset.
pub fn check_schema(schema: &Value) -> Result<(), String> {
    let obj = schema.as_object().ok_or("the schema is not an object")?;
    if obj.get("type").and_then(Value::as_str) != Some("object") {
        return Err("the schema's type must be \"object\"".to_owned());
    }
    let empty = Map::new();
    let props = match obj.get("properties") {
        None => &empty,
        Some(p) => p.as_object().ok_or("`properties` is not an object")?,
    };
    for (name, prop) in props {
        check_property(prop).map_err(|e| format!("property `{name}`: {e}"))?;
    }
    if let Some(required) = obj.get("required") {
        let list = required.as_array().ok_or("`required` is not an array")?;
        for r in list {
            let name = r.as_str().ok_or("`required` holds a non-string")?;
            if !props.contains_key(name) {
                return Err(format!("required field `{name}` is not a property"));
            }
        }
    }
    Ok(())
}

fn check_property(prop: &Value) -> Result<(), String> {
    let obj = prop.as_object().ok_or("not an object")?;
    let types = types_of(prop).ok_or("missing `type` (a type name, or a list of them)")?;
    if let Some(ty) = types.iter().find(|t| !TYPES.contains(t)) {
        return Err(format!("unsupported type `{ty}`"));
    }
    for key in ["title", "description"] {
        if obj.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("`{key}` is not a string"));
        }
    }
    if let Some(values) = obj.get("enum") {
        let values = values.as_array().ok_or("`enum` is not an array")?;
        if values.is_empty() {
            return Err("`enum` is empty".to_owned());
        }
    }
    for key in ["minimum", "maximum"] {
        if obj.get(key).is_some_and(|v| !v.is_number()) {
            return Err(format!("`{key}` is not a number"));
        }
    }
    if obj.get("minLength").is_some_and(|v| v.as_u64().is_none()) {
        return Err("`minLength` is not a non-negative integer".to_owned());
    }
    if let Some(pattern) = obj.get("pattern") {
        let pattern = pattern.as_str().ok_or("`pattern` is not a string")?;
        regex::Regex::new(pattern).map_err(|e| format!("`pattern` does not compile: {e}"))?;
    }
    if let Some(format) = obj.get("format") {
        let format = format.as_str().ok_or("`format` is not a string")?;
        if !FORMATS.contains(&format) {
            return Err(format!("unsupported format `{format}`"));
        }
    }
    if let Some(items) = obj.get("items") {
        check_property(items).map_err(|e| format!("items: {e}"))?;
    }
    if let Some(default) = obj.get("default")
        && let Some(err) = check_value(prop, default, "", "default")
    {
        return Err(format!("`default` is invalid: {}", err.message));
    }
    Ok(())
}

/// Validates `data` against an object `schema`: `required` first, then each present property.
///
/// `null` counts as absent. A string holding a `{{…}}` template skips every check but
/// `required`, whatever the property's type: its value only exists at run time.
pub fn validate_fields(schema: &Value, data: &Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return errors;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Document order of the schema keeps messages in the order the inspector shows fields.
    for (name, prop) in props {
        let title = title_of(prop, name);
        match data.get(name) {
            None | Some(Value::Null) => {
                if required.contains(&name.as_str()) {
                    errors.push(FieldError {
                        code: "required",
                        field: name.clone(),
                        message: format!("{title} is required"),
                    });
                }
            }
            Some(Value::String(s)) if s.trim().is_empty() && required.contains(&name.as_str()) => {
                errors.push(FieldError {
                    code: "required",
                    field: name.clone(),
                    message: format!("{title} is required"),
                });
            }
            Some(value) => errors.extend(check_value(prop, value, name, &title)),
        }
    }
    errors
}

fn title_of(prop: &Value, name: &str) -> String {
    prop.get("title")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_owned()
}

fn error(code: &'static str, field: &str, message: String) -> Option<FieldError> {
    Some(FieldError {
        code,
        field: field.to_owned(),
        message,
    })
}

/// The first constraint of `prop` that `value` breaks, if any.
fn check_value(prop: &Value, value: &Value, field: &str, title: &str) -> Option<FieldError> {
    if let Value::String(s) = value
        && is_templated(s)
    {
        return None;
    }
    let types = types_of(prop).unwrap_or_else(|| vec!["string"]);
    if !types.iter().any(|ty| type_matches(ty, value)) {
        let named: Vec<String> = types
            .iter()
            .map(|ty| {
                let article = if matches!(*ty, "integer" | "object" | "array") {
                    "an"
                } else {
                    "a"
                };
                format!("{article} {ty}")
            })
            .collect();
        let expected = match named.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => named.join(""),
        };
        return error("type", field, format!("{title} must be {expected}"));
    }
    if let Some(values) = prop.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        let list: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        return error(
            "enum",
            field,
            format!("{title} must be one of {}", list.join(", ")),
        );
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = prop.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return error("minimum", field, format!("{title} must be at least {min}"));
        }
        if let Some(max) = prop.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return error("maximum", field, format!("{title} must be at most {max}"));
        }
    }
    if let Value::String(s) = value {
        if let Some(min) = prop.get("minLength").and_then(Value::as_u64)
            && (s.chars().count() as u64) < min
        {
            let unit = if min == 1 { "character" } else { "characters" };
            return error(
                "min-length",
                field,
                format!("{title} must be at least {min} {unit} long"),
            );
        }
        if let Some(pattern) = prop.get("pattern").and_then(Value::as_str) {
            // An uncompilable pattern was already reported when the entry loaded.
            if regex::Regex::new(pattern).is_ok_and(|re| !re.is_match(s)) {
                return error(
                    "pattern",
                    field,
                    format!("{title} must match the pattern {pattern}"),
                );
            }
        }
        if prop.get("format").and_then(Value::as_str) == Some("uri") && !s.is_empty() && !is_uri(s)
        {
            return error(
                "format",
                field,
                format!("{title} must be a URL such as https://example.com/file"),
            );
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, prop.get("items")) {
        for (i, item) in items.iter().enumerate() {
            let item_title = format!("{title} item {}", i + 1);
            if let Some(err) = check_value(item_schema, item, field, &item_title) {
                return Some(err);
            }
        }
    }
    None
}

/// A property's `type`: one name, or a non-empty list of names (a value may be any of them).
fn types_of(prop: &Value) -> Option<Vec<&str>> {
    match prop.get("type")? {
        Value::String(ty) => Some(vec![ty.as_str()]),
        Value::Array(list) if !list.is_empty() => list.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

fn type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => is_integer(value),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => true,
    }
}

fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// `scheme://rest` with no whitespace: enough to catch a path pasted into a URL field.
fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && !rest.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "required": ["command"], "properties": {
            "command": {"type": "string", "title": "Command", "minLength": 1},
            "timeoutMs": {"type": "integer", "title": "Timeout (ms)", "minimum": 1, "maximum": 10},
            "level": {"type": "string", "title": "Level", "enum": ["info", "warn"]},
            "key": {"type": "string", "title": "Key", "pattern": "^[a-z]+$"},
            "name": {"type": "string", "title": "Name", "minLength": 3},
            "url": {"type": "string", "title": "URL", "format": "uri"},
            "tags": {"type": "array", "title": "Tags", "items": {"type": "string"}}
        }})
    }

    fn codes(data: Value) -> Vec<(&'static str, String)> {
        validate_fields(&schema(), data.as_object().unwrap())
            .into_iter()
            .map(|e| (e.code, e.field))
            .collect()
    }

    #[test]
    fn valid_data_has_no_errors() {
        assert!(
            codes(
                json!({"command": "ls", "timeoutMs": 5, "level": "warn", "key": "ab",
            "name": "abc", "url": "https://x.dev/a", "tags": ["a"]})
            )
            .is_empty()
        );
    }

    #[test]
    fn a_type_list_accepts_any_of_its_types() {
        let schema = json!({"type": "object", "properties": {
            "body": {"type": ["string", "object", "array"], "title": "Body"}}});
        check_schema(&schema).unwrap();
        for ok in [json!("text"), json!({"a": 1}), json!([1])] {
            let data = json!({"body": ok});
            assert!(validate_fields(&schema, data.as_object().unwrap()).is_empty());
        }
        let data = json!({"body": 3});
        let errors = validate_fields(&schema, data.as_object().unwrap());
        assert_eq!(
            errors[0].message,
            "Body must be a string, an object or an array"
        );
        assert!(
            check_schema(&json!({"type": "object", "properties": {"x": {"type": []}}})).is_err()
        );
        assert!(
            check_schema(
                &json!({"type": "object", "properties": {"x": {"type": ["string", "date"]}}})
            )
            .is_err()
        );
    }

    #[test]
    fn each_constraint_reports_its_code_and_field() {
        let c = |v: Value| codes(v);
        assert_eq!(c(json!({})), vec![("required", "command".into())]);
        assert_eq!(
            c(json!({"command": "  "})),
            vec![("required", "command".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "timeoutMs": "5"})),
            vec![("type", "timeoutMs".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "timeoutMs": 1.5})),
            vec![("type", "timeoutMs".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "timeoutMs": 0})),
            vec![("minimum", "timeoutMs".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "timeoutMs": 11})),
            vec![("maximum", "timeoutMs".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "level": "loud"})),
            vec![("enum", "level".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "key": "A1"})),
            vec![("pattern", "key".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "name": "ab"})),
            vec![("min-length", "name".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "url": "not a url"})),
            vec![("format", "url".into())]
        );
        assert_eq!(
            c(json!({"command": "x", "tags": ["a", 1]})),
            vec![("type", "tags".into())]
        );
    }

    #[test]
    fn messages_use_the_title() {
        let errors = validate_fields(&schema(), &Map::new());
        assert_eq!(errors[0].message, "Command is required");
        let data = json!({"command": "x", "timeoutMs": 0});
        let errors = validate_fields(&schema(), data.as_object().unwrap());
        assert_eq!(errors[0].message, "Timeout (ms) must be at least 1");
    }

    #[test]
    fn templates_skip_value_checks_but_not_required() {
        assert!(
            codes(
                json!({"command": "{{input}}", "key": "{{a.b}}", "timeoutMs": "{{a.n}}",
            "url": "{{memory.url}}"})
            )
            .is_empty()
        );
        assert!(is_templated("x {{ a.b }} y"));
        assert!(!is_templated("x {{ y"));
    }

    #[test]
    fn malformed_schemas_are_rejected() {
        assert!(check_schema(&schema()).is_ok());
        for bad in [
            json!([]),
            json!({"type": "array"}),
            json!({"type": "object", "properties": {"a": {"type": "date"}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "format": "email"}}}),
            json!({"type": "object", "properties": {}, "required": ["a"]}),
            json!({"type": "object", "properties": {"a": {"type": "integer", "default": "x"}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "enum": []}}}),
        ] {
            assert!(check_schema(&bad).is_err(), "{bad}");
        }
    }
}
