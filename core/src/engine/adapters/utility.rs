//! The `utility` adapter: `sleep`, `log`, `set-variable`, `download`, `merge` and `cron`.
//!
//! `set-variable` and `merge` need the run's state, which adapters do not see: `set-variable`
//! returns `{key, value}` and the executor stores it in the run memory; `merge` reads the
//! predecessor outputs the executor puts under `data["$inputs"]`.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use crate::engine::executor::MERGE_INPUTS_KEY;
use crate::engine::{
    Adapter, AdapterCtx, AdapterError, ExecutionEventKind, LogStream, NodeInvocation,
};
use crate::http_body::{self, BodyError, Streamed};

/// How often a download reports progress, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Runs `utility` nodes.
#[derive(Debug, Default)]
pub struct UtilityAdapter;

impl Adapter for UtilityAdapter {
    fn name(&self) -> &'static str {
        "utility"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>> {
        Box::pin(async move {
            match node.action_id.as_str() {
                "sleep" => sleep(node, ctx).await,
                "log" => Ok(log(node, ctx)),
                "set-variable" => set_variable(node),
                "download" => download(node, ctx).await,
                "merge" => Ok(node
                    .data
                    .get(MERGE_INPUTS_KEY)
                    .cloned()
                    .unwrap_or_else(|| json!({}))),
                "cron" => Ok(json!({"expression": text(node, "expression").unwrap_or_default()})),
                other => Err(AdapterError::Rejected(format!(
                    "the utility adapter has no action '{other}'"
                ))),
            }
        })
    }
}

fn text<'a>(node: &'a NodeInvocation, key: &str) -> Option<&'a str> {
    node.data.get(key).and_then(Value::as_str)
}

async fn sleep(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Value, AdapterError> {
    let ms = match node.data.get("ms") {
        None => 1000,
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| {
                AdapterError::Rejected(format!("sleep: ms must be a whole number, got {v}"))
            })?,
    };
    tokio::select! {
        () = ctx.cancel.cancelled() => Err(AdapterError::Cancelled),
        () = tokio::time::sleep(Duration::from_millis(ms)) => Ok(json!({"ms": ms})),
    }
}

fn log(node: &NodeInvocation, ctx: &AdapterCtx) -> Value {
    let message = match node.data.get("message") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let level = text(node, "level").unwrap_or("info").to_owned();
    ctx.log(&node.node_id, LogStream::Stdout, message.clone());
    json!({"message": message, "level": level})
}

fn set_variable(node: &NodeInvocation) -> Result<Value, AdapterError> {
    let key = text(node, "key")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| AdapterError::Rejected("set-variable: Key is required".to_owned()))?;
    let value = node.data.get("value").cloned().unwrap_or(Value::Null);
    Ok(json!({"key": key, "value": value}))
}

/// `dest` inside the workspace: relative, no `..`.
fn destination(root: &Path, dest: &str) -> Result<PathBuf, AdapterError> {
    let rel = Path::new(dest);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(AdapterError::Rejected(format!(
            "download: dest `{dest}` must be a relative path inside the workspace"
        )));
    }
    Ok(root.join(rel))
}

fn failed(reason: String) -> AdapterError {
    AdapterError::Failed {
        reason,
        output: None,
    }
}

async fn download(node: &NodeInvocation, ctx: &AdapterCtx) -> Result<Value, AdapterError> {
    let url = text(node, "url")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| AdapterError::Rejected("download: URL is required".to_owned()))?;
    if !url.starts_with("http://") && !url.starts_with("https://") {
        return Err(AdapterError::Rejected(format!(
            "download: only http:// and https:// URLs are supported, got {url}"
        )));
    }
    let dest = match text(node, "dest").filter(|d| !d.is_empty()) {
        Some(d) => d.to_owned(),
        None => url
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("download")
            .split('?')
            .next()
            .unwrap_or("download")
            .to_owned(),
    };
    let path = destination(&ctx.workspace_root, &dest)?;
    let expected = text(node, "sha256").map(str::to_ascii_lowercase);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| failed(format!("download: creating {}: {e}", parent.display())))?;
    }
    ctx.reporter.emit(ExecutionEventKind::ToolCall {
        node_id: node.node_id.clone(),
        name: "utility__download".to_owned(),
        summary: format!("GET {url} → {dest}"),
    });
    let response = tokio::select! {
        () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
        r = reqwest::get(url) => r.map_err(|e| failed(format!("download: {url}: {e}")))?,
    };
    if !response.status().is_success() {
        return Err(failed(format!(
            "download: {url} answered {}",
            response.status()
        )));
    }
    let total = response.content_length().map(|t| t as f64);
    let temp = path.with_file_name(format!(
        ".{}.part-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("download"),
        ctx.execution_id
    ));
    let result = stream_to(response, &temp, node, ctx, total).await;
    let (bytes, digest) = match result {
        Ok(done) => done,
        Err(err) => {
            // Best effort: the temp file is ours and useless now.
            let _ignored = tokio::fs::remove_file(&temp).await;
            return Err(err);
        }
    };
    if let Some(expected) = expected.filter(|e| *e != digest) {
        let _ignored = tokio::fs::remove_file(&temp).await;
        return Err(failed(format!(
            "download: checksum mismatch for {url}: expected {expected}, got {digest}"
        )));
    }
    tokio::fs::rename(&temp, &path)
        .await
        .map_err(|e| failed(format!("download: moving into {}: {e}", path.display())))?;
    Ok(json!({"path": dest, "bytes": bytes, "sha256": digest}))
}

async fn stream_to(
    response: reqwest::Response,
    temp: &Path,
    node: &NodeInvocation,
    ctx: &AdapterCtx,
    total: Option<f64>,
) -> Result<(u64, String), AdapterError> {
    let mut file = tokio::fs::File::create(temp)
        .await
        .map_err(|e| failed(format!("download: creating {}: {e}", temp.display())))?;
    let streamed = http_body::stream_to_file(
        response,
        &mut file,
        true,
        &ctx.cancel,
        PROGRESS_EVERY,
        |p| {
            ctx.reporter.emit(ExecutionEventKind::NodeProgress {
                node_id: node.node_id.clone(),
                bytes: p.received as f64,
                total,
            });
        },
    )
    .await
    .map_err(|e| match e {
        BodyError::Read(why) => failed(format!("download: reading: {why}")),
        BodyError::Write(why) => failed(format!("download: writing {}: {why}", temp.display())),
    })?;
    match streamed {
        Streamed::Finished {
            received,
            sha256: Some(digest),
        } => Ok((received, digest)),
        Streamed::Finished { sha256: None, .. } => {
            Err(failed("download: the transfer was not hashed".to_owned()))
        }
        Streamed::Cancelled => Err(AdapterError::Cancelled),
    }
}
