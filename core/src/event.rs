//! Everything pushed to clients, as one tagged type.

use serde::{Deserialize, Serialize};

use crate::settings::Settings;

/// One event pushed to clients over SSE, WebSocket and Tauri events alike.
///
/// The `type` tag uses the board API's kebab-case names (`connected`, `update`, …) so the
/// original board clients can read our stream unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FlowEvent {
    /// First frame of every stream; never published on the bus.
    Connected,
    /// The client missed events the server no longer holds: refetch state through commands.
    Resync,
    /// Settings changed (the theme included); carries the whole new settings document.
    SettingsChanged {
        /// The settings after the change.
        settings: Settings,
    },
    /// A feature of the agent board's features store was created, changed or deleted.
    #[serde(rename_all = "camelCase")]
    FeatureUpdate {
        /// The feature's id.
        feature_id: u32,
        /// What happened: `created`, `updated`, `claimed`, `passed`, `failed`, `skipped`,
        /// `dependency-added`, `dependency-removed` or `deleted`.
        change: String,
    },
    /// A task file under `TASKS_DIR` was added, changed or removed (the original board's event).
    #[serde(rename_all = "camelCase")]
    Update {
        /// What happened to the file.
        event: FileChange,
        /// The task list (first path component under `TASKS_DIR`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<String>,
        /// The file's name, e.g. `3.json`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
    /// A session transcript or `sessions-index.json` under `PROJECTS_DIR` changed.
    MetadataUpdate,
    /// A saved flow or a collection was created, changed or deleted.
    #[serde(rename_all = "camelCase")]
    FlowsChanged {
        /// The flow concerned (absent for collection-only changes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slug: Option<String>,
        /// Its new revision, after a save.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revision: Option<u32>,
        /// What happened: `saved`, `renamed`, `deleted`, `moved`, `imported`, `restored`,
        /// `collections`, `hub-installed` or `hub-updated` (a Template Hub install or update).
        change: String,
    },
    /// A node-catalog entry was installed, updated or uninstalled.
    NodesChanged {
        /// The entry.
        slug: String,
        /// What happened: `installed`, `updated` or `uninstalled`.
        change: String,
    },
    /// One event of a flow run (Flow Studio's kind-tagged, snake_case execution vocabulary).
    Execution(crate::engine::ExecutionEvent),
    /// A schedule was created, changed, fired or deleted.
    SchedulesChanged {
        /// The saved flow whose schedule changed.
        slug: String,
    },
    /// A model download's progress or status change (`downloading`, `paused`, `verifying`,
    /// `ready`, `failed`, `cancelled`); progress comes at most every 250 ms.
    ModelDownload(crate::models::ModelDownload),
    /// A piece of generated text (one or more tokens, whole characters) of a running request.
    #[serde(rename_all = "camelCase")]
    LlmToken {
        /// The request (`ChatRequest.requestId`, or the one made up for it).
        request_id: String,
        /// The model's file name.
        model: String,
        /// The new text.
        delta: String,
        /// 0 for the request's first delta, then 1, 2, …
        index: u32,
    },
    /// A model file was imported into or deleted from `llms/` (downloads report through
    /// `model-download`).
    #[serde(rename_all = "camelCase")]
    ModelsChanged {
        /// The file's name.
        file_name: String,
        /// `imported` or `deleted`.
        change: String,
    },
    /// A connection was created, changed, connected, disconnected or deleted (metadata only:
    /// events never carry a secret).
    #[serde(rename_all = "camelCase")]
    ConnectionsChanged {
        /// The connection's id.
        id: String,
        /// `saved`, `connected`, `disconnected`, `refreshed`, `needs-reconnect` or `deleted`.
        change: String,
    },
    /// A model was loaded, unloaded or evicted.
    LlmChanged {
        /// The model's file name.
        model: String,
        /// `loaded`, `unloaded` or `evicted`.
        change: String,
    },
    /// A step of an agentic job: a generation started, its tokens, the proposal, the decision.
    Agentic(crate::agentic::AgenticEvent),
    /// An agent reported its status over the WebSocket; re-broadcast to every client.
    AgentStatus {
        /// The agent's name, e.g. `codex`.
        agent: Option<String>,
        /// Its status, e.g. `working`.
        status: Option<String>,
        /// What it is working on.
        task: Option<String>,
    },
}

/// How a watched file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    /// Created.
    Add,
    /// Modified.
    Change,
    /// Removed.
    Unlink,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ExecutionEvent, ExecutionEventKind};

    #[test]
    fn execution_events_carry_both_tags_and_round_trip() {
        let event = FlowEvent::Execution(ExecutionEvent {
            execution_id: "run-1".into(),
            at: "2026-01-01T00:00:00Z".into(),
            seq: 3,
            kind: ExecutionEventKind::NodeStarted {
                node_id: "build".into(),
                iteration: 0,
            },
        });
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "execution", "execution_id": "run-1",
                "at": "2026-01-01T00:00:00Z", "seq": 3, "kind": "node_started",
                "node_id": "build", "iteration": 0})
        );
        assert_eq!(serde_json::from_value::<FlowEvent>(json).unwrap(), event);
    }
}
