//! Keeping an access token fresh: refreshed under the connection's lock, so concurrent nodes
//! that find it expiring trigger one refresh and all get the new token.

use std::time::Duration;

use super::endpoints;
use super::exchange::{self, ExchangeError, TokenGrant};
use crate::commands::connections::announce;
use crate::credentials::AuthKind;
use crate::{App, AppError};

/// A token expiring within this margin is refreshed before use.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// A forced refresh (the service answered 401) is skipped when this process refreshed the
/// connection this recently: the callers that raced on the old token share the one refresh.
pub(crate) const FORCED_REFRESH_DEBOUNCE: Duration = Duration::from_secs(5);

/// Whether a token with this expiry must be refreshed now (an unreadable expiry counts).
fn expires_soon(expires_at: Option<&str>) -> bool {
    let Some(text) = expires_at else {
        return false;
    };
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(at) => {
            let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
            at.with_timezone(&chrono::Utc) - margin <= chrono::Utc::now()
        }
        Err(_) => true,
    }
}

/// Marks the connection as needing a person, tells clients, and says so.
async fn needs_reconnect(app: &App, id: &str, why: &str) -> AppError {
    match app.credentials().mark_needs_reconnect(id).await {
        Ok(_) => announce(app, id, "needs-reconnect"),
        Err(err) => {
            tracing::warn!(connection = %id, %err, "marking a connection for reconnecting failed")
        }
    }
    tracing::info!(connection = %id, why, "OAuth 2 connection needs reconnecting");
    AppError::Unauthorized(format!(
        "connection `{id}` must be connected again ({why}); reconnect it in Settings → Connections"
    ))
}

/// See [`super::access_token`].
pub(crate) async fn access_token(
    app: &App,
    id: &str,
    force_refresh: bool,
) -> Result<String, AppError> {
    let credentials = app.credentials();
    let lock = credentials.lock_for(id);
    let _guard = lock.lock().await;
    // Read under the lock: a caller that waited finds the token another one just refreshed.
    let resolved = credentials.resolve(id).await?;
    if resolved.connection.auth != AuthKind::Oauth2 {
        return Err(AppError::InvalidInput(format!(
            "connection `{id}` does not use OAuth 2"
        )));
    }
    let tokens = resolved.secret.oauth.as_ref().ok_or_else(|| {
        AppError::InvalidInput(format!(
            "connection `{id}` is not connected to an account yet; connect it in Settings → Connections"
        ))
    })?;
    let oauth = credentials.oauth_state();
    let forced = force_refresh && !oauth.refreshed_within(id, FORCED_REFRESH_DEBOUNCE);
    if !forced && !expires_soon(tokens.expires_at.as_deref()) {
        return Ok(tokens.access_token.clone());
    }
    let Some(refresh_token) = tokens.refresh_token.as_deref() else {
        return Err(needs_reconnect(
            app,
            id,
            "its access token expired and the provider gave no refresh token",
        )
        .await);
    };
    let endpoints = endpoints::resolve_for_refresh(app, &resolved.connection)?;
    let issued = exchange::request(
        oauth.http(),
        &endpoints,
        resolved.secret.secret.as_deref(),
        TokenGrant::Refresh { refresh_token },
    )
    .await;
    match issued {
        Ok(issued) => {
            let fresh = issued.into_tokens(
                &tokens.scopes,
                Some(refresh_token),
                tokens.connected_at.clone(),
            );
            let access = fresh.access_token.clone();
            credentials.store_oauth_tokens(id, fresh).await?;
            oauth.mark_refreshed(id);
            announce(app, id, "refreshed");
            tracing::info!(connection = %id, forced, "OAuth 2 access token refreshed");
            Ok(access)
        }
        Err(ExchangeError::Refused { error, .. }) if error == "invalid_grant" => {
            Err(needs_reconnect(
                app,
                id,
                "the provider refused its refresh token: revoked or expired",
            )
            .await)
        }
        Err(err) => {
            let err = err.into_app_error(&format!(
                "refreshing the access token of connection `{id}` failed"
            ));
            Err(super::redacted(app, err))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_within_the_margin_or_with_a_broken_expiry_are_refreshed() {
        let at = |secs: i64| (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339();
        assert!(!expires_soon(None));
        assert!(!expires_soon(Some(&at(3600))));
        assert!(expires_soon(Some(&at(30))));
        assert!(expires_soon(Some(&at(-5))));
        assert!(expires_soon(Some("not a time")));
    }
}
