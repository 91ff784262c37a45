//! The settings fields, declared once: the struct, the patch, defaults, ranges and the form
//! manifest all come from the one table in [`define_settings!`] below.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::AppError;
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
}

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

/// A value type a setting may hold, checked against its control.
trait SettingValue {
    fn check(&self, control: &SettingControl) -> Result<(), String>;
}

impl SettingValue for bool {
    fn check(&self, _control: &SettingControl) -> Result<(), String> {
        Ok(())
    }
}

impl SettingValue for ThemeName {
    fn check(&self, _control: &SettingControl) -> Result<(), String> {
        Ok(())
    }
}

impl SettingValue for u32 {
    fn check(&self, control: &SettingControl) -> Result<(), String> {
        match control {
            SettingControl::Number { min, max, .. } if !(*min..=*max).contains(self) => {
                Err(format!("must be between {min} and {max}, got {self}"))
            }
            _ => Ok(()),
        }
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
                            AppError::InvalidInput(format!("setting `{}` {why}", stringify!($key)))
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
                                Err(why) => tracing::warn!(key = stringify!($key), %why, "stored setting ignored"),
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
    /// Let the scheduler start runs; off pauses every schedule.
    scheduler_enabled: bool = true, "Scheduler enabled", "Scheduler", SettingControl::Toggle;
    /// How often the scheduler checks for due schedules.
    scheduler_poll_secs: u32 = 30, "Scheduler poll interval", "Scheduler", number(1, 3600, 1, Some("s"));
    /// Allow AI nodes to use the models that run inside this instance.
    allow_local_ai: bool = true, "Local models", "AI", SettingControl::Toggle;
    /// Allow AI nodes to call cloud providers; off keeps inference inside this instance.
    allow_cloud_ai: bool = false, "Cloud providers", "AI", SettingControl::Toggle;
    /// How many models may stay loaded in memory at once (least recently used is evicted).
    max_loaded_models: u32 = 1, "Loaded models", "AI", number(1, 16, 1, None);
    /// How many inference requests run at the same time; the rest wait in a queue.
    ai_inference_concurrency: u32 = 1, "Inference concurrency", "AI", number(1, 16, 1, None);
    /// How long a queued inference request waits before its node takes the fail path.
    ai_inference_queue_timeout_ms: u32 = 120_000, "Inference queue timeout", "AI", number(1_000, 3_600_000, 1_000, Some("ms"));
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
