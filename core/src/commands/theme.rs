//! Theme commands: the board's theme API, persisted in the settings.

use super::settings_update;
use crate::settings::SettingsPatch;
use crate::theme::{ThemeName, ThemeState};
use crate::{App, AppError};

/// The current theme with its colours.
pub async fn theme_get(app: &App) -> Result<ThemeState, AppError> {
    Ok(app.settings().get().await.theme.state())
}

/// Switches and persists the theme.
pub async fn theme_set(app: &App, theme: ThemeName) -> Result<ThemeState, AppError> {
    let settings = settings_update(
        app,
        SettingsPatch {
            theme: Some(theme),
            ..Default::default()
        },
    )
    .await?;
    Ok(settings.theme.state())
}

/// Every theme, in picker order.
pub async fn theme_list(_app: &App) -> Result<Vec<ThemeState>, AppError> {
    Ok(ThemeName::ALL.into_iter().map(ThemeName::state).collect())
}
