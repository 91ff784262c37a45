//! The `fs` adapter.

use futures_util::future::BoxFuture;

use crate::engine::{Adapter, AdapterCtx, AdapterError, NodeInvocation};

/// Runs `fs` nodes.
#[derive(Debug, Default)]
pub struct FsAdapter;

impl Adapter for FsAdapter {
    fn name(&self) -> &'static str {
        "fs"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<serde_json::Value, AdapterError>> {
        let _ = ctx;
        Box::pin(async move {
            Err(AdapterError::Rejected(format!(
                "the fs adapter cannot run '{}' yet",
                node.action_id
            )))
        })
    }
}
