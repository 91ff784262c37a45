//! Running one model tool call through the node adapters themselves: the call becomes a
//! synthesized `fs` or `shell` action node (the `ai` node's id, its run's context) and goes
//! through [`FsAdapter`] or [`ShellAdapter`], so the workspace jail, the shell rails (scrubbed
//! environment, timeout, output cap, the shell audit log) and the destructive-action gate are
//! the very ones a node meets.
//!
//! What a node would be stopped for is refused here and told to the model instead: a path the
//! jail refuses, and a command [`destructive_match`] flags (an agentic turn has no person to
//! confirm it). Refusals and failures are results the model reads, not node failures. Every
//! call emits `tool_call` before it runs and `tool_result` after, and appends one
//! `ai_tool_call` record to the AI audit log.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::tools::ToolCall;
use crate::agentic::AuditKind;
use crate::agentic::audit::NewRecord;
use crate::engine::adapters::fs::FsAdapter;
use crate::engine::adapters::fs::jail::{PathEscape, confine_path};
use crate::engine::adapters::shell::ShellAdapter;
use crate::engine::{
    Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation, NodeReporter,
};
use crate::flows::destructive::destructive_match;
use crate::{App, AppError};

/// What one tool call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutcome {
    /// It ran and succeeded.
    pub ok: bool,
    /// It was refused (jail or destructive gate) without running.
    pub refused: bool,
    /// One line for events, the audit log and the node's output.
    pub summary: String,
    /// The whole result as the model is to read it (before sanitizing and truncating).
    pub text: String,
}

impl ToolOutcome {
    fn refused(reason: String) -> Self {
        Self {
            ok: false,
            refused: true,
            summary: format!("refused: {reason}"),
            text: format!("refused: {reason}"),
        }
    }

    fn error(reason: String) -> Self {
        Self {
            ok: false,
            refused: false,
            summary: format!("error: {reason}"),
            text: format!("error: {reason}"),
        }
    }
}

/// Runs an `ai` node's tool calls inside one workspace.
pub struct Toolbox {
    app: App,
    node_id: String,
    iteration: u32,
    /// The run's reporter, for the model's own `tool_call` and `tool_result` events.
    reporter: Arc<dyn NodeReporter>,
    /// The run's context with the workspace as its root and the adapters' own `tool_call`
    /// events held back (the loop has announced the call under its `ai__…` name already).
    inner: AdapterCtx,
    root: PathBuf,
}

impl Toolbox {
    /// A toolbox for `node` confined to `root` (an existing folder); `Rejected` otherwise.
    pub fn new(
        app: App,
        node: &NodeInvocation,
        ctx: &AdapterCtx,
        root: &Path,
    ) -> Result<Self, AdapterError> {
        let root = root.canonicalize().map_err(|err| {
            AdapterError::Rejected(format!("workspace {} is not usable: {err}", root.display()))
        })?;
        if !root.is_dir() {
            return Err(AdapterError::Rejected(format!(
                "workspace {} is not a folder",
                root.display()
            )));
        }
        let mut inner = ctx.clone();
        inner.workspace_root = root.clone();
        inner.reporter = Arc::new(WithoutToolCalls(ctx.reporter.clone()));
        Ok(Self {
            app,
            node_id: node.node_id.clone(),
            iteration: node.iteration,
            reporter: ctx.reporter.clone(),
            inner,
            root,
        })
    }

    /// The workspace, canonical.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs `call` (announced, executed or refused, reported, audited). `Err` only when the run
    /// was cancelled or the audit log could not be written.
    pub async fn call(&self, call: &ToolCall) -> Result<ToolOutcome, AdapterError> {
        let name = call.event_name();
        self.reporter.emit(ExecutionEventKind::ToolCall {
            node_id: self.node_id.clone(),
            name: name.clone(),
            summary: call.summary(),
        });
        let outcome = self.execute(call).await?;
        if outcome.refused {
            tracing::info!(node = %self.node_id, tool = %name, summary = %outcome.summary, "refused a model's tool call");
        }
        self.reporter.emit(ExecutionEventKind::ToolResult {
            node_id: self.node_id.clone(),
            name: name.clone(),
            ok: outcome.ok,
            summary: outcome.summary.clone(),
        });
        self.app
            .agentic()
            .audit()
            .append(
                AuditKind::AiToolCall,
                NewRecord {
                    execution_id: Some(self.inner.execution_id.clone()),
                    node_id: Some(self.node_id.clone()),
                    summary: format!("{name} {}: {}", call.summary(), outcome.summary),
                    detail: json!({
                        "name": name,
                        "args": call.args(),
                        "ok": outcome.ok,
                        "refused": outcome.refused,
                        "resultChars": outcome.text.chars().count(),
                    }),
                    ..NewRecord::default()
                },
            )
            .await
            .map_err(audit_failed)?;
        Ok(outcome)
    }

    async fn execute(&self, call: &ToolCall) -> Result<ToolOutcome, AdapterError> {
        match call {
            ToolCall::ReadFile { path } => {
                self.fs("read-file", path, json!({ "path": path }), read_result)
                    .await
            }
            ToolCall::ListDir { path } => {
                self.fs("list-dir", path, json!({ "path": path }), list_result)
                    .await
            }
            ToolCall::Grep { pattern, path } => {
                let data = json!({ "pattern": pattern, "path": path });
                self.fs("grep", path, data, grep_result).await
            }
            ToolCall::RunShell { command } => self.shell(command).await,
        }
    }

    /// One `fs` action on `path`: refused when the jail refuses the path, else run by the fs
    /// adapter (which confines it again, as it does for every node).
    async fn fs(
        &self,
        action: &str,
        path: &str,
        fields: Value,
        render: fn(&Value) -> (String, String),
    ) -> Result<ToolOutcome, AdapterError> {
        match confine_path(&self.root, path) {
            Err(
                err @ (PathEscape::Escapes(_)
                | PathEscape::NulByte(_)
                | PathEscape::DanglingSymlink(_)),
            ) => return Ok(ToolOutcome::refused(err.to_string())),
            Err(err) => return Ok(ToolOutcome::error(err.to_string())),
            Ok(_) => {}
        }
        let node = self.invocation("fs", action, fields);
        match FsAdapter.execute(&node, &self.inner).await {
            Ok(output) => {
                let (summary, text) = render(&output);
                Ok(ToolOutcome {
                    ok: true,
                    refused: false,
                    summary,
                    text,
                })
            }
            Err(err) => failure(err),
        }
    }

    /// `run_shell`: refused when the destructive-action gate flags it, else run by the shell
    /// adapter with a shell node's rails.
    async fn shell(&self, command: &str) -> Result<ToolOutcome, AdapterError> {
        let node = self.invocation("shell", "run-command", json!({ "command": command }));
        if let Some(found) = destructive_match(&node.node_type, &node.data) {
            return Ok(ToolOutcome::refused(format!(
                "{} (destructive actions need a person; add a shell node)",
                found.action
            )));
        }
        match ShellAdapter.execute(&node, &self.inner).await {
            Ok(output) => Ok(ToolOutcome {
                ok: true,
                refused: false,
                summary: "exit code 0".to_owned(),
                text: shell_text(&output),
            }),
            Err(AdapterError::Failed {
                reason,
                output: Some(output),
            }) => Ok(ToolOutcome {
                ok: false,
                refused: false,
                summary: format!("error: {reason}"),
                text: format!("error: {reason}\n{}", shell_text(&output)),
            }),
            Err(err) => failure(err),
        }
    }

    /// The action node a call stands for: the `ai` node's id, so its log lines and audit lines
    /// are the `ai` node's.
    fn invocation(&self, adapter: &str, action: &str, fields: Value) -> NodeInvocation {
        let mut data = Map::new();
        data.insert("adapter".into(), json!(adapter));
        data.insert("actionId".into(), json!(action));
        if let Value::Object(fields) = fields {
            data.extend(fields);
        }
        NodeInvocation {
            node_id: self.node_id.clone(),
            node_type: "action".to_owned(),
            action_id: action.to_owned(),
            data,
            iteration: self.iteration,
        }
    }
}

/// A node adapter's error as a result the model reads; cancellation ends the loop instead.
fn failure(err: AdapterError) -> Result<ToolOutcome, AdapterError> {
    match err {
        AdapterError::Cancelled => Err(AdapterError::Cancelled),
        AdapterError::Failed { reason, .. } | AdapterError::Rejected(reason) => {
            Ok(ToolOutcome::error(reason))
        }
        other => Ok(ToolOutcome::error(other.to_string())),
    }
}

fn audit_failed(err: AppError) -> AdapterError {
    AdapterError::Failed {
        reason: format!("the tool call could not be audited: {err}"),
        output: None,
    }
}

/// Forwards everything but `tool_call` (the adapters announce their own synthesized action;
/// the model's call was announced once already, under its `ai__…` name).
struct WithoutToolCalls(Arc<dyn NodeReporter>);

impl NodeReporter for WithoutToolCalls {
    fn emit(&self, kind: ExecutionEventKind) {
        if !matches!(kind, ExecutionEventKind::ToolCall { .. }) {
            self.0.emit(kind);
        }
    }
}

fn read_result(output: &Value) -> (String, String) {
    let bytes = output["bytes"].as_u64().unwrap_or(0);
    let content = output["content"].as_str().unwrap_or("").to_owned();
    (format!("{bytes} bytes"), content)
}

fn list_result(output: &Value) -> (String, String) {
    let entries = output["entries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let lines: Vec<String> = entries
        .iter()
        .map(|entry| {
            let name = entry["name"].as_str().unwrap_or("?");
            match entry["kind"].as_str() {
                Some("dir") => format!("{name}/"),
                Some("symlink") => format!("{name} (symlink)"),
                _ => format!("{name} ({} bytes)", entry["bytes"].as_u64().unwrap_or(0)),
            }
        })
        .collect();
    let text = if lines.is_empty() {
        "(empty folder)".to_owned()
    } else {
        lines.join("\n")
    };
    (format!("{} entries", lines.len()), text)
}

fn grep_result(output: &Value) -> (String, String) {
    let matches = output["matches"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let lines: Vec<String> = matches
        .iter()
        .map(|m| {
            format!(
                "{}:{}: {}",
                m["path"].as_str().unwrap_or("?"),
                m["line"].as_u64().unwrap_or(0),
                m["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "(no matches)".to_owned()
    } else {
        lines.join("\n")
    };
    (format!("{} matches", lines.len()), text)
}

fn shell_text(output: &Value) -> String {
    let exit = match output["exitCode"].as_i64() {
        Some(code) => code.to_string(),
        None => "none".to_owned(),
    };
    let mut text = format!("exit code {exit}");
    for stream in ["stdout", "stderr"] {
        let printed = output[stream].as_str().unwrap_or("");
        if !printed.is_empty() {
            text.push_str(&format!("\n{stream}:\n{printed}"));
        }
    }
    text
}
