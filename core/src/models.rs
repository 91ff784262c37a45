//! The Model Hub: the model catalog, the GGUF files installed under `<data>/llms/`, and
//! resumable, checksum-verified downloads that report progress as
//! [`FlowEvent::ModelDownload`](crate::FlowEvent::ModelDownload) events.
//!
//! The catalog is embedded (`models/catalog.json`). A `<data>/llms/catalog.json` file, when
//! present at open, replaces it: tests use this to point downloads at a loopback server, and
//! power users to add their own models.

pub mod catalog;
pub mod downloads;
pub mod gguf;
pub mod import;
pub mod installed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{AppError, EventBus};

pub use catalog::CatalogModel;
pub use downloads::{DownloadStatus, ModelDownload};
pub use installed::InstalledModel;

/// The GGUF files under `llms/` with their header metadata, read off the async threads.
pub async fn installed_models(app: &crate::App) -> Result<Vec<InstalledModel>, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let hub = app.models();
        installed::list(hub.llms_dir(), hub.catalog())
    })
    .await
    .map_err(|e| AppError::Internal(format!("listing installed models failed: {e}")))?
}

/// The models directory's name under the data directory.
pub const LLMS_DIR: &str = "llms";

/// The Model Hub of one app: its catalog, models directory and downloads.
#[derive(Debug)]
pub struct ModelHub {
    llms_dir: PathBuf,
    catalog: Vec<CatalogModel>,
    downloads: downloads::Downloads,
}

impl ModelHub {
    /// Opens the hub on `<data_dir>/llms/` (created if needed), loading the catalog.
    pub fn open(data_dir: &Path, bus: Arc<EventBus>) -> Result<Self, AppError> {
        let llms_dir = data_dir.join(LLMS_DIR);
        std::fs::create_dir_all(&llms_dir)
            .map_err(|e| AppError::io(format!("creating {}", llms_dir.display()), e))?;
        let catalog = catalog::load(&llms_dir)?;
        Ok(Self {
            downloads: downloads::Downloads::new(llms_dir.clone(), bus),
            llms_dir,
            catalog,
        })
    }

    /// The models directory.
    pub fn llms_dir(&self) -> &Path {
        &self.llms_dir
    }

    /// Every catalog entry, in catalog order.
    pub fn catalog(&self) -> &[CatalogModel] {
        &self.catalog
    }

    /// One catalog entry by id.
    pub fn catalog_entry(&self, id: &str) -> Result<&CatalogModel, AppError> {
        self.catalog
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no model `{id}` in the catalog")))
    }

    /// The downloads: running, paused (also those left on disk by an earlier process) and failed.
    pub fn downloads(&self) -> &downloads::Downloads {
        &self.downloads
    }
}
