//! The wire shapes of connections: what clients see (metadata only) and what they send.

use serde::{Deserialize, Serialize};

/// How a connection authenticates its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AuthKind {
    /// No credentials (a public API).
    None,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic base64(username:password)`.
    Basic,
    /// A key sent in a header or a query parameter (`config.keyName`, `config.keyIn`).
    ApiKey,
    /// OAuth 2 authorization code with PKCE; the token bundle is refreshed before it expires.
    Oauth2,
}

impl AuthKind {
    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bearer => "bearer",
            Self::Basic => "basic",
            Self::ApiKey => "apiKey",
            Self::Oauth2 => "oauth2",
        }
    }

    /// Parses a stored wire name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "none" => Self::None,
            "bearer" => Self::Bearer,
            "basic" => Self::Basic,
            "apiKey" => Self::ApiKey,
            "oauth2" => Self::Oauth2,
            _ => return None,
        })
    }
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum KeyPlacement {
    /// A request header named `keyName`.
    #[default]
    Header,
    /// A query parameter named `keyName`.
    Query,
}

/// A connection's settings that are not secret (stored in SQLite, shown to clients).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Overrides the service's base URL (a self-hosted instance, a test server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Basic auth: the user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// API key: the header or query parameter name (default `X-API-Key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// API key: header or query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_in: Option<KeyPlacement>,
    /// OAuth 2: the client id registered with the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth 2: the provider's authorization endpoint (default from the service descriptor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorize_url: Option<String>,
    /// OAuth 2: the provider's token endpoint (default from the service descriptor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// OAuth 2: the scopes to ask for (default from the service descriptor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// Whether a connection can be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStatus {
    /// Credentials are stored (or none are needed).
    Ready,
    /// A secret is required and none is stored yet.
    MissingSecret,
    /// OAuth 2: no account is connected yet, or it was disconnected.
    NotConnected,
    /// OAuth 2: the provider refused the refresh token; connect again.
    NeedsReconnect,
}

/// OAuth 2 state a client may see (never the tokens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OAuthInfo {
    /// When the account was connected (RFC 3339).
    pub connected_at: String,
    /// When the current access token expires (RFC 3339), if the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The scopes the provider granted.
    pub scopes: Vec<String>,
    /// A refresh token is held, so the access token renews itself.
    pub refreshable: bool,
}

/// A saved flow that uses a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlowUse {
    /// The flow's slug.
    pub slug: String,
    /// The flow's name.
    pub name: String,
}

/// A connection as every client sees it: metadata only, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Stable id that nodes refer to (`data.connection`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The service it is for: a descriptor's service id (`http`, `github`, `slack`) or a cloud
    /// AI provider (`openai`).
    pub service: String,
    /// How it authenticates.
    pub auth: AuthKind,
    /// Settings that are not secret.
    pub config: ConnectionConfig,
    /// A secret is held in the credential store.
    pub has_secret: bool,
    /// Whether it can be used now.
    pub status: ConnectionStatus,
    /// OAuth 2 details, once an account is connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthInfo>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
    /// When a run last used it (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// Saved flows whose nodes name it.
    pub used_by: Vec<FlowUse>,
}

/// Creates (no `id`) or updates (`id`) a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionInput {
    /// The connection to update; absent creates one (its id is made from the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    pub name: String,
    /// The service it is for.
    pub service: String,
    /// How it authenticates.
    pub auth: AuthKind,
    /// Settings that are not secret.
    #[serde(default)]
    pub config: ConnectionConfig,
    /// Write-only: the token, password, API key or OAuth client secret. Absent keeps the stored
    /// one; an empty string removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Result of deleting a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDeleted {
    /// The removed connection.
    pub id: String,
    /// Saved flows that still name it (their service nodes now fail validation).
    pub was_used_by: Vec<FlowUse>,
}

/// Which credential store holds the secrets of this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SecretStoreKind {
    /// The OS credential store: Secret Service (Linux), Keychain (macOS), Credential Manager
    /// (Windows).
    Keyring,
    /// `<data dir>/secrets/store.enc`, encrypted at rest (XChaCha20-Poly1305).
    EncryptedFile,
}

/// Where the encrypted file store's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SecretKeySource {
    /// Derived (Argon2id) from `FLOW_SECRET_KEY`: the key is not on disk.
    Env,
    /// `<data dir>/secrets/store.key` (mode 0600): protects against copies of the store file
    /// alone, not against someone who can read the data directory.
    KeyFile,
}

/// The active credential store, as `app_info` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SecretStoreInfo {
    /// The store in use.
    pub kind: SecretStoreKind,
    /// Its backend in words (e.g. "Secret Service", "encrypted file").
    pub backend: String,
    /// For the encrypted file: where its key comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<SecretKeySource>,
    /// Why the OS store is not used, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
}

/// The result of trying a connection against its service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    /// The service accepted the credentials.
    pub ok: bool,
    /// The HTTP status of the test request, when one was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u32>,
    /// What happened, in words (never a secret).
    pub message: String,
    /// How long the test request took.
    pub duration_ms: f64,
}

/// Where to send the person to connect an OAuth 2 account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OAuthStart {
    /// The provider's authorization URL, with `state` and the PKCE challenge.
    pub authorize_url: String,
    /// The single-use value the callback must bring back.
    pub state: String,
    /// Where the provider redirects after consent (register it with the provider).
    pub redirect_uri: String,
}
