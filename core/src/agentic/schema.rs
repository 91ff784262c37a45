//! The shape a generation must have, derived from the installed catalog: a JSON Schema the model
//! runtime turns into a llama.cpp grammar, so every answer is a flow that parses and names only
//! installed node types with their own fields.
//!
//! Every string, list and number in the schema is bounded, so an answer always closes within the
//! token budget even when a small model rambles; fields the engine pins (working directory,
//! workspace root) or that need a person (connections, secrets) are left out for the model to
//! fill.

use serde_json::{Map, Value, json};

use crate::nodes::CatalogEntry;

/// Most steps one generation may propose.
pub const MAX_STEPS: usize = 6;
/// Longest string field the model may write.
const MAX_STRING: u32 = 160;
/// Longest label or flow name.
const MAX_LABEL: u32 = 48;
/// Most items of a list field (e.g. `args`).
const MAX_ITEMS: u32 = 8;

/// Fields the engine pins or a person must set; the model never writes them.
const PINNED_FIELDS: [&str; 12] = [
    "cwd",
    "workspaceRoot",
    "workspace",
    "env",
    "inheritEnv",
    "timeoutMs",
    "maxOutputBytes",
    "maxCaptureBytes",
    "retries",
    "maxResponseBytes",
    "connection",
    "outputSchema",
];

/// Whether the engine pins `field` or a person must set it (the model never writes it).
pub fn is_pinned(field: &str) -> bool {
    PINNED_FIELDS.contains(&field)
}

/// Catalog entries a generated flow may use: what runs without a person first picking a
/// connection or a secret, whose program (for CLI and shell presets) `has_tool` finds, and never
/// another agentic node.
pub fn usable_entries(
    installed: &[CatalogEntry],
    has_tool: impl Fn(&str) -> bool,
) -> Vec<&CatalogEntry> {
    installed
        .iter()
        .filter(|e| {
            matches!(
                e.node_type.as_str(),
                "action" | "utility" | "ai" | "service"
            )
        })
        .filter(|e| !e.slug.starts_with("utility-cron") && e.slug != "utility-merge")
        .filter(|e| !needs_a_person(e))
        .filter(|e| required_tool(e).is_none_or(&has_tool))
        .collect()
}

/// The program an entry runs: a CLI preset's tool, or a shell preset's (`shell-git` runs `git`).
fn required_tool(entry: &CatalogEntry) -> Option<&str> {
    if let Some(tool) = &entry.cli_tool {
        return Some(&tool.name);
    }
    let identity = |key: &str| entry.identity.get(key).and_then(Value::as_str);
    match (identity("adapter"), identity("actionId")) {
        (Some("shell"), Some(action)) if action != "run-command" => Some(action),
        (Some("cli"), _) => identity("bin"),
        _ => None,
    }
}

/// Whether a required field is one only a person can fill (a connection or a secret).
fn needs_a_person(entry: &CatalogEntry) -> bool {
    let properties = entry.schema.get("properties").and_then(Value::as_object);
    required(entry).iter().any(|name| {
        properties
            .and_then(|p| p.get(*name))
            .and_then(|p| p.get("format"))
            .and_then(Value::as_str)
            .is_some_and(|f| matches!(f, "connection" | "secret"))
    })
}

fn required(entry: &CatalogEntry) -> Vec<&str> {
    entry
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The JSON Schema of a whole generated flow: `{name, steps: [{node, label, ...fields}]}`, each
/// step one of `entries` (its `node` is the entry's slug). `models` bounds an `ai` step's
/// `modelId` to the installed models.
pub fn flow_schema(entries: &[&CatalogEntry], models: &[String]) -> Value {
    let steps: Vec<Value> = entries.iter().map(|e| step_schema(e, models)).collect();
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL},
            "steps": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_STEPS,
                "items": {"oneOf": steps},
            },
        },
        "required": ["name", "steps"],
        "additionalProperties": false,
    })
}

/// The JSON Schema of one step of `entry`'s type (also a surgical fix's whole answer).
pub fn step_schema(entry: &CatalogEntry, models: &[String]) -> Value {
    let mut properties = Map::new();
    properties.insert("node".into(), json!({"const": entry.slug}));
    properties.insert(
        "label".into(),
        json!({"type": "string", "minLength": 1, "maxLength": MAX_LABEL}),
    );
    let mut required_fields: Vec<Value> = vec![json!("node"), json!("label")];
    let declared = entry.schema.get("properties").and_then(Value::as_object);
    let needed = required(entry);
    for (name, property) in declared.into_iter().flatten() {
        if is_pinned(name) {
            continue;
        }
        let schema = if name == "modelId" && !models.is_empty() {
            Some(json!({"enum": models}))
        } else {
            field_schema(property)
        };
        let Some(schema) = schema else { continue };
        if needed.contains(&name.as_str()) {
            required_fields.push(json!(name));
        }
        properties.insert(name.clone(), schema);
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required_fields,
        "additionalProperties": false,
    })
}

/// A bounded schema for one catalog field, or `None` for fields a model should not write
/// (objects, secrets, free numbers).
fn field_schema(property: &Value) -> Option<Value> {
    let format = property.get("format").and_then(Value::as_str);
    if matches!(format, Some("secret" | "connection")) {
        return None;
    }
    if let Some(options) = property.get("enum").and_then(Value::as_array) {
        return Some(json!({"enum": options}));
    }
    let kind = match property.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(Value::Array(kinds)) => kinds.first().and_then(Value::as_str)?,
        _ => "string",
    };
    match kind {
        "string" => {
            let min = property
                .get("minLength")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            Some(
                json!({"type": "string", "minLength": min.min(u64::from(MAX_STRING)), "maxLength": MAX_STRING}),
            )
        }
        "integer" => {
            let min = property.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let max = property
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(1_000_000);
            Some(json!({"type": "integer", "minimum": min, "maximum": max.max(min)}))
        }
        "boolean" => Some(json!({"type": "boolean"})),
        "array" => {
            let item_kind = property
                .get("items")
                .and_then(|i| i.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("string");
            (item_kind == "string").then(|| {
                json!({
                    "type": "array",
                    "items": {"type": "string", "maxLength": MAX_STRING},
                    "maxItems": MAX_ITEMS,
                })
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Vec<CatalogEntry> {
        crate::nodes::builtin_entries().to_vec()
    }

    #[test]
    fn only_entries_that_run_without_a_person_are_offered() {
        let installed = catalog();
        let slugs: Vec<&str> = usable_entries(&installed, |_| true)
            .iter()
            .map(|e| e.slug.as_str())
            .collect();
        assert!(slugs.contains(&"shell-run-command"));
        assert!(slugs.contains(&"fs-read-file"));
        assert!(slugs.contains(&"ai-local"));
        assert!(slugs.contains(&"service-http-request"));
        let without_tools: Vec<&str> = usable_entries(&installed, |_| false)
            .iter()
            .map(|e| e.slug.as_str())
            .collect();
        for needs_a_tool in ["shell-git", "shell-kubectl", "cli-gh", "cli-zowe"] {
            assert!(slugs.contains(&needs_a_tool));
            assert!(
                !without_tools.contains(&needs_a_tool),
                "{needs_a_tool} offered"
            );
        }
        assert!(without_tools.contains(&"shell-run-command"));
        for absent in [
            "agentic-generator",
            "ai-openai",
            "service-github",
            "service-slack",
            "utility-merge",
        ] {
            assert!(!slugs.contains(&absent), "{absent} offered");
        }
    }

    #[test]
    fn a_step_names_its_type_and_only_its_own_writable_fields() {
        let installed = catalog();
        let shell = installed
            .iter()
            .find(|e| e.slug == "shell-run-command")
            .unwrap();
        let schema = step_schema(shell, &[]);
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(
            schema["properties"]["node"],
            json!({"const": "shell-run-command"})
        );
        assert!(properties.contains_key("command"));
        for pinned in ["cwd", "env", "inheritEnv", "timeoutMs"] {
            assert!(!properties.contains_key(pinned), "{pinned} writable");
        }
        assert_eq!(schema["required"], json!(["node", "label", "command"]));
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["command"]["maxLength"], MAX_STRING);
    }

    #[test]
    fn an_ai_step_may_only_name_installed_models() {
        let installed = catalog();
        let ai = installed.iter().find(|e| e.slug == "ai-local").unwrap();
        let schema = step_schema(ai, &["gemma.gguf".into()]);
        assert_eq!(
            schema["properties"]["modelId"],
            json!({"enum": ["gemma.gguf"]})
        );
    }

    #[test]
    fn the_flow_schema_bounds_the_step_count() {
        let installed = catalog();
        let schema = flow_schema(&usable_entries(&installed, |_| true), &[]);
        assert_eq!(schema["properties"]["steps"]["maxItems"], MAX_STEPS);
        assert_eq!(schema["properties"]["steps"]["minItems"], 1);
        let variants = schema["properties"]["steps"]["items"]["oneOf"]
            .as_array()
            .unwrap();
        assert_eq!(variants.len(), usable_entries(&installed, |_| true).len());
    }
}
