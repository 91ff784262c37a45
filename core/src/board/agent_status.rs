//! Agents announce what they are doing by sending `{"type":"agent-status", agent, status, task}`
//! over the WebSocket; the board re-broadcasts it to every client, as the original did.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::FlowEvent;

/// An agent's status report. Read leniently, as the original board did: missing keys become
/// `null`, non-string values are kept as their JSON text, and other keys (the message's `type`)
/// are ignored. The bindings show the fields as the strings clients are meant to send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, specta::Type)]
pub struct AgentStatusReport {
    /// The agent's name, e.g. `codex`.
    #[serde(default, deserialize_with = "lenient_text")]
    #[specta(type = Option<String>)]
    pub agent: Option<String>,
    /// Its status, e.g. `working`.
    #[serde(default, deserialize_with = "lenient_text")]
    #[specta(type = Option<String>)]
    pub status: Option<String>,
    /// What it is working on.
    #[serde(default, deserialize_with = "lenient_text")]
    #[specta(type = Option<String>)]
    pub task: Option<String>,
}

impl AgentStatusReport {
    /// The event every client receives for this report.
    pub fn into_event(self) -> FlowEvent {
        FlowEvent::AgentStatus {
            agent: self.agent,
            status: self.status,
            task: self.task,
        }
    }
}

fn lenient_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event_of(message: Value) -> Value {
        let report: AgentStatusReport = serde_json::from_value(message).unwrap();
        serde_json::to_value(report.into_event()).unwrap()
    }

    #[test]
    fn reports_become_events_with_nulls_for_missing_keys() {
        assert_eq!(
            event_of(json!({"type": "agent-status", "agent": "codex", "status": "working"})),
            json!({"type": "agent-status", "agent": "codex", "status": "working", "task": null})
        );
        assert_eq!(
            event_of(json!({"agent": 7, "status": {"busy": true}, "task": null})),
            json!({"type": "agent-status", "agent": "7", "status": "{\"busy\":true}", "task": null})
        );
    }
}
