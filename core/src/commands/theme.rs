//! Theme commands: the board's theme API, persisted in the settings.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use super::settings_update;
use crate::settings::SettingsPatch;
use crate::theme::{ThemeName, ThemeState};
use crate::{App, AppError};

pub async fn theme_get(app: &App) -> Result<ThemeState, AppError> {
    Ok(app.settings().get().await.theme.state())
}

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

pub async fn theme_list(_app: &App) -> Result<Vec<ThemeState>, AppError> {
    Ok(ThemeName::ALL.into_iter().map(ThemeName::state).collect())
}
