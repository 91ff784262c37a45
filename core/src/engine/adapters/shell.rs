//! The `shell` adapter.

use futures_util::future::BoxFuture;

use crate::engine::{Adapter, AdapterCtx, AdapterError, NodeInvocation};

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
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>> {
        let _ = ctx;
        Box::pin(async move {
            Err(AdapterError::Rejected(format!(
                "the shell adapter cannot run '{}' yet",
                node.action_id
            )))
        })
    }
}
