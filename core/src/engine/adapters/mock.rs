//! The `mock` adapter: a test double for tests and benchmarks. It succeeds with `data.output`
//! (or `{}`), fails when `data.fail` is true with `data.error`, and sleeps `data.delayMs` first
//! (cancellable).

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::engine::{Adapter, AdapterCtx, AdapterError, NodeInvocation};

/// Runs `mock` nodes.
#[derive(Debug, Default)]
pub struct MockAdapter;

impl Adapter for MockAdapter {
    fn name(&self) -> &'static str {
        "mock"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>> {
        Box::pin(async move {
            let delay = node
                .data
                .get("delayMs")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if delay > 0 {
                tokio::select! {
                    () = ctx.cancel.cancelled() => return Err(AdapterError::Cancelled),
                    () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                }
            }
            if node.data.get("fail").and_then(Value::as_bool) == Some(true) {
                let reason = node
                    .data
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("mock failure")
                    .to_owned();
                return Err(AdapterError::Failed {
                    reason,
                    output: node.data.get("output").cloned(),
                });
            }
            Ok(node
                .data
                .get("output")
                .cloned()
                .unwrap_or_else(|| Value::Object(serde_json::Map::new())))
        })
    }
}
