//! The `cli` adapter: one action, `cli-tool`, running an installed CLI (`gh`, `zowe`, …) argv-only
//! as `<bin> <command path…> <args…>`.
//!
//! Fields: `bin` (required, a bare program name looked up on PATH), `command` (required,
//! space-separated subcommand path), `args` (split like a shell, no expansion), `outputFilter`
//! (optional regex over the serialized payload; its first capture group, or the whole match when
//! it has none, becomes `payload.filtered`, null when nothing matches) and the process fields the
//! `shell` adapter shares (`cwd`, `timeoutMs`, `maxOutputBytes`, `maxCaptureBytes`, `env`,
//! `inheritEnv`).
//!
//! `bin` must be a bare name: a path (`/`, `\`) is refused, because a CLI node names a tool the
//! catalog probes on PATH, and a templated path would turn it into "run any file"; arbitrary
//! programs belong to `shell` `run-command`, which is audited as such.
//!
//! Output: when stdout is a JSON object or array, that value; otherwise `{stdout, exitCode}`
//! (a bare scalar like `42` stays text, so a tool that prints a number keeps a stable shape;
//! stdout longer than `maxCaptureBytes` is never parsed and carries `truncated`).
//! A non-zero exit fails with `{exitCode, stdout, stderr, durationMs}`. Invocations are audited
//! like shell ones, in `cli-YYYY-MM-DD.jsonl`.

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::process::{self, CommonOptions, ProcessSpec};
use crate::engine::{Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation};

/// Runs `cli` nodes.
#[derive(Debug, Default)]
pub struct CliAdapter;

impl Adapter for CliAdapter {
    fn name(&self) -> &'static str {
        "cli"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<Value, AdapterError>> {
        Box::pin(async move {
            let audit = process::audit_record("cli", node, ctx);
            match prepare(node, ctx) {
                Ok(prepared) => run(prepared, audit, node, ctx).await,
                Err(err) => Err(process::reject_audited(audit, ctx, err).await),
            }
        })
    }
}

struct Prepared {
    argv: Vec<String>,
    filter: Option<regex::Regex>,
    options: CommonOptions,
}

fn prepare(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Prepared, AdapterError> {
    if node.action_id != "cli-tool" {
        return Err(AdapterError::Rejected(format!(
            "unknown cli action '{}' (expected cli-tool)",
            node.action_id
        )));
    }
    let bin = process::string_field(&node.data, "bin")?.trim();
    if bin.is_empty() {
        return Err(AdapterError::Rejected("cli-tool needs a bin".into()));
    }
    if bin.contains(['/', '\\', '\0']) || bin.chars().any(char::is_whitespace) {
        return Err(AdapterError::Rejected(format!(
            "bin must be a bare program name found on PATH, got {bin:?}"
        )));
    }
    let command = process::string_field(&node.data, "command")?;
    if command.trim().is_empty() {
        return Err(AdapterError::Rejected("cli-tool needs a command".into()));
    }
    let args = process::split_args("args", process::string_field(&node.data, "args")?)?;
    let filter = match process::string_field(&node.data, "outputFilter")? {
        "" => None,
        pattern => Some(regex::Regex::new(pattern).map_err(|err| {
            AdapterError::Rejected(format!("outputFilter is not a valid regex: {err}"))
        })?),
    };
    let mut argv = vec![bin.to_owned()];
    argv.extend(command.split_whitespace().map(str::to_owned));
    argv.extend(args);
    ctx.reporter.emit(ExecutionEventKind::ToolCall {
        node_id: node.node_id.clone(),
        name: format!("cli__{}", node.action_id),
        summary: shell_words::join(&argv),
    });
    let options = CommonOptions::parse(&node.data, &ctx.workspace_root)?;
    Ok(Prepared {
        argv,
        filter,
        options,
    })
}

async fn run(
    prepared: Prepared,
    mut audit: super::audit::AuditRecord,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
) -> Result<Value, AdapterError> {
    let Some((program, args)) = prepared.argv.split_first() else {
        return Err(AdapterError::Rejected("cli-tool needs a bin".into()));
    };
    audit.argv = Some(prepared.argv.clone());
    let spec = ProcessSpec {
        program,
        args,
        options: &prepared.options,
    };
    let finished = process::run_audited(audit, &spec, &node.node_id, ctx, |program| {
        format!("command not found: {program} (is it installed and on PATH?)")
    })
    .await?;
    // The end of a longer output may parse by chance (its last line alone); only whole output is
    // read as JSON.
    let whole = finished.stdout.dropped == 0;
    let parsed = whole
        .then(|| serde_json::from_str::<Value>(finished.stdout.text.trim()).ok())
        .flatten();
    let mut payload = match parsed {
        Some(value @ (Value::Object(_) | Value::Array(_))) => value,
        _ => {
            let mut plain =
                json!({ "stdout": finished.stdout.text, "exitCode": finished.exit_code() });
            finished.mark_truncated(&mut plain);
            plain
        }
    };
    if let Some(filter) = &prepared.filter {
        let serialized = payload.to_string();
        let filtered = filter.captures(&serialized).and_then(|caps| {
            caps.get(1)
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_owned())
        });
        payload = with_filtered(payload, filtered);
    }
    Ok(payload)
}

/// Adds `filtered` to an object payload; an array is wrapped as `{output, filtered}`.
fn with_filtered(payload: Value, filtered: Option<String>) -> Value {
    match payload {
        Value::Object(mut map) => {
            map.insert("filtered".into(), json!(filtered));
            Value::Object(map)
        }
        other => json!({ "output": other, "filtered": filtered }),
    }
}
