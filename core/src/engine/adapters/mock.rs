//! The `mock` adapter.

use futures_util::future::BoxFuture;

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
        let _ = ctx;
        Box::pin(async move {
            Err(AdapterError::Rejected(format!(
                "the mock adapter cannot run '{}' yet",
                node.action_id
            )))
        })
    }
}
