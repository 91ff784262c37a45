//! The command table: every command the core serves, listed once.
//!
//! Each transport expands [`for_each_command!`] with a callback macro that receives, per
//! command, its doc comment, name, arguments and result type, and generates its own wrapper
//! (a Tauri command, an HTTP dispatch arm, …). Adding a command means writing one `pub async fn`
//! in a module below and adding one line to the table: no transport changes.

mod info;
mod settings;
mod theme;

pub use info::app_info;
pub use settings::{settings_get, settings_manifest, settings_update};
pub use theme::{theme_get, theme_list, theme_set};

/// Calls `$callback! { ... }` with every command as
/// `#[doc] name(arg: Type, ...) -> Result;`, in a stable order.
#[macro_export]
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            /// Name, version, edition and data directory of this instance.
            app_info() -> $crate::AppInfo;
            /// The current settings.
            settings_get() -> $crate::settings::Settings;
            /// Applies a partial settings change (validated) and returns the new settings.
            settings_update(patch: $crate::settings::SettingsPatch) -> $crate::settings::Settings;
            /// Describes every setting (label, section, control, range) so forms can be generated.
            settings_manifest() -> ::std::vec::Vec<$crate::settings::SettingField>;
            /// The current theme with its colours.
            theme_get() -> $crate::theme::ThemeState;
            /// Switches the theme (persisted) and returns it with its colours.
            theme_set(theme: $crate::theme::ThemeName) -> $crate::theme::ThemeState;
            /// Every theme with its colours, in picker order.
            theme_list() -> ::std::vec::Vec<$crate::theme::ThemeState>;
        }
    };
}

macro_rules! command_names {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// The names of every command, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
for_each_command!(command_names);
