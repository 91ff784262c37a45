//! Agents announce what they are doing by sending `{"type":"agent-status", agent, status, task}`
//! over the WebSocket; the board re-broadcasts it to every client, as the original did.

use serde_json::Value;

use crate::FlowEvent;

/// The event to re-broadcast for a client message, if it is an agent status report.
/// Missing keys become `null`; non-string values are kept as their JSON text.
pub fn from_message(message: &Value) -> Option<FlowEvent> {
    if message.get("type").and_then(Value::as_str) != Some("agent-status") {
        return None;
    }
    let field = |key: &str| match message.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Some(FlowEvent::AgentStatus {
        agent: field("agent"),
        status: field("status"),
        task: field("task"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_become_events_with_nulls_for_missing_keys() {
        let event =
            from_message(&json!({"type": "agent-status", "agent": "codex", "status": "working"}))
                .unwrap();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"type": "agent-status", "agent": "codex", "status": "working", "task": null})
        );
        assert!(from_message(&json!({"type": "ping"})).is_none());
        assert!(from_message(&json!({"id": 1, "cmd": "app_info"})).is_none());
    }
}
