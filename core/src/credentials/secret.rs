//! The secret part of a connection: what the credential store holds, never a wire type.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// OAuth 2 tokens as the provider issued them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
pub struct OAuthTokens {
    /// The bearer token sent with requests.
    pub access_token: String,
    /// The token that gets a new access token, when the provider gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Expiry of the access token (RFC 3339), when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When the account was connected (RFC 3339).
    #[serde(default)]
    pub connected_at: String,
    /// The provider refused the refresh token: a person must connect again.
    #[serde(default)]
    pub revoked: bool,
}

/// Everything secret about one connection, stored as one JSON value per connection.
///
/// Deliberately not `Debug` and not `specta::Type`: it must never reach a log or a client.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
pub struct SecretBundle {
    /// Bearer token, basic-auth password, API key, or OAuth client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// OAuth 2 tokens, once an account is connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthTokens>,
}

impl SecretBundle {
    /// Every secret value it holds, for the redactor.
    pub fn values(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.secret.clone());
        if let Some(tokens) = &self.oauth {
            out.push(tokens.access_token.clone());
            out.extend(tokens.refresh_token.clone());
        }
        out.retain(|v| !v.is_empty());
        out
    }

    /// Nothing is held.
    pub fn is_empty(&self) -> bool {
        self.secret.as_deref().is_none_or(str::is_empty) && self.oauth.is_none()
    }
}

impl std::fmt::Debug for SecretBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBundle(***)")
    }
}

impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OAuthTokens(***)")
    }
}
