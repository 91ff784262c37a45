//! The OS credential store through the `keyring` crate: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::store::SecretStore;
use super::types::{SecretStoreInfo, SecretStoreKind};
use crate::AppError;

/// The account name the start-up probe reads; it is never written.
const PROBE_ACCOUNT: &str = "__flow_probe__";

/// Entries of one data directory: the keyring "service" names the data directory, so two
/// instances on one machine (or two test runs) never see each other's secrets.
pub(crate) struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// The store for `data_dir`'s secrets.
    pub(crate) fn new(data_dir: &Path) -> Self {
        let digest = Sha256::digest(data_dir.to_string_lossy().as_bytes());
        let short: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Self {
            service: format!("flow-studio/{short}"),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, AppError> {
        keyring::Entry::new(&self.service, account).map_err(|e| keyring_error("opening", e))
    }

    /// Reads a never-written entry: "no entry" means the store answers.
    pub(crate) fn probe(&self) -> Result<(), String> {
        let entry = keyring::Entry::new(&self.service, PROBE_ACCOUNT).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }
}

fn keyring_error(doing: &str, err: keyring::Error) -> AppError {
    AppError::Unavailable(format!(
        "the OS credential store failed {doing} a secret: {err}"
    ))
}

impl SecretStore for KeyringStore {
    fn info(&self) -> SecretStoreInfo {
        let backend = if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(windows) {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        };
        SecretStoreInfo {
            kind: SecretStoreKind::Keyring,
            backend: backend.to_owned(),
            key_source: None,
            fallback_reason: None,
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, AppError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keyring_error("reading", err)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), AppError> {
        self.entry(account)?
            .set_password(secret)
            .map_err(|e| keyring_error("storing", e))
    }

    fn delete(&self, account: &str) -> Result<(), AppError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keyring_error("deleting", err)),
        }
    }
}
