//! Checks on the JSON files a server left behind (after a kill, on a full disk).

use std::path::Path;

/// Every `*.json` file under `dir` that does not parse.
pub fn corrupt_json(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .filter(|e| {
            let bytes = std::fs::read(e.path()).expect("read a file the walk found");
            serde_json::from_slice::<serde_json::Value>(&bytes).is_err()
        })
        .map(|e| e.path().display().to_string())
        .collect()
}
