//! The real test model, Gemma 3 270M Q4_K_M, fetched by `tests/models/fetch-test-model.sh`.

use std::path::{Path, PathBuf};

/// The model's file name.
pub const TEST_MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

/// `$FLOW_TEST_MODEL`, or where the fetch script puts the model by default.
pub fn test_model_path() -> PathBuf {
    let path = std::env::var_os("FLOW_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
                });
            cache.join("flow-ci/models").join(TEST_MODEL)
        });
    assert!(
        path.is_file(),
        "the test model is missing at {}: run tests/models/fetch-test-model.sh (./dev test does)",
        path.display()
    );
    path
}

/// Puts the test model into `<data dir>/llms/` (a hard link when possible).
pub fn install_test_model(data_dir: &Path) {
    let llms = data_dir.join("llms");
    std::fs::create_dir_all(&llms).expect("llms dir");
    let target = llms.join(TEST_MODEL);
    let source = test_model_path();
    if std::fs::hard_link(&source, &target).is_err() {
        std::fs::copy(&source, &target).expect("copy the test model");
    }
}
