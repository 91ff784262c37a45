//! Model Hub commands: the catalog, installed GGUF files, and downloads. Download progress and
//! status changes stream as [`FlowEvent::ModelDownload`](crate::FlowEvent::ModelDownload) events.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::models::{CatalogModel, InstalledModel, ModelDownload, import};
use crate::{App, AppError, FlowEvent};

pub async fn models_catalog(app: &App) -> Result<Vec<CatalogModel>, AppError> {
    Ok(app.models().catalog().to_vec())
}

pub async fn models_installed(app: &App) -> Result<Vec<InstalledModel>, AppError> {
    crate::models::installed_models(app).await
}

pub async fn model_downloads(app: &App) -> Result<Vec<ModelDownload>, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let hub = app.models();
        Ok(hub.downloads().list(hub.catalog()))
    })
    .await
    .map_err(|e| AppError::Internal(format!("listing model downloads failed: {e}")))?
}

pub async fn model_download_start(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    hub.downloads().start(hub.catalog_entry(&id)?)
}

pub async fn model_download_pause(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    let model = hub.catalog_entry(&id)?.clone();
    hub.downloads().pause(&model).await
}

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

pub async fn model_download_cancel(app: &App, id: String) -> Result<ModelDownload, AppError> {
    let hub = app.models();
    let model = hub.catalog_entry(&id)?.clone();
    hub.downloads().cancel(&model).await
}

pub async fn model_delete(app: &App, file_name: String) -> Result<ModelDeleted, AppError> {
    if app.llm().is_loaded(&file_name) {
        app.llm().unload(Some(&file_name))?;
    }
    import::delete(app.models().llms_dir(), &file_name)?;
    app.publish(FlowEvent::ModelsChanged {
        file_name: file_name.clone(),
        change: "deleted".into(),
    });
    Ok(ModelDeleted { file_name })
}

pub async fn model_import_file(app: &App, path: String) -> Result<InstalledModel, AppError> {
    let source = std::path::PathBuf::from(&path);
    let file_name = source
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| AppError::InvalidInput(format!("`{path}` names no file")))?;
    let not_found = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound(format!("no file at `{path}`")),
        _ => AppError::io(format!("opening {path}"), e),
    };
    // A device, FIFO or folder would block the import or never end (`/dev/zero`).
    let metadata = tokio::fs::metadata(&source).await.map_err(not_found)?;
    if !metadata.is_file() {
        return Err(AppError::InvalidInput(format!(
            "`{path}` is not a regular file"
        )));
    }
    let file = tokio::fs::File::open(&source).await.map_err(not_found)?;
    import_model_stream(app, &file_name, tokio_util::io::ReaderStream::new(file)).await
}

/// Installs a GGUF file arriving as a byte stream (an upload) as `llms/<file_name>`, then
/// tells every client. A bad or taken name is refused before the stream is read or a byte is
/// written. Not in the command table: transports call it with their own stream.
pub async fn import_model_stream<E: std::fmt::Display>(
    app: &App,
    file_name: &str,
    body: impl futures_util::Stream<Item = Result<bytes::Bytes, E>>,
) -> Result<InstalledModel, AppError> {
    let hub = app.models();
    let model = import::import_stream(hub.llms_dir(), hub.catalog(), file_name, body).await?;
    app.publish(FlowEvent::ModelsChanged {
        file_name: model.file_name.clone(),
        change: "imported".into(),
    });
    Ok(model)
}

/// When an installed model file was last written, in seconds since the Unix epoch (0 when
/// unknown): OpenAI's `created` in `/v1/models`. Not in the command table.
pub fn model_modified_secs(app: &App, file_name: &str) -> u64 {
    std::fs::metadata(app.models().llms_dir().join(file_name))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// What `model_delete` removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModelDeleted {
    /// The deleted file's name.
    pub file_name: String,
}
