//! The encrypted-at-rest fallback for machines without an OS credential store.
//!
//! `<data dir>/secrets/store.enc` holds every secret as one XChaCha20-Poly1305 ciphertext (a
//! fresh random nonce on every write, replaced atomically). The key is derived with Argon2id from
//! `FLOW_SECRET_KEY` when it is set, so nothing on disk opens the store; otherwise it is a random
//! key in `<data dir>/secrets/store.key` (mode 0600), which keeps the secrets out of backups and
//! copies of the store file but not from someone who can read the whole data directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::store::SecretStore;
use super::types::{SecretKeySource, SecretStoreInfo, SecretStoreKind};
use crate::AppError;

/// Shortest `FLOW_SECRET_KEY` accepted: a passphrase shorter than this is guessable offline.
pub const MIN_SECRET_KEY_CHARS: usize = 16;

const FORMAT_VERSION: u32 = 1;
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const SALT_LEN: usize = 16;

/// The file's envelope: how to get the key, and the ciphertext of the account map.
#[derive(Serialize, Deserialize)]
struct Envelope {
    version: u32,
    /// `argon2id` (key from `FLOW_SECRET_KEY`) or `keyfile`.
    kdf: String,
    #[serde(default)]
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// The decrypted contents: account → secret text, wiped from memory when dropped.
#[derive(Default, Serialize, Deserialize)]
#[serde(transparent)]
struct Accounts(BTreeMap<String, String>);

impl Drop for Accounts {
    fn drop(&mut self) {
        self.0.values_mut().for_each(zeroize::Zeroize::zeroize);
    }
}

/// What identifies one version of the store file: modification time, length and (on Unix) the
/// inode, which every atomic replacement changes even within one mtime tick.
type Fingerprint = (std::time::SystemTime, u64, u64);

/// The decrypted accounts of one version of the file.
struct Cached {
    fingerprint: Fingerprint,
    accounts: Accounts,
}

/// The encrypted file store of one data directory.
pub(crate) struct FileStore {
    path: PathBuf,
    key: Zeroizing<[u8; KEY_LEN]>,
    kdf: &'static str,
    salt: Vec<u8>,
    key_source: SecretKeySource,
    fallback_reason: Option<String>,
    /// The decrypted contents as last read or written, with the file's fingerprint then, so a
    /// read decrypts again only when the file changed (another process wrote it). The mutex also
    /// serialises read-modify-write cycles within this process.
    cache: Mutex<Option<Cached>>,
}

fn io(context: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> AppError {
    move |e| AppError::io(context, e)
}

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("the system random source failed: {e}")))?;
    Ok(bytes)
}

fn derive(passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, AppError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    argon2::Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| AppError::Internal(format!("deriving the secret store key failed: {e}")))?;
    Ok(key)
}

/// Reads the key file, creating it (0600, never overwritten) when missing.
fn key_file(path: &Path) -> Result<Zeroizing<[u8; KEY_LEN]>, AppError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let key: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
                AppError::Unavailable(format!(
                    "{} is not a {KEY_LEN}-byte key; restore it from a backup or remove it together with store.enc (the stored secrets are then lost)",
                    path.display()
                ))
            })?;
            Ok(Zeroizing::new(key))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let key = Zeroizing::new(random::<KEY_LEN>()?);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(io(format!("creating {}", path.display())))?;
            file.write_all(key.as_ref())
                .and_then(|()| file.sync_all())
                .map_err(io(format!("writing {}", path.display())))?;
            Ok(key)
        }
        Err(err) => Err(AppError::io(format!("reading {}", path.display()), err)),
    }
}

fn create_private_dir(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io(format!("restricting {}", dir.display())))?;
    }
    Ok(())
}

impl FileStore {
    /// Opens (creating if needed) the store under `data_dir/secrets/`. With `passphrase` set, a
    /// store written with the key file is re-encrypted under the passphrase and the key file
    /// removed.
    pub(crate) fn open(
        data_dir: &Path,
        passphrase: Option<&str>,
        fallback_reason: Option<String>,
    ) -> Result<Self, AppError> {
        if let Some(p) = passphrase
            && p.chars().count() < MIN_SECRET_KEY_CHARS
        {
            return Err(AppError::InvalidInput(format!(
                "FLOW_SECRET_KEY must be at least {MIN_SECRET_KEY_CHARS} characters"
            )));
        }
        let dir = data_dir.join("secrets");
        create_private_dir(&dir)?;
        let path = dir.join("store.enc");
        let key_path = dir.join("store.key");
        let existing = match std::fs::read(&path) {
            Ok(bytes) => Some(serde_json::from_slice::<Envelope>(&bytes).map_err(|e| {
                AppError::Unavailable(format!(
                    "{} is not a Flow secret store ({e}); restore it from a backup",
                    path.display()
                ))
            })?),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(AppError::io(format!("reading {}", path.display()), err)),
        };
        let store = |key, kdf, salt, key_source| Self {
            path: path.clone(),
            key,
            kdf,
            salt,
            key_source,
            fallback_reason: fallback_reason.clone(),
            cache: Mutex::new(None),
        };
        match (existing, passphrase) {
            (Some(envelope), _) if envelope.kdf == "argon2id" => {
                let Some(passphrase) = passphrase else {
                    return Err(AppError::Unavailable(format!(
                        "{} is encrypted with FLOW_SECRET_KEY; set it to the key it was written with",
                        path.display()
                    )));
                };
                let salt = B64
                    .decode(&envelope.salt)
                    .map_err(|e| corrupt(&path, &e.to_string()))?;
                let this = store(
                    derive(passphrase, &salt)?,
                    "argon2id",
                    salt,
                    SecretKeySource::Env,
                );
                this.decrypt(&envelope).map_err(|_| {
                    AppError::Unavailable(format!(
                        "{} cannot be decrypted: FLOW_SECRET_KEY is not the key it was written with",
                        path.display()
                    ))
                })?;
                Ok(this)
            }
            (Some(envelope), passphrase) => {
                let old = store(
                    key_file(&key_path)?,
                    "keyfile",
                    Vec::new(),
                    SecretKeySource::KeyFile,
                );
                let accounts = old.decrypt(&envelope).map_err(|_| {
                    AppError::Unavailable(format!(
                        "{} cannot be decrypted with {}; restore the key file from a backup",
                        path.display(),
                        key_path.display()
                    ))
                })?;
                let Some(passphrase) = passphrase else {
                    return Ok(old);
                };
                let salt = random::<SALT_LEN>()?.to_vec();
                let new = store(
                    derive(passphrase, &salt)?,
                    "argon2id",
                    salt,
                    SecretKeySource::Env,
                );
                new.write(&accounts)?;
                std::fs::remove_file(&key_path)
                    .map_err(io(format!("removing {}", key_path.display())))?;
                tracing::info!("secret store re-encrypted with FLOW_SECRET_KEY; key file removed");
                Ok(new)
            }
            (None, Some(passphrase)) => {
                let salt = random::<SALT_LEN>()?.to_vec();
                let new = store(
                    derive(passphrase, &salt)?,
                    "argon2id",
                    salt,
                    SecretKeySource::Env,
                );
                new.write(&Accounts::default())?;
                Ok(new)
            }
            (None, None) => {
                let new = store(
                    key_file(&key_path)?,
                    "keyfile",
                    Vec::new(),
                    SecretKeySource::KeyFile,
                );
                new.write(&Accounts::default())?;
                Ok(new)
            }
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.key.as_ref()))
    }

    fn decrypt(&self, envelope: &Envelope) -> Result<Accounts, AppError> {
        if envelope.version != FORMAT_VERSION {
            return Err(corrupt(
                &self.path,
                &format!("unknown version {}", envelope.version),
            ));
        }
        let nonce = B64
            .decode(&envelope.nonce)
            .map_err(|e| corrupt(&self.path, &e.to_string()))?;
        if nonce.len() != NONCE_LEN {
            return Err(corrupt(&self.path, "bad nonce"));
        }
        let ciphertext = B64
            .decode(&envelope.ciphertext)
            .map_err(|e| corrupt(&self.path, &e.to_string()))?;
        let plain = Zeroizing::new(
            self.cipher()
                .decrypt(XNonce::from_slice(&nonce), ciphertext.as_slice())
                .map_err(|_| corrupt(&self.path, "authentication failed"))?,
        );
        serde_json::from_slice(&plain).map_err(|e| corrupt(&self.path, &e.to_string()))
    }

    fn read(&self) -> Result<Accounts, AppError> {
        let bytes =
            std::fs::read(&self.path).map_err(io(format!("reading {}", self.path.display())))?;
        let envelope: Envelope =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(&self.path, &e.to_string()))?;
        self.decrypt(&envelope)
    }

    fn write(&self, accounts: &Accounts) -> Result<(), AppError> {
        let plain = Zeroizing::new(
            serde_json::to_vec(accounts)
                .map_err(|e| AppError::Internal(format!("encoding secrets failed: {e}")))?,
        );
        let nonce = random::<NONCE_LEN>()?;
        let ciphertext = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| AppError::Internal("encrypting the secret store failed".into()))?;
        let envelope = Envelope {
            version: FORMAT_VERSION,
            kdf: self.kdf.to_owned(),
            salt: B64.encode(&self.salt),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        };
        let bytes = serde_json::to_vec_pretty(&envelope)
            .map_err(|e| AppError::Internal(format!("encoding the secret store failed: {e}")))?;
        crate::atomic_file::write(&self.path, &bytes)
    }

    fn fingerprint(&self) -> Result<Fingerprint, AppError> {
        let meta = std::fs::metadata(&self.path)
            .map_err(io(format!("reading {}", self.path.display())))?;
        let modified = meta
            .modified()
            .map_err(io(format!("reading {}", self.path.display())))?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Ok((modified, meta.len(), inode))
    }

    /// The current accounts, decrypting the file only when it changed since the last look.
    fn current<'a>(&self, cache: &'a mut Option<Cached>) -> Result<&'a mut Accounts, AppError> {
        let fingerprint = self.fingerprint()?;
        let stale = cache.as_ref().is_none_or(|c| c.fingerprint != fingerprint);
        if stale {
            *cache = Some(Cached {
                accounts: self.read()?,
                fingerprint,
            });
        }
        cache
            .as_mut()
            .map(|c| &mut c.accounts)
            .ok_or_else(|| AppError::Internal("the secret store cache is empty".into()))
    }

    fn modify(&self, change: impl FnOnce(&mut Accounts)) -> Result<(), AppError> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let accounts = self.current(&mut cache)?;
        change(accounts);
        let written = self.write(accounts);
        // Whatever happened on disk, the next read starts from the file.
        *cache = None;
        written
    }
}

fn corrupt(path: &Path, why: &str) -> AppError {
    AppError::Unavailable(format!(
        "{} cannot be read ({why}); restore it from a backup",
        path.display()
    ))
}

impl SecretStore for FileStore {
    fn info(&self) -> SecretStoreInfo {
        SecretStoreInfo {
            kind: SecretStoreKind::EncryptedFile,
            backend: "encrypted file".to_owned(),
            key_source: Some(self.key_source),
            fallback_reason: self.fallback_reason.clone(),
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, AppError> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(self.current(&mut cache)?.0.get(account).cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), AppError> {
        self.modify(|accounts| {
            accounts.0.insert(account.to_owned(), secret.to_owned());
        })
    }

    fn delete(&self, account: &str) -> Result<(), AppError> {
        self.modify(|accounts| {
            accounts.0.remove(account);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_nothing_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path(), None, None).unwrap();
        store.set("gh", "ghp_supersecretvalue123").unwrap();
        assert_eq!(
            store.get("gh").unwrap().as_deref(),
            Some("ghp_supersecretvalue123")
        );
        let raw = std::fs::read_to_string(dir.path().join("secrets/store.enc")).unwrap();
        assert!(!raw.contains("supersecret"));
        let reopened = FileStore::open(dir.path(), None, None).unwrap();
        assert_eq!(
            reopened.get("gh").unwrap().as_deref(),
            Some("ghp_supersecretvalue123")
        );
        reopened.delete("gh").unwrap();
        assert_eq!(reopened.get("gh").unwrap(), None);
        reopened.delete("gh").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        FileStore::open(dir.path(), None, None).unwrap();
        let mode = std::fs::metadata(dir.path().join("secrets/store.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let store_mode = std::fs::metadata(dir.path().join("secrets/store.enc"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            store_mode & 0o077,
            0,
            "store.enc must not be readable by others"
        );
    }

    #[test]
    fn passphrase_migrates_key_file_store_and_wrong_passphrase_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        FileStore::open(dir.path(), None, None)
            .unwrap()
            .set("a", "value-one")
            .unwrap();
        let pass = "correct horse battery staple";
        let store = FileStore::open(dir.path(), Some(pass), None).unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some("value-one"));
        assert!(!dir.path().join("secrets/store.key").exists());
        assert_eq!(store.info().key_source, Some(SecretKeySource::Env));
        let err = FileStore::open(dir.path(), Some("a different passphrase!"), None)
            .err()
            .unwrap();
        assert!(err.message().contains("not the key"), "{err}");
        let err = FileStore::open(dir.path(), None, None).err().unwrap();
        assert!(err.message().contains("FLOW_SECRET_KEY"), "{err}");
        assert!(FileStore::open(dir.path(), Some("short"), None).is_err());
    }

    #[test]
    fn a_change_by_another_process_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let one = FileStore::open(dir.path(), None, None).unwrap();
        let two = FileStore::open(dir.path(), None, None).unwrap();
        one.set("a", "first-value").unwrap();
        assert_eq!(two.get("a").unwrap().as_deref(), Some("first-value"));
        one.set("a", "second-value").unwrap();
        assert_eq!(two.get("a").unwrap().as_deref(), Some("second-value"));
        two.delete("a").unwrap();
        assert_eq!(one.get("a").unwrap(), None);
    }

    #[test]
    fn a_tampered_file_is_refused_not_reset() {
        let dir = tempfile::tempdir().unwrap();
        FileStore::open(dir.path(), None, None)
            .unwrap()
            .set("a", "value-one")
            .unwrap();
        let path = dir.path().join("secrets/store.enc");
        let mut envelope: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut ct = B64
            .decode(envelope["ciphertext"].as_str().unwrap())
            .unwrap();
        ct[0] ^= 1;
        envelope["ciphertext"] = B64.encode(ct).into();
        std::fs::write(&path, serde_json::to_vec(&envelope).unwrap()).unwrap();
        assert!(FileStore::open(dir.path(), None, None).is_err());
        assert!(
            path.exists(),
            "a store that fails to open is kept for recovery"
        );
    }
}
