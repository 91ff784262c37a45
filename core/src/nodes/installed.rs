//! The installed entries on disk: one `nodes/<slug>.json` per entry, plus the `.seeded` marker.
//!
//! Seeding rule: the first time a data directory's `nodes/` lacks the `.seeded` marker, every
//! built-in entry that has no file yet is written, then the marker. The marker (not the mere
//! existence of `nodes/`) decides, so a directory created empty by an older build still gets a
//! full palette, while an entry the user uninstalls later stays uninstalled across restarts.
//! Deleting the marker reinstalls missing built-ins on the next start.

use std::path::{Path, PathBuf};

use super::builtin::builtin_entries;
use super::entry::CatalogEntry;
use super::schema::check_schema;
use crate::AppError;
use crate::slug::is_valid_slug;

/// Marks a `nodes/` directory whose built-in entries were installed once.
pub(super) const SEEDED_MARKER: &str = ".seeded";

/// Installed files larger than this are not entries (and are not read into memory).
const MAX_ENTRY_BYTES: u64 = 1024 * 1024;

/// `nodes/<slug>.json`, refusing slugs that could name anything else.
pub(super) fn entry_path(dir: &Path, slug: &str) -> Result<PathBuf, AppError> {
    if !is_valid_slug(slug) {
        return Err(AppError::InvalidInput(format!(
            "`{slug}` is not a valid node slug (lowercase letters, digits and -)"
        )));
    }
    Ok(dir.join(format!("{slug}.json")))
}

/// Installs the built-in entries on a data directory's first open (see the module docs).
pub(super) fn seed_if_new(dir: &Path) -> Result<(), AppError> {
    let marker = dir.join(SEEDED_MARKER);
    if marker.exists() {
        return Ok(());
    }
    let mut written = 0usize;
    for entry in builtin_entries() {
        let path = entry_path(dir, &entry.slug)?;
        // A hand-placed file of the same slug is the user's: keep it.
        if !path.exists() {
            write_entry(dir, entry)?;
            written += 1;
        }
    }
    crate::atomic_file::write(
        &marker,
        b"Built-in node entries were installed here once; delete this file to reinstall missing ones on the next start.\n",
    )?;
    tracing::info!(dir = %dir.display(), written, "installed the built-in node entries");
    Ok(())
}

/// Every valid installed entry, sorted by slug; invalid files are logged and skipped.
pub(super) fn read_all(dir: &Path) -> Vec<CatalogEntry> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(err) => {
            tracing::warn!(dir = %dir.display(), %err, "cannot list installed node entries");
            return Vec::new();
        }
    };
    let mut entries: Vec<CatalogEntry> = read
        .filter_map(|item| {
            let path = item.ok()?.path();
            let stem = entry_stem(&path)?;
            load_logged(&path, &stem)
        })
        .collect();
    entries.sort_by(|a, b| a.slug.cmp(&b.slug));
    entries
}

/// The installed entry with this slug, if its file exists and is valid.
pub(super) fn read_one(dir: &Path, slug: &str) -> Option<CatalogEntry> {
    let path = entry_path(dir, slug).ok()?;
    if !path.exists() {
        return None;
    }
    load_logged(&path, slug)
}

/// Writes (atomically) `nodes/<slug>.json`.
pub(super) fn write_entry(dir: &Path, entry: &CatalogEntry) -> Result<(), AppError> {
    let path = entry_path(dir, &entry.slug)?;
    let mut bytes = serde_json::to_vec_pretty(entry)
        .map_err(|e| AppError::Internal(format!("encoding node entry {}: {e}", entry.slug)))?;
    bytes.push(b'\n');
    crate::atomic_file::write(&path, &bytes)
}

/// Removes `nodes/<slug>.json`; `false` when there was no such file.
pub(super) fn remove_entry(dir: &Path, slug: &str) -> Result<bool, AppError> {
    let path = entry_path(dir, slug)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(AppError::io(format!("removing {}", path.display()), e)),
    }
}

/// The slug a `*.json` file name stands for (valid slugs only: no dot-files, no traversal).
fn entry_stem(path: &Path) -> Option<String> {
    if path.extension().and_then(|e| e.to_str()) != Some("json") {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    if !is_valid_slug(stem) {
        tracing::warn!(path = %path.display(), "skipping a node file whose name is not a slug");
        return None;
    }
    Some(stem.to_owned())
}

fn load_logged(path: &Path, slug: &str) -> Option<CatalogEntry> {
    load(path, slug)
        .inspect_err(|err| {
            tracing::warn!(path = %path.display(), %err, "skipping an invalid node entry");
        })
        .ok()
}

fn load(path: &Path, slug: &str) -> Result<CatalogEntry, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    if meta.len() > MAX_ENTRY_BYTES {
        return Err(format!("larger than {MAX_ENTRY_BYTES} bytes"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let entry: CatalogEntry = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if entry.slug != slug {
        return Err(format!(
            "its slug `{}` does not match the file name",
            entry.slug
        ));
    }
    if entry.node_type.trim().is_empty() {
        return Err("it has no node type".to_owned());
    }
    check_schema(&entry.schema).map_err(|e| format!("invalid schema: {e}"))?;
    crate::services::check_entry(&entry)?;
    Ok(entry)
}
