//! Model Hub commands: the catalog, installed GGUF files, and downloads. Download progress and
//! status changes stream as [`FlowEvent::ModelDownload`](crate::FlowEvent::ModelDownload) events.

use crate::models::{CatalogModel, InstalledModel, ModelDownload, installed};
use crate::{App, AppError};

/// Every downloadable model in the catalog.
pub async fn models_catalog(app: &App) -> Result<Vec<CatalogModel>, AppError> {
    Ok(app.models().catalog().to_vec())
}

/// The GGUF files under `llms/` with their header metadata (unreadable ones carry `error`).
pub async fn models_installed(app: &App) -> Result<Vec<InstalledModel>, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let hub = app.models();
        installed::list(hub.llms_dir(), hub.catalog())
    })
    .await
    .map_err(|e| AppError::Internal(format!("listing installed models failed: {e}")))?
}

/// Running, paused (partial files left by an earlier process included) and failed downloads.
pub async fn model_downloads(app: &App) -> Result<Vec<ModelDownload>, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let hub = app.models();
        Ok(hub.downloads().list(hub.catalog()))
    })
    .await
    .map_err(|e| AppError::Internal(format!("listing model downloads failed: {e}")))?
}

/// Starts downloading a catalog model, resuming its partial file if there is one.
pub async fn model_download_start(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    hub.downloads().start(hub.catalog_entry(&id)?)
}

/// Pauses a download; its partial file stays for a later resume.
pub async fn model_download_pause(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    let model = hub.catalog_entry(&id)?.clone();
    hub.downloads().pause(&model).await
}

/// Resumes a paused or failed download from its partial file.
pub async fn model_download_resume(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    let model = hub.catalog_entry(&id)?;
    let known = hub
        .downloads()
        .list(hub.catalog())
        .into_iter()
        .any(|d| d.id == id);
    if !known {
        return Err(AppError::NotFound(format!(
            "no download of `{id}` to resume"
        )));
    }
    hub.downloads().start(model)
}

/// Stops a download and deletes its partial file.
pub async fn model_download_cancel(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    let model = hub.catalog_entry(&id)?.clone();
    hub.downloads().cancel(&model).await
}
