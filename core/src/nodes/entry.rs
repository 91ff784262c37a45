//! The shape of one node-catalog entry: what the palette, the inspector form, the canvas card
//! and the validator read.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::JsonValue;

/// One node type the catalog offers (built in, or installed as `nodes/<slug>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
    /// Identity and file name stem.
    pub slug: String,
    /// Palette name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Palette group, e.g. `Shell`, `Filesystem`, `CLI`, `Utilities`, `AI`, `Services`.
    pub category: String,
    /// Entry version (semver text); a newer built-in version offers an update.
    pub version: String,
    /// The flow node type it creates (`action`, `ai`, `utility`, `service`, …).
    pub node_type: String,
    /// The `data` fields that identify its nodes, e.g. `{adapter: "shell", actionId: "git"}`;
    /// also stamped onto new nodes.
    #[specta(type = HashMap<String, JsonValue>)]
    pub identity: serde_json::Map<String, serde_json::Value>,
    /// JSON Schema subset driving the inspector form and validation
    /// ([`schema`](super::schema) implements it):
    ///
    /// - root: `type: "object"`, `properties` (name → property), `required` (names);
    /// - property: `type` (`string`|`integer`|`number`|`boolean`|`object`|`array`, or a list of
    ///   them: the value may be any; forms use the first), `title`
    ///   (used in messages: "Command is required"), `description`, `enum`, `default` (must
    ///   satisfy the property), `minimum`, `maximum`, `minLength`, `pattern` (unanchored regex),
    ///   `items` (a property schema for array elements), `format`
    ///   (`multiline`|`path`|`secret`|`uri`|`connection`; only `uri` is checked, the rest are
    ///   form hints; `connection` is a picker of saved connections for the node's service).
    ///
    /// A required field is missing when absent, `null` or a blank string. A string holding a
    /// `{{…}}` template skips every check but `required` (it is resolved at run time). Unknown
    /// keywords are ignored. `defaults` leave out required fields that have no safe value, so a
    /// fresh node shows them as required.
    #[specta(type = JsonValue)]
    pub schema: serde_json::Value,
    /// Field values stamped onto new nodes from the palette.
    #[specta(type = HashMap<String, JsonValue>)]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// For CLI presets: the tool and the minimum version it needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cli_tool: Option<CliTool>,
    /// For service entries: the REST descriptor (base URL, auth scheme, operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<JsonValue>)]
    pub service_integration: Option<serde_json::Value>,
    /// For CLI presets: a command tree for a cascading picker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<JsonValue>)]
    pub command_tree: Option<serde_json::Value>,
    /// Settings keys this entry depends on (the inspector shows "Requires …" when unset).
    #[serde(default)]
    pub settings: Vec<String>,
}

/// A CLI preset's tool: binary name, minimum version, and how to ask it for its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CliTool {
    /// Binary name looked up on `PATH`, e.g. `gh`.
    pub name: String,
    /// Minimum version (semver text).
    pub version: String,
    /// argv that prints the version (default `[name, "--version"]`); never run through a shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_command: Option<Vec<String>>,
}

/// A catalog entry with its install state, as the Node Hub lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogListing {
    /// The entry (the installed copy when installed, else the built-in one).
    pub entry: CatalogEntry,
    /// Installed under `nodes/`.
    pub installed: bool,
    /// The installed version, when installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// A built-in version newer than the installed one exists.
    pub update_available: bool,
    /// Shipped with Flow (as opposed to only present as an installed file).
    pub built_in: bool,
}

/// Result of uninstalling an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NodeUninstalled {
    /// The removed entry.
    pub slug: String,
}

/// Result of probing a CLI tool's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CliProbe {
    /// The entry probed.
    pub slug: String,
    /// The binary.
    pub tool: String,
    /// The binary was found and answered.
    pub found: bool,
    /// The version it printed (first semver-looking token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The minimum version the entry needs.
    pub required: String,
    /// `version >= required`.
    pub meets_minimum: bool,
    /// Why the probe failed (not found, timed out, unparsable output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
