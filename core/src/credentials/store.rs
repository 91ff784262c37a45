//! The credential stores behind custody, and the choice between them at start.
//!
//! The OS store is probed once when the core opens; if it cannot serve (no Secret Service on a
//! headless Linux server, no D-Bus session), the encrypted file store is used instead and that
//! is said out loud: in the log and in `app_info`. The choice is never remade per operation, so
//! a keyring that is briefly locked does not silently send a secret to disk.

use std::path::Path;

use super::file_store::FileStore;
use super::keyring_store::KeyringStore;
use super::types::SecretStoreInfo;
use crate::AppError;

/// A place that keeps one secret text per account (a connection id).
pub(crate) trait SecretStore: Send + Sync {
    /// What this store is, for `app_info`.
    fn info(&self) -> SecretStoreInfo;
    /// The secret of `account`, or `None` when none is stored.
    fn get(&self, account: &str) -> Result<Option<String>, AppError>;
    /// Stores (replaces) the secret of `account`.
    fn set(&self, account: &str, secret: &str) -> Result<(), AppError>;
    /// Removes the secret of `account`; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<(), AppError>;
}

/// Which store to use (`FLOW_SECRET_STORE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SecretStoreChoice {
    /// The OS store when it answers, else the encrypted file.
    #[default]
    Auto,
    /// The OS store only: start fails when it cannot serve.
    Keyring,
    /// The encrypted file only.
    File,
}

impl std::str::FromStr for SecretStoreChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "file" => Ok(Self::File),
            other => Err(format!(
                "unknown secret store `{other}` (expected auto, keyring or file)"
            )),
        }
    }
}

/// Opens the store `choice` asks for, probing the OS store first in `Auto` mode.
pub(crate) fn open(
    data_dir: &Path,
    choice: SecretStoreChoice,
    secret_key: Option<&str>,
) -> Result<Box<dyn SecretStore>, AppError> {
    let store: Box<dyn SecretStore> = match choice {
        SecretStoreChoice::File => Box::new(FileStore::open(data_dir, secret_key, None)?),
        SecretStoreChoice::Keyring => {
            let keyring = KeyringStore::new(data_dir);
            keyring.probe().map_err(|why| {
                AppError::Unavailable(format!(
                    "FLOW_SECRET_STORE=keyring, but the OS credential store cannot be used: {why}"
                ))
            })?;
            Box::new(keyring)
        }
        SecretStoreChoice::Auto => {
            let keyring = KeyringStore::new(data_dir);
            match keyring.probe() {
                Ok(()) => Box::new(keyring),
                Err(why) => {
                    tracing::warn!(
                        reason = %why,
                        "the OS credential store is not available; secrets go to the encrypted file store"
                    );
                    Box::new(FileStore::open(data_dir, secret_key, Some(why))?)
                }
            }
        }
    };
    let info = store.info();
    tracing::info!(
        store = ?info.kind,
        backend = %info.backend,
        key_source = ?info.key_source,
        "credential store active"
    );
    Ok(store)
}
