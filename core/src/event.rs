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
}
