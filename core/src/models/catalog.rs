//! The model catalog: embedded JSON, or `<llms>/catalog.json` when that file exists.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::AppError;

/// The catalog shipped with the core.
const EMBEDDED: &str = include_str!("catalog.json");

/// One downloadable model.
///
/// Entries with a `sha256` are verified against it and against `sizeBytes`. Entries without one
/// (their digest could not be checked when the catalog was written) are size-checked only,
/// against the size the server announced; their `sizeBytes` is then an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogModel {
    /// Stable id, used by the download commands.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Model family (the GGUF architecture), e.g. `gemma3`.
    pub family: String,
    /// Parameter count as text, e.g. `270M`.
    pub parameters: String,
    /// Quantization, e.g. `Q4_K_M`.
    pub quantization: String,
    /// File size in bytes.
    pub size_bytes: f64,
    /// Trained context length in tokens.
    pub context_length: u32,
    /// Rough memory needed to run it, in bytes.
    pub ram_bytes: f64,
    /// Lowercase hex SHA-256 of the file, when known.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Where the file is downloaded from.
    pub url: String,
    /// The file's name under `llms/` (a bare name ending in `.gguf`).
    pub file_name: String,
}

/// Parses a catalog document and checks its file names.
pub fn parse(json: &str) -> Result<Vec<CatalogModel>, AppError> {
    let models: Vec<CatalogModel> = serde_json::from_str(json)
        .map_err(|e| AppError::InvalidInput(format!("model catalog: {e}")))?;
    for m in &models {
        if !is_bare_gguf_name(&m.file_name) {
            return Err(AppError::InvalidInput(format!(
                "model catalog: `{}` has file name `{}`; it must be a bare `*.gguf` name",
                m.id, m.file_name
            )));
        }
    }
    Ok(models)
}

/// The catalog for a models directory: its `catalog.json` override, else the embedded one.
pub fn load(llms_dir: &Path) -> Result<Vec<CatalogModel>, AppError> {
    let custom = llms_dir.join("catalog.json");
    match std::fs::read_to_string(&custom) {
        Ok(text) => {
            tracing::info!(path = %custom.display(), "using a custom model catalog");
            parse(&text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => parse(EMBEDDED),
        Err(e) => Err(AppError::io(format!("reading {}", custom.display()), e)),
    }
}

/// A file name with no separators or dots-only components that ends in `.gguf`.
pub fn is_bare_gguf_name(name: &str) -> bool {
    name.ends_with(".gguf")
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_parses_and_has_gemma() {
        let models = parse(EMBEDDED).unwrap();
        let gemma = models
            .iter()
            .find(|m| m.id == "gemma-3-270m-it-q4_k_m")
            .unwrap();
        assert_eq!(gemma.file_name, "gemma-3-270m-it-Q4_K_M.gguf");
        // No embedded entry claims a digest that could not be checked against its real file.
        assert!(models.iter().all(|m| m.sha256.is_none()));
        assert!(models.len() >= 4);
    }

    #[test]
    fn file_names_must_be_bare() {
        assert!(is_bare_gguf_name("a.gguf"));
        assert!(!is_bare_gguf_name("../a.gguf"));
        assert!(!is_bare_gguf_name("a/b.gguf"));
        assert!(!is_bare_gguf_name("a.bin"));
        assert!(!is_bare_gguf_name(".gguf"));
    }
}
