//! The GGUF files under `llms/`, with what their headers say.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::CatalogModel;
use super::gguf;
use crate::AppError;

/// One installed model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InstalledModel {
    /// The file's name under `llms/`.
    pub file_name: String,
    /// Its size in bytes.
    pub size_bytes: f64,
    /// `general.architecture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// `general.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The quantization named by `general.file_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization: Option<String>,
    /// `<arch>.context_length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u32>,
    /// `general.size_label` or the parameter count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<String>,
    /// The catalog entry with this file name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_id: Option<String>,
    /// Why the header could not be read (the other metadata fields are then absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Lists `*.gguf` files in `llms_dir`, sorted by name; unreadable headers carry `error`.
pub fn list(llms_dir: &Path, catalog: &[CatalogModel]) -> Result<Vec<InstalledModel>, AppError> {
    let entries = std::fs::read_dir(llms_dir)
        .map_err(|e| AppError::io(format!("listing {}", llms_dir.display()), e))?;
    let mut models = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| AppError::io(format!("listing {}", llms_dir.display()), e))?;
        let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !super::catalog::is_bare_gguf_name(&file_name) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        models.push(describe(&path, file_name, meta.len(), catalog));
    }
    models.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(models)
}

/// One installed file's entry (it must exist).
pub fn describe_file(
    llms_dir: &Path,
    file_name: &str,
    catalog: &[CatalogModel],
) -> Result<InstalledModel, AppError> {
    let path = llms_dir.join(file_name);
    let meta = std::fs::metadata(&path)
        .map_err(|e| AppError::io(format!("reading {}", path.display()), e))?;
    Ok(describe(&path, file_name.to_owned(), meta.len(), catalog))
}

fn describe(path: &Path, file_name: String, size: u64, catalog: &[CatalogModel]) -> InstalledModel {
    let catalog_id = catalog
        .iter()
        .find(|m| m.file_name == file_name)
        .map(|m| m.id.clone());
    let header = std::fs::File::open(path)
        .map_err(gguf::GgufError::from)
        .and_then(|f| gguf::read_header(std::io::BufReader::new(f)));
    let mut model = InstalledModel {
        file_name,
        size_bytes: size as f64,
        architecture: None,
        name: None,
        quantization: None,
        context_length: None,
        parameters: None,
        catalog_id,
        error: None,
    };
    match header {
        Ok(h) => {
            model.architecture = h.architecture().map(str::to_owned);
            model.name = h.name().map(str::to_owned);
            model.quantization = h.quantization();
            model.context_length = h.context_length();
            model.parameters = h.parameters();
        }
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "unreadable GGUF header");
            model.error = Some(err.to_string());
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_gguf_files_with_metadata_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("gemma-3-270m-it-Q4_K_M.gguf"),
            gguf::tests::sample(),
        )
        .unwrap();
        std::fs::write(dir.path().join("broken.gguf"), b"GGUF\x03\0\0").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
        std::fs::write(dir.path().join("x.gguf.part"), b"ignored").unwrap();
        let catalog = super::super::catalog::load(dir.path()).unwrap();
        let models = list(dir.path(), &catalog).unwrap();
        assert_eq!(models.len(), 2, "{models:?}");
        assert_eq!(models[0].file_name, "broken.gguf");
        assert!(models[0].error.as_deref().unwrap().contains("truncated"));
        let gemma = &models[1];
        assert_eq!(gemma.architecture.as_deref(), Some("gemma3"));
        assert_eq!(gemma.quantization.as_deref(), Some("Q4_K_M"));
        assert_eq!(gemma.context_length, Some(32768));
        assert_eq!(gemma.parameters.as_deref(), Some("270M"));
        assert_eq!(gemma.catalog_id.as_deref(), Some("gemma-3-270m-it-q4_k_m"));
        assert_eq!(gemma.error, None);
    }
}
