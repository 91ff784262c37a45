//! OAuth 2 authorization code with PKCE: starting a grant, completing it from the callback, and
//! keeping the access token fresh.
//!
//! First cut: the entry points the service adapter and the commands call. The flow itself
//! (PKCE, pending states, code exchange, refresh) replaces these bodies.

use super::{AuthKind, Connection, OAuthStart};
use crate::{App, AppError};

/// Starts connecting an OAuth 2 account for `id`. `redirect_base` is the origin the person's
/// browser reached this instance at (server edition); `None` uses a loopback listener (desktop).
pub async fn start(
    _app: &App,
    id: &str,
    _redirect_base: Option<String>,
) -> Result<OAuthStart, AppError> {
    Err(AppError::Unavailable(format!(
        "connecting OAuth 2 accounts is not available yet (connection `{id}`)"
    )))
}

/// Completes a grant from the provider's redirect: `state` names it, `code` is exchanged.
pub async fn complete(
    _app: &App,
    _state: &str,
    _code: Option<String>,
    error: Option<String>,
) -> Result<Connection, AppError> {
    Err(AppError::Unavailable(format!(
        "completing OAuth 2 grants is not available yet{}",
        error
            .map(|e| format!(" (provider said: {e})"))
            .unwrap_or_default()
    )))
}

/// The access token to send for connection `id`, refreshed first when it is about to expire or
/// when `force_refresh` (the service answered 401).
pub async fn access_token(app: &App, id: &str, _force_refresh: bool) -> Result<String, AppError> {
    let resolved = app.credentials().resolve(id).await?;
    if resolved.connection.auth != AuthKind::Oauth2 {
        return Err(AppError::InvalidInput(format!(
            "connection `{id}` does not use OAuth 2"
        )));
    }
    resolved
        .secret
        .oauth
        .as_ref()
        .map(|t| t.access_token.clone())
        .ok_or_else(|| AppError::InvalidInput(format!("connection `{id}` is not connected")))
}
