//! Credential custody: the one holder of secrets.
//!
//! Connections (a service, an auth kind, settings that are not secret) are metadata in SQLite;
//! their secrets (tokens, passwords, API keys, OAuth bundles) live only in the credential store
//! chosen at start ([`store`]): the OS keyring, or an encrypted file where there is none. No
//! command returns a secret: clients get [`Connection`] metadata. Adapters get a secret at
//! execution time through [`Credentials::resolve`], which also hands every value to the
//! [`Redactor`] so it is masked wherever it would be echoed.

mod file_store;
mod keyring_store;
mod meta;
pub mod oauth;
pub mod redact;
mod secret;
mod store;
pub mod types;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use file_store::MIN_SECRET_KEY_CHARS;
pub use redact::Redactor;
pub use secret::{OAuthTokens, SecretBundle};
pub use store::SecretStoreChoice;
pub use types::{
    AuthKind, Connection, ConnectionConfig, ConnectionDeleted, ConnectionInput, ConnectionStatus,
    ConnectionTest, FlowUse, KeyPlacement, OAuthInfo, OAuthStart, SecretKeySource, SecretStoreInfo,
    SecretStoreKind,
};

use crate::AppError;
use meta::{MetaStore, Row};
use store::SecretStore;

/// How often a connection's "last used" time is written: a run calling an API in a loop must
/// not pay a database write per request for a time shown to the minute.
const TOUCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Longest connection name accepted.
const MAX_NAME_CHARS: usize = 100;
/// Longest secret accepted (an OAuth bundle is stored whole, so this bounds one value).
const MAX_SECRET_BYTES: usize = 16 * 1024;

/// A connection with its secret, for an adapter at execution time. Not a wire type.
pub struct ResolvedConnection {
    /// The metadata.
    pub connection: Connection,
    /// The secret bundle (empty for `AuthKind::None`).
    pub secret: SecretBundle,
}

impl std::fmt::Debug for ResolvedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedConnection")
            .field("connection", &self.connection.id)
            .finish_non_exhaustive()
    }
}

/// The custodian of one data directory's connections and secrets.
pub struct Credentials {
    meta: MetaStore,
    store: Arc<dyn SecretStore>,
    redactor: Arc<Redactor>,
    /// One async lock per connection, so a token refresh and a save never interleave.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// When each connection's use was last written to the database.
    touched: Mutex<HashMap<String, std::time::Instant>>,
    /// Held while a new connection's id is picked and its row written, so two creations with
    /// the same name get different ids.
    create_lock: tokio::sync::Mutex<()>,
    /// OAuth 2 grants in flight and refresh bookkeeping (memory only).
    oauth: oauth::OAuthState,
}

/// `FLOW_SECRET_KEY`: the passphrase the encrypted file store's key is derived from.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub String);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("store", &self.store.info())
            .finish_non_exhaustive()
    }
}

fn now() -> String {
    crate::timestamp::rfc3339(std::time::SystemTime::now())
}

fn is_service_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && text.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check_url(what: &str, url: &Option<String>) -> Result<(), AppError> {
    if let Some(url) = url {
        let ok = reqwest::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(AppError::InvalidInput(format!(
                "{what} must be an http or https URL, got {url:?}"
            )));
        }
    }
    Ok(())
}

fn status_of(row: &Row, secret_readable: bool) -> ConnectionStatus {
    match row.auth {
        AuthKind::None => ConnectionStatus::Ready,
        AuthKind::Oauth2 if row.needs_reconnect => ConnectionStatus::NeedsReconnect,
        AuthKind::Oauth2 if row.oauth.is_some() && secret_readable => ConnectionStatus::Ready,
        AuthKind::Oauth2 => ConnectionStatus::NotConnected,
        _ if row.has_secret && secret_readable => ConnectionStatus::Ready,
        _ => ConnectionStatus::MissingSecret,
    }
}

impl Credentials {
    /// Opens the metadata table in `db` (the database of `data_dir`) and the credential store
    /// `choice` picks (see [`store`]).
    pub fn on(
        db: &crate::db::Db,
        data_dir: &Path,
        choice: SecretStoreChoice,
        secret_key: Option<&str>,
    ) -> Result<Self, AppError> {
        let meta = MetaStore::on(db);
        let store: Arc<dyn SecretStore> = Arc::from(store::open(data_dir, choice, secret_key)?);
        Ok(Self {
            meta,
            store,
            redactor: Arc::new(Redactor::default()),
            locks: Mutex::new(HashMap::new()),
            touched: Mutex::new(HashMap::new()),
            create_lock: tokio::sync::Mutex::new(()),
            oauth: oauth::OAuthState::new()?,
        })
    }

    /// The active credential store.
    pub fn store_info(&self) -> SecretStoreInfo {
        self.store.info()
    }

    /// The redaction step every echoed text passes through.
    pub fn redactor(&self) -> &Arc<Redactor> {
        &self.redactor
    }

    /// OAuth 2 grants in flight and the token endpoint client.
    pub(crate) fn oauth_state(&self) -> &oauth::OAuthState {
        &self.oauth
    }

    /// The OAuth client secret of a connection that is not connected yet (the code exchange
    /// needs it before [`Self::resolve`] would accept the connection); registered with the
    /// redactor.
    pub(crate) async fn client_secret(
        &self,
        id: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, AppError> {
        let bundle = self.secret_get(id).await?;
        self.redactor.register(bundle.values());
        Ok(bundle.secret.clone().map(zeroize::Zeroizing::new))
    }

    /// The lock that serialises changes to one connection's secret (refresh, save, delete).
    pub fn lock_for(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(id.to_owned()).or_default().clone()
    }

    fn to_connection(&self, row: Row) -> Connection {
        let secret_readable = row.secret_store.is_none_or(|s| s == self.store.info().kind);
        Connection {
            status: status_of(&row, secret_readable),
            id: row.id,
            name: row.name,
            service: row.service,
            auth: row.auth,
            config: row.config,
            has_secret: row.has_secret,
            oauth: row.oauth,
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_used_at: row.last_used_at,
            used_by: Vec::new(),
        }
    }

    async fn row(&self, id: &str) -> Result<Row, AppError> {
        self.meta
            .get(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no connection `{id}`")))
    }

    async fn secret_get(&self, id: &str) -> Result<SecretBundle, AppError> {
        let store = self.store.clone();
        let account = id.to_owned();
        let text = tokio::task::spawn_blocking(move || store.get(&account))
            .await
            .map_err(|e| AppError::Internal(format!("reading a secret: {e}")))??;
        match text {
            None => Ok(SecretBundle::default()),
            Some(text) => serde_json::from_str(&zeroize::Zeroizing::new(text)).map_err(|_| {
                AppError::Unavailable(format!(
                    "the stored secret of connection `{id}` is unreadable; save it again"
                ))
            }),
        }
    }

    async fn secret_put(&self, id: &str, bundle: &SecretBundle) -> Result<(), AppError> {
        let store = self.store.clone();
        let account = id.to_owned();
        if bundle.is_empty() {
            return tokio::task::spawn_blocking(move || store.delete(&account))
                .await
                .map_err(|e| AppError::Internal(format!("deleting a secret: {e}")))?;
        }
        let text = zeroize::Zeroizing::new(
            serde_json::to_string(bundle)
                .map_err(|e| AppError::Internal(format!("encoding a secret failed: {e}")))?,
        );
        if text.len() > MAX_SECRET_BYTES {
            return Err(AppError::PayloadTooLarge(format!(
                "a connection's secret may be at most {MAX_SECRET_BYTES} bytes"
            )));
        }
        self.redactor.register(bundle.values());
        tokio::task::spawn_blocking(move || store.set(&account, &text))
            .await
            .map_err(|e| AppError::Internal(format!("storing a secret: {e}")))?
    }

    /// Every connection (metadata only), by name; `used_by` is left empty.
    pub async fn list(&self) -> Result<Vec<Connection>, AppError> {
        Ok(self
            .meta
            .list()
            .await?
            .into_iter()
            .map(|r| self.to_connection(r))
            .collect())
    }

    /// One connection (metadata only); `used_by` is left empty.
    pub async fn get(&self, id: &str) -> Result<Connection, AppError> {
        Ok(self.to_connection(self.row(id).await?))
    }

    /// Creates or updates a connection; its secret goes to the credential store only.
    pub async fn save(&self, input: ConnectionInput) -> Result<Connection, AppError> {
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::InvalidInput(format!(
                "a connection name must be 1 to {MAX_NAME_CHARS} characters"
            )));
        }
        if !is_service_id(&input.service) {
            return Err(AppError::InvalidInput(format!(
                "{:?} is not a service id (a lowercase letter, then lowercase letters, digits, `-` or `_`)",
                input.service
            )));
        }
        let config = input.config;
        check_url("baseUrl", &config.base_url)?;
        check_url("authorizeUrl", &config.authorize_url)?;
        check_url("tokenUrl", &config.token_url)?;
        match input.auth {
            AuthKind::Basic
                if config
                    .username
                    .as_deref()
                    .is_none_or(|u| u.trim().is_empty()) =>
            {
                return Err(AppError::InvalidInput("basic auth needs a username".into()));
            }
            AuthKind::Oauth2
                if config
                    .client_id
                    .as_deref()
                    .is_none_or(|c| c.trim().is_empty()) =>
            {
                return Err(AppError::InvalidInput("OAuth 2 needs a client id".into()));
            }
            _ => {}
        }
        if let Some(key) = &config.key_name
            && (key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(AppError::InvalidInput(format!(
                "{key:?} is not a header or query parameter name"
            )));
        }
        let _creating = match input.id {
            None => Some(self.create_lock.lock().await),
            Some(_) => None,
        };
        let id = match &input.id {
            Some(id) => id.clone(),
            None => self.fresh_id(&name).await?,
        };
        let lock = self.lock_for(&id);
        let _guard = lock.lock().await;
        let existing = match &input.id {
            Some(id) => Some(self.row(id).await?),
            None => None,
        };
        let at = now();
        let mut bundle = match &existing {
            Some(row) if row.has_secret || row.oauth.is_some() => self.secret_get(&id).await?,
            _ => SecretBundle::default(),
        };
        let auth_changed = existing.as_ref().is_some_and(|r| r.auth != input.auth);
        if auth_changed {
            bundle = SecretBundle::default();
        }
        if let Some(secret) = input.secret {
            bundle.secret = (!secret.is_empty()).then_some(secret);
        }
        if input.auth == AuthKind::None {
            bundle = SecretBundle::default();
        }
        self.secret_put(&id, &bundle).await?;
        if input.auth == AuthKind::Basic
            && let (Some(user), Some(pass)) = (&config.username, &bundle.secret)
        {
            self.redactor.register_basic(user, pass);
        }
        let keeps_oauth = !auth_changed && input.auth == AuthKind::Oauth2;
        let row = Row {
            id: id.clone(),
            name,
            service: input.service,
            auth: input.auth,
            config,
            has_secret: bundle.secret.is_some(),
            secret_store: (!bundle.is_empty()).then(|| self.store.info().kind),
            oauth: existing
                .as_ref()
                .and_then(|r| r.oauth.clone())
                .filter(|_| keeps_oauth && bundle.oauth.is_some()),
            needs_reconnect: existing.as_ref().is_some_and(|r| r.needs_reconnect) && keeps_oauth,
            created_at: existing
                .as_ref()
                .map_or_else(|| at.clone(), |r| r.created_at.clone()),
            updated_at: at,
            last_used_at: existing.and_then(|r| r.last_used_at),
        };
        self.meta.put(row.clone()).await?;
        tracing::info!(connection = %id, auth = row.auth.as_str(), "connection saved");
        Ok(self.to_connection(row))
    }

    async fn fresh_id(&self, name: &str) -> Result<String, AppError> {
        let base = crate::slug::slugify(name);
        let base = if base.is_empty() {
            "connection".to_owned()
        } else {
            base
        };
        let taken: Vec<String> = self.meta.list().await?.into_iter().map(|r| r.id).collect();
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        Ok(candidate)
    }

    /// Deletes a connection and its secret.
    pub async fn delete(&self, id: &str) -> Result<Connection, AppError> {
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let row = self.row(id).await?;
        self.secret_put(id, &SecretBundle::default()).await?;
        self.meta.delete(id).await?;
        self.touched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
        tracing::info!(connection = %id, "connection deleted");
        Ok(self.to_connection(row))
    }

    /// The connection and its secret for a node that runs now: the values are registered with
    /// the redactor first and the use is stamped. Refuses a connection that is not ready.
    pub async fn resolve(&self, id: &str) -> Result<ResolvedConnection, AppError> {
        let row = self.row(id).await?;
        let connection = self.to_connection(row.clone());
        let secret = if row.auth == AuthKind::None {
            SecretBundle::default()
        } else {
            self.secret_get(id).await?
        };
        self.redactor.register(secret.values());
        if let (AuthKind::Basic, Some(user), Some(pass)) =
            (row.auth, &row.config.username, &secret.secret)
        {
            self.redactor.register_basic(user, pass);
        }
        match connection.status {
            ConnectionStatus::Ready => {}
            ConnectionStatus::MissingSecret if row.secret_store.is_some() => {
                return Err(AppError::Unavailable(format!(
                    "connection `{id}` keeps its secret in a credential store this instance is not using ({:?}); save the secret again",
                    row.secret_store
                )));
            }
            ConnectionStatus::MissingSecret => {
                return Err(AppError::InvalidInput(format!(
                    "connection `{id}` has no secret stored yet; add it in Settings → Connections"
                )));
            }
            ConnectionStatus::NotConnected => {
                return Err(AppError::InvalidInput(format!(
                    "connection `{id}` is not connected to an account yet; connect it in Settings → Connections"
                )));
            }
            ConnectionStatus::NeedsReconnect => {
                return Err(AppError::Unauthorized(format!(
                    "the provider refused connection `{id}`'s refresh token; reconnect it in Settings → Connections"
                )));
            }
        }
        if self.due_for_touch(id)
            && let Err(err) = self.meta.touch(id, now()).await
        {
            tracing::warn!(connection = %id, %err, "recording a connection's use failed");
        }
        Ok(ResolvedConnection { connection, secret })
    }

    /// Whether `id`'s use should be written now (at most once per [`TOUCH_INTERVAL`]).
    fn due_for_touch(&self, id: &str) -> bool {
        let mut touched = self
            .touched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        match touched.get(id) {
            Some(at) if now.duration_since(*at) < TOUCH_INTERVAL => false,
            _ => {
                touched.insert(id.to_owned(), now);
                true
            }
        }
    }

    /// Replaces a connection's OAuth tokens (keeping its client secret), e.g. after the
    /// authorization-code exchange or a refresh. Call it holding [`Self::lock_for`] when a
    /// refresh races other users of the connection.
    pub async fn store_oauth_tokens(
        &self,
        id: &str,
        tokens: OAuthTokens,
    ) -> Result<Connection, AppError> {
        let mut row = self.row(id).await?;
        if row.auth != AuthKind::Oauth2 {
            return Err(AppError::InvalidInput(format!(
                "connection `{id}` does not use OAuth 2"
            )));
        }
        let mut bundle = self.secret_get(id).await?;
        let info = OAuthInfo {
            connected_at: tokens.connected_at.clone(),
            expires_at: tokens.expires_at.clone(),
            scopes: tokens.scopes.clone(),
            refreshable: tokens.refresh_token.is_some(),
        };
        row.needs_reconnect = tokens.revoked;
        bundle.oauth = Some(tokens);
        self.secret_put(id, &bundle).await?;
        row.oauth = Some(info);
        row.secret_store = Some(self.store.info().kind);
        row.updated_at = now();
        self.meta.put(row.clone()).await?;
        Ok(self.to_connection(row))
    }

    /// Marks an OAuth connection as needing a person to connect again (refresh refused).
    pub async fn mark_needs_reconnect(&self, id: &str) -> Result<Connection, AppError> {
        let mut row = self.row(id).await?;
        row.needs_reconnect = true;
        row.updated_at = now();
        self.meta.put(row.clone()).await?;
        Ok(self.to_connection(row))
    }

    /// Drops an OAuth connection's tokens (the connection and its client secret stay).
    pub async fn disconnect(&self, id: &str) -> Result<Connection, AppError> {
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let mut row = self.row(id).await?;
        let mut bundle = self.secret_get(id).await?;
        bundle.oauth = None;
        self.secret_put(id, &bundle).await?;
        row.oauth = None;
        row.needs_reconnect = false;
        row.has_secret = bundle.secret.is_some();
        row.secret_store = (!bundle.is_empty()).then(|| self.store.info().kind);
        row.updated_at = now();
        self.meta.put(row.clone()).await?;
        Ok(self.to_connection(row))
    }
}
