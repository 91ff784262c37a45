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

/// A value already serialised to JSON: every transport sends the text as is, and the bindings
/// see `T`. Cached answers are held this way so that a repeated request costs a copy.
pub struct Encoded<T> {
    json: std::sync::Arc<serde_json::value::RawValue>,
    value_type: std::marker::PhantomData<fn() -> T>,
}

impl<T> Encoded<T> {
    /// Serialises `value` (any value whose JSON is `T`'s, such as a slice for a `Vec`).
    pub fn new(value: &impl Serialize) -> Result<Self, serde_json::Error> {
        Ok(Self {
            json: serde_json::value::to_raw_value(value)?.into(),
            value_type: std::marker::PhantomData,
        })
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        self.json.get()
    }
}

impl<T: serde::de::DeserializeOwned> Encoded<T> {
    /// The value back (tests, and callers inside the core that need the typed form).
    pub fn decode(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.json.get())
    }
}

impl<T> Clone for Encoded<T> {
    fn clone(&self) -> Self {
        Self {
            json: self.json.clone(),
            value_type: std::marker::PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Encoded<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Encoded").field(&self.json.get()).finish()
    }
}

impl<T> PartialEq for Encoded<T> {
    fn eq(&self, other: &Self) -> bool {
        self.json.get() == other.json.get()
    }
}

impl<T> Serialize for Encoded<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Encoded<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Self {
            json: json.into(),
            value_type: std::marker::PhantomData,
        })
    }
}

impl<T: specta::Type> specta::Type for Encoded<T> {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        T::definition(types)
    }
}

#[cfg(test)]
mod float_tests {
    /// Run history stores events as JSON text; with serde_json's default parser this value (a
    /// real `duration_ms`) came back one unit in the last place off, so a replayed event differed
    /// from the live one. The workspace enables `float_roundtrip`.
    #[test]
    fn floats_read_back_exactly() {
        for value in [
            52.758_323_000_000_004_f64,
            0.1 + 0.2,
            1e-300,
            123_456.789_012_345_67,
        ] {
            let text = serde_json::to_string(&value).unwrap();
            assert_eq!(
                serde_json::from_str::<f64>(&text).unwrap().to_bits(),
                value.to_bits(),
                "{text}"
            );
        }
    }
}
