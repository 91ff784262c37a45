//! Settings: the typed document, partial patches, validation and the field manifest that drives
//! every settings form. Keys are snake_case, as in Flow Studio's shared `settings.json`.

mod fields;
mod store;

pub use fields::{SettingControl, SettingField, Settings, SettingsPatch, manifest};
pub use store::SettingsStore;
