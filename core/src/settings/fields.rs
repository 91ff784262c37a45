//! The settings fields, declared once: the struct, the patch, defaults, ranges and the form
//! manifest all come from the one table in [`define_settings!`] below.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::AppError;
use crate::privacy::{self, PrivacyRule, RuleError};
use crate::theme::ThemeName;

/// How a settings form renders one field; also the field's validation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SettingControl {
    /// An on/off switch.
    Toggle,
    /// A whole number within `min..=max`.
    Number {
        /// Smallest accepted value.
        min: u32,
        /// Largest accepted value.
        max: u32,
        /// Increment the form's stepper uses.
        step: u32,
        /// Unit shown beside the input.
        unit: Option<String>,
    },
    /// One of the board themes.
    Theme,
    /// A map from a key (a node type or an adapter name: a lowercase letter, then lowercase
    /// letters, digits, `_` or `-`) to a whole number within `min..=max`; at most
    /// [`MAX_LIMIT_ENTRIES`] entries. The whole map is replaced by a patch.
    Limits {
        /// Smallest accepted value of an entry.
        min: u32,
        /// Largest accepted value of an entry.
        max: u32,
    },
    /// A map from a name (same rule as a `Limits` key) to on/off; `options` are the names a form
    /// offers, others may be set too. The whole map is replaced by a patch.
    Switches {
        /// The names offered, in display order.
        options: Vec<String>,
    },
    /// A list of privacy rules (name, pattern, placeholder), each checked and compiled as the
    /// sanitizer does; at most [`privacy::MAX_RULES`]. The whole list is replaced by a patch.
    Rules,
}

/// How many entries a [`SettingControl::Limits`] map may hold.
pub const MAX_LIMIT_ENTRIES: usize = 32;

/// One entry of the settings manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SettingField {
    /// The settings key (snake_case).
    pub key: String,
    /// Short label for forms.
    pub label: String,
    /// One sentence on what the setting does.
    pub description: String,
    /// The group the form shows it under.
    pub section: String,
    /// How to edit and validate it.
    pub control: SettingControl,
}

/// Why a value was refused: about the whole value, about one entry of a map, or a sentence of
/// its own about a part of it (one rule of a list).
enum Invalid {
    Value(String),
    Entry { entry: String, why: String },
    Part(String),
}

impl Invalid {
    fn value(why: String) -> Self {
        Self::Value(why)
    }

    fn entry(key: &str, why: String) -> Self {
        Self::Entry {
            entry: shown_key(key),
            why,
        }
    }
}

/// Reads after "setting \`key\`": " must be …", ": \`entry\` must be …" or ": rule …".
impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Entry { entry, why } => write!(f, ": `{entry}` {why}"),
            Self::Value(why) => write!(f, " {why}"),
            Self::Part(what) => write!(f, ": {what}"),
        }
    }
}

/// A map key as quoted in an error: long keys are cut so a message stays readable.
fn shown_key(key: &str) -> String {
    const SHOWN: usize = 64;
    match key.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &key[..cut]),
        None => key.to_owned(),
    }
}

/// Whether `key` may name a node type or an adapter: `[a-z][a-z0-9_-]*`.
fn is_limit_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A value type a setting may hold, checked against its control.
trait SettingValue {
    fn check(&self, control: &SettingControl) -> Result<(), Invalid>;
}

impl SettingValue for bool {
    fn check(&self, _control: &SettingControl) -> Result<(), Invalid> {
        Ok(())
    }
}

impl SettingValue for ThemeName {
    fn check(&self, _control: &SettingControl) -> Result<(), Invalid> {
        Ok(())
    }
}

impl SettingValue for BTreeMap<String, bool> {
    fn check(&self, _control: &SettingControl) -> Result<(), Invalid> {
        if self.len() > MAX_LIMIT_ENTRIES {
            return Err(Invalid::value(format!(
                "may have at most {MAX_LIMIT_ENTRIES} entries, got {}",
                self.len()
            )));
        }
        match self.keys().find(|key| !is_limit_key(key)) {
            Some(key) => Err(Invalid::entry(
                key,
                "is not a provider name (a lowercase letter, then lowercase letters, digits, `_` or `-`)".to_owned(),
            )),
            None => Ok(()),
        }
    }
}

/// Privacy rules are checked by the sanitizer's own validation, so a saved list always compiles.
impl SettingValue for Vec<PrivacyRule> {
    fn check(&self, _control: &SettingControl) -> Result<(), Invalid> {
        privacy::validate_rules(self).map_err(|err| match err {
            RuleError::TooMany(_) => Invalid::value(err.to_string()),
            RuleError::Rule { .. } => Invalid::Part(err.to_string()),
        })
    }
}

fn out_of_range(value: u32, min: u32, max: u32) -> Option<String> {
    (!(min..=max).contains(&value)).then(|| format!("must be between {min} and {max}, got {value}"))
}

impl SettingValue for u32 {
    fn check(&self, control: &SettingControl) -> Result<(), Invalid> {
        match control {
            SettingControl::Number { min, max, .. } => match out_of_range(*self, *min, *max) {
                Some(why) => Err(Invalid::value(why)),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

impl SettingValue for BTreeMap<String, u32> {
    fn check(&self, control: &SettingControl) -> Result<(), Invalid> {
        let SettingControl::Limits { min, max } = control else {
            return Ok(());
        };
        if self.len() > MAX_LIMIT_ENTRIES {
            return Err(Invalid::value(format!(
                "may have at most {MAX_LIMIT_ENTRIES} entries, got {}",
                self.len()
            )));
        }
        for (key, value) in self {
            if !is_limit_key(key) {
                return Err(Invalid::entry(
                    key,
                    "is not a node type or adapter name (a lowercase letter, then lowercase letters, digits, `_` or `-`)".to_owned(),
                ));
            }
            if let Some(why) = out_of_range(*value, *min, *max) {
                return Err(Invalid::entry(key, why));
            }
        }
        Ok(())
    }
}

fn number(min: u32, max: u32, step: u32, unit: Option<&str>) -> SettingControl {
    SettingControl::Number {
        min,
        max,
        step,
        unit: unit.map(str::to_owned),
    }
}

fn switches(options: &[&str]) -> SettingControl {
    SettingControl::Switches {
        options: options.iter().map(|o| (*o).to_owned()).collect(),
    }
}

fn limits(min: u32, max: u32) -> SettingControl {
    SettingControl::Limits { min, max }
}

macro_rules! define_settings {
    ($(
        #[doc = $doc:literal]
        $key:ident: $ty:ty = $default:expr, $label:literal, $section:literal, $control:expr;
    )*) => {
        /// Every setting, with its current value.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
        pub struct Settings {
            $( #[doc = $doc] pub $key: $ty, )*
        }

        impl Default for Settings {
            fn default() -> Self {
                Self { $( $key: $default, )* }
            }
        }

        /// A partial change to the settings: absent or `null` keys stay as they are.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
        #[serde(deny_unknown_fields)]
        pub struct SettingsPatch {
            $( #[doc = $doc] #[serde(default, skip_serializing_if = "Option::is_none")] pub $key: Option<$ty>, )*
        }

        /// The manifest every settings form is generated from, in display order.
        pub fn manifest() -> Vec<SettingField> {
            vec![$(
                SettingField {
                    key: stringify!($key).to_owned(),
                    label: $label.to_owned(),
                    description: $doc.trim().to_owned(),
                    section: $section.to_owned(),
                    control: $control,
                },
            )*]
        }

        impl Settings {
            /// The settings with `patch` applied, or the first validation error naming the key.
            pub fn apply(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
                let mut next = self.clone();
                $(
                    if let Some(value) = patch.$key {
                        value.check(&$control).map_err(|why| {
                            AppError::InvalidInput(format!("setting `{}`{why}", stringify!($key)))
                        })?;
                        next.$key = value;
                    }
                )*
                Ok(next)
            }

            /// Reads settings from a stored JSON object, keeping every valid key and falling back
            /// to the default (with a warning) for a key that is missing or invalid, so one bad
            /// hand edit never discards the rest.
            pub(super) fn from_stored(stored: &Map<String, Value>) -> Settings {
                let mut settings = Settings::default();
                $(
                    if let Some(raw) = stored.get(stringify!($key)) {
                        match serde_json::from_value::<$ty>(raw.clone()) {
                            Ok(value) => match value.check(&$control) {
                                Ok(()) => settings.$key = value,
                                Err(why) => tracing::warn!(key = stringify!($key), why = %format!("setting `{}`{why}", stringify!($key)), "stored setting ignored"),
                            },
                            Err(err) => tracing::warn!(key = stringify!($key), %err, "stored setting ignored"),
                        }
                    }
                )*
                settings
            }
        }
    };
}

define_settings! {
    /// Colour theme of the UI and the board.
    theme: ThemeName = ThemeName::Default, "Theme", "Appearance", SettingControl::Theme;
    /// Pause a run for approval before a node that deletes files, force-pushes, drops tables or similar.
    confirm_destructive: bool = true, "Confirm destructive actions", "Execution safety", SettingControl::Toggle;
    /// How many independent nodes of one run may execute at the same time.
    max_parallel_nodes: u32 = 1, "Parallel nodes per run", "Execution", number(1, 64, 1, None);
    /// Caps how many nodes of one type run at the same time within "Parallel nodes per run" (e.g. `shell: 2`, `ai: 1`); a key matches a node's type (`action`, `ai`, …) or its adapter (`shell`, `fs`, `cli`, …), and a node must fit every cap that matches it.
    node_type_limits: BTreeMap<String, u32> = BTreeMap::new(), "Parallel nodes per type", "Execution", limits(1, 64);
    /// Let the scheduler start runs; off pauses every schedule.
    scheduler_enabled: bool = true, "Scheduler enabled", "Scheduler", SettingControl::Toggle;
    /// How often the scheduler checks for due schedules.
    scheduler_poll_secs: u32 = 30, "Scheduler poll interval", "Scheduler", number(1, 3600, 1, Some("s"));
    /// Allow AI nodes to use the models that run inside this instance.
    allow_local_ai: bool = true, "Local models", "AI", SettingControl::Toggle;
    /// Allow AI nodes to call cloud providers; off keeps inference inside this instance.
    allow_cloud_ai: bool = false, "Cloud providers", "AI", SettingControl::Toggle;
    /// Per cloud provider switches under "Cloud providers" (e.g. `openai: false`); a provider not listed is allowed once cloud providers are on.
    providers_enabled: BTreeMap<String, bool> = BTreeMap::new(), "Cloud provider switches", "AI", switches(&["openai"]);
    /// Allow service nodes to call REST APIs outside this instance; off keeps every run local.
    allow_services: bool = false, "Service nodes", "Services", SettingControl::Toggle;
    /// How many models may stay loaded in memory at once (least recently used is evicted).
    max_loaded_models: u32 = 1, "Loaded models", "AI", number(1, 16, 1, None);
    /// How many inference requests run at the same time; the rest wait in a queue.
    ai_inference_concurrency: u32 = 1, "Inference concurrency", "AI", number(1, 16, 1, None);
    /// How long a queued inference request waits before its node takes the fail path.
    ai_inference_queue_timeout_ms: u32 = 120_000, "Inference queue timeout", "AI", number(1_000, 3_600_000, 1_000, Some("ms"));
    /// Most fix-and-re-run rounds an autonomous agentic run makes before it stops unconverged.
    max_agentic_iterations: u32 = 5, "Autonomous iterations", "Agentic", number(1, 100, 1, None);
    /// Most wall-clock time an autonomous agentic run may take, generation and runs included.
    max_agentic_seconds: u32 = 900, "Autonomous time budget", "Agentic", number(10, 86_400, 10, Some("s"));
    /// Most tokens the model may generate for one agentic job: a generation (at most 2,048 each), or all the fixes of an autonomous run.
    max_agentic_tokens: u32 = 50_000, "Autonomous token budget", "Agentic", number(256, 10_000_000, 256, Some("tokens"));
    /// Your organisation's own patterns (dataset names, project codes): before any model sees a text, each match becomes a placeholder of the rule's kind, as credentials, e-mail addresses, IP addresses and hostnames always do.
    privacy_rules: Vec<PrivacyRule> = Vec::new(), "Privacy rules", "Privacy", SettingControl::Rules;
}

impl Settings {
    /// Whether an `ai` node may call cloud provider `provider`: cloud providers are on and this
    /// one is not switched off.
    pub fn cloud_provider_allowed(&self, provider: &str) -> bool {
        self.allow_cloud_ai
            && self
                .providers_enabled
                .get(provider)
                .copied()
                .unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_changes_only_given_keys() {
        let base = Settings::default();
        let next = base
            .apply(SettingsPatch {
                max_parallel_nodes: Some(4),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(next.max_parallel_nodes, 4);
        assert_eq!(
            Settings {
                max_parallel_nodes: 1,
                ..next
            },
            base
        );
    }

    #[test]
    fn out_of_range_names_the_key_and_the_range() {
        let err = Settings::default()
            .apply(SettingsPatch {
                max_parallel_nodes: Some(0),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `max_parallel_nodes` must be between 1 and 64, got 0".into()
            )
        );
    }

    #[test]
    fn unknown_patch_keys_are_rejected() {
        let err =
            serde_json::from_value::<SettingsPatch>(serde_json::json!({"max_paralel_nodes": 2}))
                .unwrap_err();
        assert!(err.to_string().contains("max_paralel_nodes"), "{err}");
    }

    #[test]
    fn null_in_a_patch_means_unchanged() {
        let patch: SettingsPatch =
            serde_json::from_value(serde_json::json!({"theme": null, "allow_cloud_ai": true}))
                .unwrap();
        let next = Settings::default().apply(patch).unwrap();
        assert_eq!(next.theme, ThemeName::Default);
        assert!(next.allow_cloud_ai);
    }

    #[test]
    fn stored_document_keeps_valid_keys_and_defaults_bad_ones() {
        let stored = serde_json::json!({"theme": "aurora", "max_parallel_nodes": 999, "scheduler_poll_secs": "soon"});
        let settings = Settings::from_stored(stored.as_object().unwrap());
        assert_eq!(settings.theme, ThemeName::Aurora);
        assert_eq!(settings.max_parallel_nodes, 1);
        assert_eq!(settings.scheduler_poll_secs, 30);
    }

    fn limits_patch(entries: &[(&str, u32)]) -> SettingsPatch {
        SettingsPatch {
            node_type_limits: Some(entries.iter().map(|&(k, v)| (k.to_owned(), v)).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn node_type_limits_default_to_no_caps() {
        assert!(Settings::default().node_type_limits.is_empty());
        let json = serde_json::to_value(Settings::default()).unwrap();
        assert_eq!(json["node_type_limits"], serde_json::json!({}));
    }

    #[test]
    fn a_limits_patch_replaces_the_whole_map() {
        let first = Settings::default()
            .apply(limits_patch(&[("shell", 2), ("ai", 1)]))
            .unwrap();
        assert_eq!(
            first.node_type_limits,
            BTreeMap::from([("ai".to_owned(), 1), ("shell".to_owned(), 2)])
        );
        let next = first.apply(limits_patch(&[("fs", 3)])).unwrap();
        assert_eq!(
            next.node_type_limits,
            BTreeMap::from([("fs".to_owned(), 3)])
        );
        let cleared = next.apply(limits_patch(&[])).unwrap();
        assert!(cleared.node_type_limits.is_empty());
        // Absent from a patch: unchanged.
        let kept = first.apply(SettingsPatch::default()).unwrap();
        assert_eq!(kept.node_type_limits, first.node_type_limits);
    }

    #[test]
    fn a_limits_patch_parses_from_json() {
        let patch: SettingsPatch = serde_json::from_value(
            serde_json::json!({"node_type_limits": {"shell": 2, "cli-tool_2": 64}}),
        )
        .unwrap();
        let next = Settings::default().apply(patch).unwrap();
        assert_eq!(next.node_type_limits["cli-tool_2"], 64);
        for bad in [
            serde_json::json!({"node_type_limits": {"shell": -1}}),
            serde_json::json!({"node_type_limits": {"shell": 1.5}}),
            serde_json::json!({"node_type_limits": [["shell", 1]]}),
        ] {
            assert!(
                serde_json::from_value::<SettingsPatch>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_limit_out_of_range_names_the_key_the_entry_and_the_range() {
        let err = Settings::default()
            .apply(limits_patch(&[("ai", 1), ("shell", 0)]))
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `node_type_limits`: `shell` must be between 1 and 64, got 0".into()
            )
        );
        let err = Settings::default()
            .apply(limits_patch(&[("ai", 65)]))
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `node_type_limits`: `ai` must be between 1 and 64, got 65".into()
            )
        );
    }

    #[test]
    fn limit_keys_must_look_like_node_types() {
        for key in ["Shell", "", "1shell", "_x", "sh ell", "shell.x", "ünï"] {
            let err = Settings::default()
                .apply(limits_patch(&[(key, 1)]))
                .unwrap_err();
            assert_eq!(
                err,
                AppError::InvalidInput(format!(
                    "setting `node_type_limits`: `{key}` is not a node type or adapter name (a lowercase letter, then lowercase letters, digits, `_` or `-`)"
                )),
            );
        }
        for key in ["a", "shell", "ai", "my-adapter_2"] {
            assert!(
                Settings::default().apply(limits_patch(&[(key, 1)])).is_ok(),
                "{key}"
            );
        }
        let long = "x".repeat(200);
        let AppError::InvalidInput(message) = Settings::default()
            .apply(limits_patch(&[(&format!("{long}!"), 1)]))
            .unwrap_err()
        else {
            panic!("expected InvalidInput");
        };
        assert!(
            message.contains(&format!("`{}…`", "x".repeat(64))),
            "{message}"
        );
    }

    #[test]
    fn limits_hold_at_most_32_entries() {
        let keys: Vec<String> = (0..=MAX_LIMIT_ENTRIES).map(|i| format!("t{i}")).collect();
        let entries: Vec<(&str, u32)> = keys.iter().map(|k| (k.as_str(), 1)).collect();
        assert!(
            Settings::default()
                .apply(limits_patch(&entries[..MAX_LIMIT_ENTRIES]))
                .is_ok()
        );
        let err = Settings::default()
            .apply(limits_patch(&entries))
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `node_type_limits` may have at most 32 entries, got 33".into()
            )
        );
    }

    #[test]
    fn a_bad_stored_limits_map_falls_back_to_no_caps() {
        for raw in [
            serde_json::json!({"shell": 0}),
            serde_json::json!({"Shell": 2}),
            serde_json::json!({"shell": "two"}),
            serde_json::json!([1, 2]),
        ] {
            let stored = serde_json::json!({"node_type_limits": raw, "max_parallel_nodes": 4});
            let settings = Settings::from_stored(stored.as_object().unwrap());
            assert!(settings.node_type_limits.is_empty(), "{raw}");
            assert_eq!(settings.max_parallel_nodes, 4);
        }
        let stored = serde_json::json!({"node_type_limits": {"shell": 2, "ai": 1}});
        let settings = Settings::from_stored(stored.as_object().unwrap());
        assert_eq!(
            settings.node_type_limits,
            BTreeMap::from([("ai".to_owned(), 1), ("shell".to_owned(), 2)])
        );
    }

    #[test]
    fn the_limits_field_is_in_the_manifest_under_execution() {
        let field = manifest()
            .into_iter()
            .find(|f| f.key == "node_type_limits")
            .unwrap();
        assert_eq!(field.label, "Parallel nodes per type");
        assert_eq!(field.section, "Execution");
        assert_eq!(field.control, SettingControl::Limits { min: 1, max: 64 });
        assert!(field.description.contains("Parallel nodes per run"));
        assert_eq!(
            serde_json::to_value(&field.control).unwrap(),
            serde_json::json!({"type": "limits", "min": 1, "max": 64})
        );
    }

    fn rule(name: &str, pattern: &str, placeholder: &str) -> PrivacyRule {
        PrivacyRule {
            name: name.to_owned(),
            pattern: pattern.to_owned(),
            placeholder: placeholder.to_owned(),
        }
    }

    fn rules_patch(rules: Vec<PrivacyRule>) -> SettingsPatch {
        SettingsPatch {
            privacy_rules: Some(rules),
            ..Default::default()
        }
    }

    #[test]
    fn privacy_rules_default_to_none_and_a_patch_replaces_the_list() {
        assert!(Settings::default().privacy_rules.is_empty());
        let first = Settings::default()
            .apply(rules_patch(vec![
                rule("datasets", r"\bds_\w+", "DATASET_NAME"),
                rule("projects", r"PRJ-\d+", "PROJECT"),
            ]))
            .unwrap();
        assert_eq!(first.privacy_rules.len(), 2);
        let next = first
            .apply(rules_patch(vec![rule("codes", "X-\\d+", "CODE")]))
            .unwrap();
        assert_eq!(next.privacy_rules, vec![rule("codes", "X-\\d+", "CODE")]);
        assert!(
            next.apply(rules_patch(vec![]))
                .unwrap()
                .privacy_rules
                .is_empty()
        );
        let kept = first.apply(SettingsPatch::default()).unwrap();
        assert_eq!(kept.privacy_rules, first.privacy_rules);
    }

    #[test]
    fn a_bad_privacy_rule_names_the_setting_the_rule_and_why() {
        let err = Settings::default()
            .apply(rules_patch(vec![
                rule("ok", "a", "A"),
                rule("broken", "(a", "B"),
            ]))
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `privacy_rules`: rule `broken`: pattern is not a valid regular expression: unclosed group".into()
            )
        );
        let err = Settings::default()
            .apply(rules_patch(vec![rule("Bad Name", "a", "A")]))
            .unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `privacy_rules`: rule 1: name must be a lowercase letter, then lowercase letters, digits, `_` or `-`".into()
            )
        );
        let many = (0..=privacy::MAX_RULES)
            .map(|i| rule(&format!("r{i}"), "a", "A"))
            .collect();
        let err = Settings::default().apply(rules_patch(many)).unwrap_err();
        assert_eq!(
            err,
            AppError::InvalidInput(
                "setting `privacy_rules` may hold at most 64 rules, got 65".into()
            )
        );
    }

    #[test]
    fn privacy_rules_on_the_wire_and_in_the_store() {
        let patch: SettingsPatch = serde_json::from_value(serde_json::json!({
            "privacy_rules": [{"name": "datasets", "pattern": "ds_\\w+", "placeholder": "DATASET_NAME"}]
        }))
        .unwrap();
        let next = Settings::default().apply(patch).unwrap();
        assert_eq!(next.privacy_rules[0].placeholder, "DATASET_NAME");
        // A hand-edited list with a broken rule falls back to no rules; the rest stays.
        let stored = serde_json::json!({
            "privacy_rules": [{"name": "x", "pattern": "(", "placeholder": "X"}],
            "max_parallel_nodes": 4,
        });
        let settings = Settings::from_stored(stored.as_object().unwrap());
        assert!(settings.privacy_rules.is_empty());
        assert_eq!(settings.max_parallel_nodes, 4);
        let field = manifest().into_iter().last().unwrap();
        assert_eq!(field.key, "privacy_rules");
        assert_eq!(field.section, "Privacy");
        assert_eq!(
            serde_json::to_value(&field.control).unwrap(),
            serde_json::json!({"type": "rules"})
        );
    }

    #[test]
    fn defaults_pass_their_own_validation() {
        // Every key set to its default, so each value is checked against its control.
        let json = serde_json::to_value(Settings::default()).unwrap();
        let patch: SettingsPatch = serde_json::from_value(json).unwrap();
        assert_eq!(
            Settings::default().apply(patch).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn manifest_lists_every_field_once() {
        let keys: Vec<_> = manifest().into_iter().map(|f| f.key).collect();
        let json = serde_json::to_value(Settings::default()).unwrap();
        let mut wire: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        wire.sort();
        assert_eq!(sorted, wire);
    }
}
