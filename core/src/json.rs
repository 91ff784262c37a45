//! How arbitrary JSON is described to TypeScript (specta's own `serde_json::Value` carries
//! 64-bit integers, which the bindings refuse).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Any JSON value. Only its TypeScript shape matters: fields holding `serde_json` values are
/// exported as this type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(untagged)]
pub enum JsonValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object.
    Object(HashMap<String, JsonValue>),
}
