//! The `cli` adapter.

use futures_util::future::BoxFuture;

use crate::engine::{Adapter, AdapterCtx, AdapterError, NodeInvocation};

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
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>> {
        let _ = ctx;
        Box::pin(async move {
            Err(AdapterError::Rejected(format!(
                "the cli adapter cannot run '{}' yet",
                node.action_id
            )))
        })
    }
}
