//! The PII sanitizer: the synchronous step the agentic generator runs on every text before any
//! model (local or cloud) sees it, and the way back for showing the model's answer.
//!
//! Built-in detectors find credentials (secret-named keys' values in env, JSON, YAML and flag
//! shapes, `Authorization` headers, PEM private keys, JWTs, well-known token shapes), e-mail
//! addresses, IPv4 and IPv6 addresses and hostnames; an organisation adds its own patterns as
//! [`PrivacyRule`]s (the `privacy_rules` setting). Each match becomes a typed, numbered
//! placeholder (`[EMAIL_1]`, `[HOSTNAME_2]`, `[DATASET_NAME_1]`) in a [`SanitizeScope`], which
//! maps placeholders back to the real values for display. Square brackets keep placeholders
//! apart from Flow's `{{…}}` templates, which are never touched.
//!
//! ```
//! use flow_core::privacy::{PrivacyRule, Sanitizer};
//!
//! let rules = [PrivacyRule {
//!     name: "datasets".into(),
//!     pattern: r"\bds_[a-z_]+".into(),
//!     placeholder: "DATASET_NAME".into(),
//! }];
//! let sanitizer = Sanitizer::new(&rules)?;
//! let mut scope = sanitizer.scope();
//! let prompt = scope.sanitize("load ds_sales_eu from db.corp as alice@acme.io, password=hunter2");
//! assert_eq!(
//!     prompt,
//!     "load [DATASET_NAME_1] from [HOSTNAME_1] as [EMAIL_1], password=[SECRET_1]"
//! );
//! let answer = "Ask [EMAIL_1] for access to [DATASET_NAME_1].";
//! assert_eq!(scope.restore(answer), "Ask alice@acme.io for access to ds_sales_eu.");
//! # Ok::<(), flow_core::AppError>(())
//! ```

mod detectors;
mod overlap;
mod rules;
mod scope;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use detectors::{EMAIL, HOSTNAME, IP_ADDRESS, SECRET, TOKEN};
pub use rules::{
    MAX_NAME_CHARS, MAX_PATTERN_CHARS, MAX_PLACEHOLDER_CHARS, MAX_RULES, PrivacyRule, RuleError,
    RuleRef,
};
pub use scope::{Replacement, SanitizeScope};

use crate::AppError;
use crate::settings::Settings;
use detectors::{Builtins, Finding, RANK_FIRST_RULE};
use overlap::Chosen;
use rules::CompiledRule;

/// The most text one preview takes: 1 MiB.
pub const MAX_PREVIEW_BYTES: usize = 1 << 20;

/// The built-in detectors plus an organisation's rules, compiled; cheap to clone and share.
#[derive(Clone, Debug)]
pub struct Sanitizer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    builtins: &'static Builtins,
    rules: Vec<CompiledRule>,
}

impl Sanitizer {
    /// The built-in detectors plus `rules`; a bad rule is `InvalidInput` naming it and why.
    pub fn new(rules: &[PrivacyRule]) -> Result<Sanitizer, AppError> {
        let builtins = detectors::builtins().map_err(AppError::Internal)?;
        let rules =
            rules::compile(rules).map_err(|err| AppError::InvalidInput(rule_message(&err)))?;
        Ok(Sanitizer {
            inner: Arc::new(Inner { builtins, rules }),
        })
    }

    /// The built-in detectors plus the rules saved in `settings` (`privacy_rules`).
    pub fn from_settings(settings: &Settings) -> Result<Sanitizer, AppError> {
        Self::new(&settings.privacy_rules)
    }

    /// A fresh mapping, to be shared by the texts of one prompt.
    pub fn scope(&self) -> SanitizeScope {
        SanitizeScope::new(self.clone())
    }

    fn builtins(&self) -> &'static Builtins {
        self.inner.builtins
    }

    /// Every finding in `text` (built-ins and rules), overlaps resolved.
    fn choose(&self, text: &str) -> Chosen<'_> {
        let mut findings: Vec<Finding<'_>> = Vec::new();
        self.inner.builtins.find(text, &mut findings);
        for (index, rule) in self.inner.rules.iter().enumerate() {
            let rank = RANK_FIRST_RULE.saturating_add(u16::try_from(index).unwrap_or(u16::MAX));
            let mut push = |start: usize, end: usize| {
                if start < end {
                    findings.push(Finding {
                        start,
                        end,
                        kind: &rule.kind,
                        credential: false,
                        rank,
                    });
                }
            };
            match rule.value_group {
                Some(group) => {
                    for caps in rule.regex.captures_iter(text) {
                        if let Some(value) = caps.get(group) {
                            push(value.start(), value.end());
                        }
                    }
                }
                None => {
                    for found in rule.regex.find_iter(text) {
                        push(found.start(), found.end());
                    }
                }
            }
        }
        overlap::resolve(findings, &self.inner.builtins.templates(text))
    }
}

/// Checks a list of rules the way [`Sanitizer::new`] does (the settings use it).
pub fn validate_rules(rules: &[PrivacyRule]) -> Result<(), RuleError> {
    rules::compile(rules).map(drop)
}

/// A rule error as the sanitizer reports it.
fn rule_message(err: &RuleError) -> String {
    match err {
        RuleError::TooMany(count) => {
            format!("at most {MAX_RULES} privacy rules are allowed, got {count}")
        }
        RuleError::Rule { .. } => format!("privacy {err}"),
    }
}

/// What a text would look like to a model, and what was replaced.
#[derive(Serialize, Deserialize, specta::Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyPreview {
    /// The sanitized text.
    pub text: String,
    /// Each placeholder with its kind and the value it stands for, in order of appearance.
    pub replacements: Vec<Replacement>,
}

/// Sanitizes `text` with the built-ins and `rules` in a scope of its own; text over
/// [`MAX_PREVIEW_BYTES`] is refused.
pub fn preview(text: &str, rules: &[PrivacyRule]) -> Result<PrivacyPreview, AppError> {
    if text.len() > MAX_PREVIEW_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "the text to preview is {} bytes; at most {MAX_PREVIEW_BYTES} (1 MiB) can be previewed",
            text.len()
        )));
    }
    let mut scope = Sanitizer::new(rules)?.scope();
    let text = scope.sanitize(text);
    Ok(PrivacyPreview {
        text,
        replacements: scope.replacements().to_vec(),
    })
}
