//! Settings commands.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::settings::{self, SettingField, Settings, SettingsPatch};
use crate::{App, AppError, FlowEvent};

pub async fn settings_get(app: &App) -> Result<Settings, AppError> {
    Ok(app.settings().get().await)
}

pub async fn settings_update(app: &App, patch: SettingsPatch) -> Result<Settings, AppError> {
    let (settings, changed) = app.settings().update(patch).await?;
    if changed {
        app.publish(FlowEvent::SettingsChanged {
            settings: settings.clone(),
        });
    }
    Ok(settings)
}

pub async fn settings_manifest(_app: &App) -> Result<Vec<SettingField>, AppError> {
    Ok(settings::manifest())
}
