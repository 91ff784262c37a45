//! The tools an `ai` node's model may call in agentic mode, and the shape of one model turn.
//!
//! A turn is one JSON object: a tool call (`{"tool": "read_file", "path": …}`, `list_dir`,
//! `grep`, `run_shell`) or the answer (`{"answer": …}`). [`turn_schema`] is the JSON Schema the
//! model runtime turns into a grammar, so every turn parses; every string in it is bounded so a
//! turn closes within its token budget even when a small model rambles.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::privacy::SanitizeScope;

/// Longest path a call may name.
const MAX_PATH_CHARS: u32 = 256;
/// Longest grep pattern.
const MAX_PATTERN_CHARS: u32 = 120;
/// Longest shell command.
const MAX_COMMAND_CHARS: u32 = 400;
/// Longest answer: about what a turn's default 512 tokens hold.
const MAX_ANSWER_CHARS: u32 = 1_200;

/// One tool call a model asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "tool", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToolCall {
    /// Read one text file of the workspace.
    ReadFile {
        /// Relative to the workspace.
        path: String,
    },
    /// List one folder of the workspace.
    ListDir {
        /// Relative to the workspace (`.` is the workspace).
        path: String,
    },
    /// Find the lines holding a literal text in a file or under a folder.
    Grep {
        /// The text to look for.
        pattern: String,
        /// File or folder, relative to the workspace.
        path: String,
    },
    /// Run one shell command in the workspace.
    RunShell {
        /// The line given to `sh -c`.
        command: String,
    },
}

impl ToolCall {
    /// The tool's name as the model spells it, e.g. `read_file`.
    pub fn tool(&self) -> &'static str {
        match self {
            Self::ReadFile { .. } => "read_file",
            Self::ListDir { .. } => "list_dir",
            Self::Grep { .. } => "grep",
            Self::RunShell { .. } => "run_shell",
        }
    }

    /// The name its run events carry, e.g. `ai__read_file`.
    pub fn event_name(&self) -> String {
        format!("ai__{}", self.tool())
    }

    /// Its arguments as an object (the call without its `tool` key).
    pub fn args(&self) -> Value {
        match self {
            Self::ReadFile { path } | Self::ListDir { path } => json!({ "path": path }),
            Self::Grep { pattern, path } => json!({ "pattern": pattern, "path": path }),
            Self::RunShell { command } => json!({ "command": command }),
        }
    }

    /// What it will do, in one line (the `tool_call` event's summary).
    pub fn summary(&self) -> String {
        match self {
            Self::ReadFile { path } | Self::ListDir { path } => path.clone(),
            Self::Grep { pattern, path } => format!("{pattern:?} in {path}"),
            Self::RunShell { command } => command.clone(),
        }
    }

    /// The call with the scope's placeholders mapped back to the real values: the model saw
    /// sanitized text, so a path it read in a listing may hold a placeholder.
    pub fn restored(&self, scope: &SanitizeScope) -> Self {
        match self {
            Self::ReadFile { path } => Self::ReadFile {
                path: scope.restore(path),
            },
            Self::ListDir { path } => Self::ListDir {
                path: scope.restore(path),
            },
            Self::Grep { pattern, path } => Self::Grep {
                pattern: scope.restore(pattern),
                path: scope.restore(path),
            },
            Self::RunShell { command } => Self::RunShell {
                command: scope.restore(command),
            },
        }
    }
}

/// One model turn, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// The model wants a tool run first.
    Call(ToolCall),
    /// The model's answer: the loop ends.
    Answer(String),
}

/// Why a turn's text is not a turn.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// Not JSON at all (typically cut off by the token budget).
    #[error("the turn is not JSON: {0}")]
    NotJson(serde_json::Error),
    /// JSON, but neither an answer nor a known tool call.
    #[error("the turn is neither an answer nor a tool call: {0}")]
    Shape(serde_json::Error),
}

/// Reads one turn: `{"answer": …}` or a tool call.
pub fn parse_turn(text: &str) -> Result<Turn, TurnError> {
    let value: Value = serde_json::from_str(text.trim()).map_err(TurnError::NotJson)?;
    if value.get("answer").is_some() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct AnswerTurn {
            answer: String,
        }
        let turn: AnswerTurn = serde_json::from_value(value).map_err(TurnError::Shape)?;
        return Ok(Turn::Answer(turn.answer));
    }
    serde_json::from_value(value)
        .map(Turn::Call)
        .map_err(TurnError::Shape)
}

fn text(max: u32) -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": max })
}

fn call(tool: &str, fields: &[(&str, Value)]) -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("tool".into(), json!({ "const": tool }));
    let mut required = vec![json!("tool")];
    for (name, schema) in fields {
        properties.insert((*name).into(), schema.clone());
        required.push(json!(name));
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn answer() -> Value {
    json!({
        "type": "object",
        "properties": { "answer": text(MAX_ANSWER_CHARS) },
        "required": ["answer"],
        "additionalProperties": false,
    })
}

/// The JSON Schema of one turn: any tool call or the answer, or (`answer_only`, once the calls
/// are used up) the answer alone.
pub fn turn_schema(answer_only: bool) -> Value {
    if answer_only {
        return answer();
    }
    json!({
        "oneOf": [
            call("read_file", &[("path", text(MAX_PATH_CHARS))]),
            call("list_dir", &[("path", text(MAX_PATH_CHARS))]),
            call(
                "grep",
                &[("pattern", text(MAX_PATTERN_CHARS)), ("path", text(MAX_PATH_CHARS))],
            ),
            call("run_shell", &[("command", text(MAX_COMMAND_CHARS))]),
            answer(),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_parse_into_calls_and_answers() {
        assert_eq!(
            parse_turn(r#"{"tool":"read_file","path":"README.md"}"#).unwrap(),
            Turn::Call(ToolCall::ReadFile {
                path: "README.md".into()
            })
        );
        assert_eq!(
            parse_turn(r#" {"tool":"grep","pattern":"fn main","path":"src"} "#).unwrap(),
            Turn::Call(ToolCall::Grep {
                pattern: "fn main".into(),
                path: "src".into()
            })
        );
        assert_eq!(
            parse_turn(r#"{"answer":"done"}"#).unwrap(),
            Turn::Answer("done".into())
        );
        for bad in [
            r#"{"tool":"delete","path":"x"}"#,
            r#"{"tool":"read_file","path":"x","extra":1}"#,
            r#"{"answer":"x","tool":"list_dir"}"#,
            r#"{"answer":"cut off"#,
        ] {
            assert!(parse_turn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_schema_offers_every_tool_and_the_answer_and_bounds_every_string() {
        let schema = turn_schema(false);
        let options = schema["oneOf"].as_array().unwrap();
        let tools: Vec<&str> = options
            .iter()
            .filter_map(|o| o["properties"]["tool"]["const"].as_str())
            .collect();
        assert_eq!(tools, ["read_file", "list_dir", "grep", "run_shell"]);
        for option in options {
            assert_eq!(option["additionalProperties"], json!(false));
            for (name, property) in option["properties"].as_object().unwrap() {
                if name != "tool" {
                    assert!(property["maxLength"].as_u64().is_some(), "{name}");
                }
            }
        }
        assert_eq!(turn_schema(true)["required"], json!(["answer"]));
    }

    #[test]
    fn a_call_reads_back_its_args_and_restores_placeholders() {
        let sanitizer = crate::privacy::Sanitizer::new(&[]).unwrap();
        let mut scope = sanitizer.scope();
        let shown = scope.sanitize("to/alice@acme.io");
        let call = ToolCall::ReadFile { path: shown };
        assert_ne!(call.args()["path"], json!("to/alice@acme.io"));
        let real = call.restored(&scope);
        assert_eq!(real.args(), json!({"path": "to/alice@acme.io"}));
        assert_eq!(real.event_name(), "ai__read_file");
    }
}
