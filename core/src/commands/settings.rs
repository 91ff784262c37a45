//! Settings commands.

use crate::settings::{self, SettingField, Settings, SettingsPatch};
use crate::{App, AppError, FlowEvent};

/// The current settings.
pub async fn settings_get(app: &App) -> Result<Settings, AppError> {
    Ok(app.settings().get().await)
}

/// Applies a validated partial change; publishes `settings-changed` when anything changed.
pub async fn settings_update(app: &App, patch: SettingsPatch) -> Result<Settings, AppError> {
    let (settings, changed) = app.settings().update(patch).await?;
    if changed {
        app.publish(FlowEvent::SettingsChanged {
            settings: settings.clone(),
        });
    }
    Ok(settings)
}

/// The manifest settings forms are generated from.
pub async fn settings_manifest(_app: &App) -> Result<Vec<SettingField>, AppError> {
    Ok(settings::manifest())
}
