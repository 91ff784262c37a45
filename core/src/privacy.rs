//! TEMPORARY stand-in with the sanitizer's API, replaced when the sanitizer lands; it
//! replaces nothing.

use serde::{Deserialize, Serialize};

use crate::AppError;

/// Stand-in.
#[derive(Debug, Clone, Default)]
pub struct Sanitizer;

impl Sanitizer {
    /// Stand-in.
    pub fn from_settings(_settings: &crate::settings::Settings) -> Result<Self, AppError> {
        Ok(Self)
    }

    /// Stand-in.
    pub fn scope(&self) -> SanitizeScope {
        SanitizeScope::default()
    }
}

/// Stand-in.
#[derive(Debug, Default)]
pub struct SanitizeScope {
    replacements: Vec<Replacement>,
}

impl SanitizeScope {
    /// Stand-in.
    pub fn sanitize(&mut self, text: &str) -> String {
        text.to_owned()
    }

    /// Stand-in.
    pub fn restore(&self, text: &str) -> String {
        text.to_owned()
    }

    /// Stand-in.
    pub fn replacements(&self) -> &[Replacement] {
        &self.replacements
    }
}

/// Stand-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    /// Stand-in.
    pub placeholder: String,
}
