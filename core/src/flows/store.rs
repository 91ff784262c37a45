//! Saved flows: `templates/<slug>.flow.json` (+ `<slug>.flow`) on disk; collections,
//! memberships and kept revisions in SQLite.

use std::path::{Path, PathBuf};

use crate::AppError;

/// The saved-flow store of one data directory.
#[derive(Debug)]
pub struct FlowStore {
    templates_dir: PathBuf,
}

impl FlowStore {
    /// Opens (creating if needed) `templates/` and the collections tables.
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let templates_dir = data_dir.join("templates");
        std::fs::create_dir_all(&templates_dir)
            .map_err(|e| AppError::io(format!("creating {}", templates_dir.display()), e))?;
        Ok(Self { templates_dir })
    }

    /// The `templates/` directory.
    pub fn templates_dir(&self) -> &Path {
        &self.templates_dir
    }
}
