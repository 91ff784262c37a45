//! The `utility` adapter.

use futures_util::future::BoxFuture;

use crate::engine::{Adapter, AdapterCtx, AdapterError, NodeInvocation};

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
        let _ = ctx;
        Box::pin(async move {
            Err(AdapterError::Rejected(format!(
                "the utility adapter cannot run '{}' yet",
                node.action_id
            )))
        })
    }
}
