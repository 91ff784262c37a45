//! The `templates/` directory: `<slug>.flow.json` (canonical) and its `<slug>.flow` DSL
//! projection, written atomically, JSON first.

use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::AppError;
use crate::slug::is_valid_slug;

/// Suffix of the canonical JSON file.
pub(super) const JSON_SUFFIX: &str = ".flow.json";
/// Suffix of the DSL projection.
pub(super) const DSL_SUFFIX: &str = ".flow";

/// The canonical JSON file of a flow.
pub(super) fn json_path(dir: &Path, slug: &str) -> PathBuf {
    dir.join(format!("{slug}{JSON_SUFFIX}"))
}

/// The DSL projection of a flow.
pub(super) fn dsl_path(dir: &Path, slug: &str) -> PathBuf {
    dir.join(format!("{slug}{DSL_SUFFIX}"))
}

/// What identifies one version of a file without reading it: mtime, size and inode. An atomic
/// replace changes the inode even when mtime ticks too coarsely to differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// Size in bytes.
    pub size: i64,
    /// Inode number (0 where the platform has none).
    pub inode: i64,
}

impl Fingerprint {
    /// The fingerprint of a file's metadata.
    pub fn of(meta: &Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok())
            .unwrap_or(0);
        Self {
            mtime_ns,
            size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
            inode: inode(meta),
        }
    }
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    // Inode numbers fit in 63 bits on every filesystem we meet; the cast only has to be stable.
    meta.ino() as i64
}

#[cfg(not(unix))]
fn inode(_meta: &Metadata) -> i64 {
    0
}

/// One read of a flow's JSON file: bytes and metadata from the same open handle, so they
/// describe the same version even if the file is replaced meanwhile.
#[derive(Debug)]
pub(super) struct FlowFile {
    /// The raw bytes.
    pub bytes: Vec<u8>,
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
    /// Its modification time.
    pub modified: SystemTime,
}

/// Reads `<slug>.flow.json`; `None` when it does not exist.
pub(super) fn read(dir: &Path, slug: &str) -> Result<Option<FlowFile>, AppError> {
    let path = json_path(dir, slug);
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(AppError::io(format!("opening {}", path.display()), err)),
    };
    let meta = file
        .metadata()
        .map_err(|e| AppError::io(format!("reading {}", path.display()), e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| AppError::io(format!("reading {}", path.display()), e))?;
    Ok(Some(FlowFile {
        bytes,
        fingerprint: Fingerprint::of(&meta),
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    }))
}

/// Whether a flow (or a stray DSL file that a new flow would overwrite) uses this slug.
pub(super) fn taken(dir: &Path, slug: &str) -> bool {
    json_path(dir, slug).exists() || dsl_path(dir, slug).exists()
}

/// Writes the JSON (the source of truth) and then the DSL projection, each atomically, and
/// returns the JSON file's new fingerprint.
pub(super) fn write(
    dir: &Path,
    slug: &str,
    json: &[u8],
    dsl: &str,
) -> Result<Fingerprint, AppError> {
    let path = json_path(dir, slug);
    crate::atomic_file::write(&path, json)?;
    let meta = std::fs::metadata(&path)
        .map_err(|e| AppError::io(format!("reading {}", path.display()), e))?;
    crate::atomic_file::write(&dsl_path(dir, slug), dsl.as_bytes())?;
    Ok(Fingerprint::of(&meta))
}

/// Removes the JSON file and then the DSL file; `false` (touching nothing) when there was no
/// JSON file.
pub(super) fn remove(dir: &Path, slug: &str) -> Result<bool, AppError> {
    if !remove_if_exists(&json_path(dir, slug))? {
        return Ok(false);
    }
    remove_if_exists(&dsl_path(dir, slug))?;
    Ok(true)
}

/// Best-effort removal of `.tmp-*` files (from [`crate::atomic_file::write`]) older than `age`:
/// what a killed writer leaves behind. Failures are only logged: they never block opening.
pub(super) fn sweep_temp_files(dir: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_temp = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(".tmp-"));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|elapsed| elapsed > age);
        if is_temp && old {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::info!(file = %entry.path().display(), "removed a stale temp file")
                }
                Err(err) => {
                    tracing::warn!(file = %entry.path().display(), %err, "cannot remove a stale temp file")
                }
            }
        }
    }
}

fn remove_if_exists(path: &Path) -> Result<bool, AppError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(AppError::io(format!("deleting {}", path.display()), err)),
    }
}

/// Every `<slug>.flow.json` in the directory with its fingerprint. Names that are not valid
/// slugs (temp files, `Foo.flow.json`) are not flows and are skipped.
pub(super) fn scan(dir: &Path) -> Result<Vec<(String, Fingerprint)>, AppError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| AppError::io(format!("listing {}", dir.display()), e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| AppError::io(format!("listing {}", dir.display()), e))?;
        let name = entry.file_name();
        let Some(slug) = name.to_str().and_then(|n| n.strip_suffix(JSON_SUFFIX)) else {
            continue;
        };
        if !is_valid_slug(slug) {
            tracing::debug!(file = ?name, "not a flow file name; skipped");
            continue;
        }
        match entry.metadata() {
            Ok(meta) if meta.is_file() => found.push((slug.to_owned(), Fingerprint::of(&meta))),
            Ok(_) => {}
            // Deleted between listing and stat: simply not there any more.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(AppError::io(
                    format!("reading {}", entry.path().display()),
                    err,
                ));
            }
        }
    }
    Ok(found)
}

/// Hex sha256 of a file's bytes.
pub(super) fn hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_scan_remove() {
        let dir = tempfile::tempdir().unwrap();
        let fp = write(dir.path(), "a-b", b"{}", "flow").unwrap();
        std::fs::write(dir.path().join("Bad.flow.json"), "{}").unwrap();
        std::fs::write(dir.path().join(".tmp-xyz"), "{}").unwrap();
        let file = read(dir.path(), "a-b").unwrap().unwrap();
        assert_eq!(file.bytes, b"{}");
        assert_eq!(file.fingerprint, fp);
        assert_eq!(scan(dir.path()).unwrap(), vec![("a-b".to_owned(), fp)]);
        assert!(taken(dir.path(), "a-b"));
        assert!(remove(dir.path(), "a-b").unwrap());
        assert!(!remove(dir.path(), "a-b").unwrap());
        assert!(read(dir.path(), "a-b").unwrap().is_none());
        assert!(!dsl_path(dir.path(), "a-b").exists());
        sweep_temp_files(dir.path(), std::time::Duration::from_secs(3600));
        assert!(dir.path().join(".tmp-xyz").exists());
        sweep_temp_files(dir.path(), std::time::Duration::ZERO);
        assert!(!dir.path().join(".tmp-xyz").exists());
    }

    #[test]
    fn hash_is_hex_sha256() {
        assert_eq!(
            hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
