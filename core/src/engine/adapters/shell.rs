//! The `shell` adapter: `run-command` (`sh -c <command>`) and the curated tools `git`, `npm`,
//! `pnpm`, `cargo`, `kubectl`, `curl` (argv = tool + `args` split like a shell, no shell).
//!
//! Fields: `command` (run-command) or `args` (curated), and the shared `cwd` (inside the
//! workspace, default its root), `timeoutMs` (default 60000), `maxOutputBytes` (default 10 MiB,
//! stdout and stderr together; more kills the child), `maxCaptureBytes` (default 1 MiB: how much
//! of the end of each stream the output keeps; every line is logged either way), `env` (an object of extra variables, or `"scrubbed"` /
//! `"inherit"`) and `inheritEnv` (default false: only `HOME USER PATH LANG LC_* TERM SHELL`).
//!
//! Output: `{exitCode, stdout, stderr, durationMs}` (with `truncated: {stdout, stderr, limit}`,
//! the bytes let go, when a stream outgrew `maxCaptureBytes`); a non-zero exit fails the node with the same
//! object as its output. Every invocation, refused ones included, appends one line to the audit
//! log (schema in `adapters::audit`: `<data_dir>/logs/audit/shell-YYYY-MM-DD.jsonl` with
//! `at, executionId, nodeId, action, command|argv, cwd, env, exitCode, outcome, durationMs,
//! outputBytes`, never the output itself).

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::process::{self, CommonOptions, ProcessSpec};
use crate::engine::{Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation};

/// The tools with their own action id, run without a shell.
pub const CURATED_TOOLS: [&str; 6] = ["git", "npm", "pnpm", "cargo", "kubectl", "curl"];

/// Runs `shell` nodes.
#[derive(Debug, Default)]
pub struct ShellAdapter;

impl Adapter for ShellAdapter {
    fn name(&self) -> &'static str {
        "shell"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<Value, AdapterError>> {
        Box::pin(execute(node, ctx))
    }
}

async fn execute(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Value, AdapterError> {
    let action = node.action_id.as_str();
    let mut audit = process::audit_record("shell", node, ctx);
    let (program, args) = if action == "run-command" {
        let command = match process::string_field(&node.data, "command") {
            Ok(c) if !c.trim().is_empty() => c,
            Ok(_) => {
                let err = AdapterError::Rejected("run-command needs a command".into());
                return Err(process::reject_audited(audit, ctx, err).await);
            }
            Err(err) => return Err(process::reject_audited(audit, ctx, err).await),
        };
        audit.command = Some(command.to_owned());
        tool_call(node, ctx, command);
        if cfg!(windows) {
            ("cmd", vec!["/c".to_owned(), command.to_owned()])
        } else {
            ("sh", vec!["-c".to_owned(), command.to_owned()])
        }
    } else if let Some(tool) = CURATED_TOOLS.iter().find(|t| **t == action) {
        let raw = match process::string_field(&node.data, "args") {
            Ok(raw) => raw,
            Err(err) => return Err(process::reject_audited(audit, ctx, err).await),
        };
        tool_call(node, ctx, format!("{tool} {raw}").trim_end());
        let args = match process::split_args("args", raw) {
            Ok(args) => args,
            Err(err) => return Err(process::reject_audited(audit, ctx, err).await),
        };
        let mut argv = vec![(*tool).to_owned()];
        argv.extend(args.iter().cloned());
        audit.argv = Some(argv);
        (*tool, args)
    } else {
        let err = AdapterError::Rejected(format!(
            "unknown shell action '{action}' (expected run-command, {})",
            CURATED_TOOLS.join(", ")
        ));
        return Err(process::reject_audited(audit, ctx, err).await);
    };

    let options = match CommonOptions::parse(&node.data, &ctx.workspace_root) {
        Ok(options) => options,
        Err(err) => return Err(process::reject_audited(audit, ctx, err).await),
    };
    let spec = ProcessSpec {
        program,
        args: &args,
        options: &options,
    };
    let finished = process::run_audited(audit, &spec, &node.node_id, ctx, |program| {
        format!("command not found: {program}")
    })
    .await?;
    Ok(finished.payload())
}

fn tool_call(node: &NodeInvocation, ctx: &AdapterCtx, summary: &str) {
    ctx.reporter.emit(ExecutionEventKind::ToolCall {
        node_id: node.node_id.clone(),
        name: format!("shell__{}", node.action_id),
        summary: summary.to_owned(),
    });
}
