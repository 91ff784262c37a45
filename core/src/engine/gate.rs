//! The destructive-action gate: which resolved nodes must wait for a person's approval.

use serde_json::{Map, Value};

use crate::flows::destructive::destructive_match;
pub use crate::flows::destructive::destructive_reason;

/// What a node would do, when it is destructive and the gate is on.
pub(crate) fn needs_confirmation(
    gate_on: bool,
    node_type: &str,
    resolved: &Map<String, Value>,
) -> Option<String> {
    if !gate_on {
        return None;
    }
    destructive_match(node_type, resolved).map(|m| m.action)
}
