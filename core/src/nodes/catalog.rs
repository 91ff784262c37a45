//! The catalog of one data directory: built-in entries plus those installed under `nodes/`.

use std::path::{Path, PathBuf};

use crate::AppError;

/// Built-in and installed node-catalog entries.
#[derive(Debug)]
pub struct NodeCatalog {
    nodes_dir: PathBuf,
}

impl NodeCatalog {
    /// Opens `nodes/` (creating it, and installing the default entries, on first use).
    pub fn open(data_dir: &Path) -> Result<Self, AppError> {
        let nodes_dir = data_dir.join("nodes");
        std::fs::create_dir_all(&nodes_dir)
            .map_err(|e| AppError::io(format!("creating {}", nodes_dir.display()), e))?;
        Ok(Self { nodes_dir })
    }

    /// The `nodes/` directory.
    pub fn nodes_dir(&self) -> &Path {
        &self.nodes_dir
    }
}
