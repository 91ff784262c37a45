//! Looking for secrets where they must not be: every file under a directory, byte for byte
//! (SQLite pages and binary files included), for the custody tests.

use std::path::{Path, PathBuf};

/// Whether `needle` occurs in `haystack`.
pub fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// `"<file> holds <needle>"` for each needle found in each file under `dir`.
pub fn files_containing(dir: &Path, needles: &[impl AsRef<[u8]>]) -> Vec<String> {
    let mut found = Vec::new();
    for path in files_under(dir) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for needle in needles {
            if holds(&bytes, needle.as_ref()) {
                found.push(format!(
                    "{} holds {:?}",
                    path.display(),
                    String::from_utf8_lossy(needle.as_ref())
                ));
            }
        }
    }
    found
}
