//! OAuth 2 authorization code with PKCE (RFC 6749, RFC 7636): starting a grant, completing it
//! from the provider's redirect, and keeping the access token fresh.
//!
//! A grant is started with [`start`]: a PKCE verifier and a `state` are made from the OS RNG and
//! kept in memory ([`pending`]). The browser goes to the provider and comes back either to the
//! server's own `/oauth/callback` route (server edition, `redirectBase` given) or to a one-shot
//! listener on `127.0.0.1` ([`loopback`], desktop). Both end in [`complete`], which trades the
//! code for tokens ([`exchange`]) and stores the bundle in the credential store. Adapters ask
//! [`access_token`] for a token, which refreshes it first when it is about to expire
//! ([`refresh`]).

mod endpoints;
mod exchange;
mod loopback;
mod pending;
mod pkce;
mod redirect;
mod refresh;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{AuthKind, Connection, OAuthStart};
use crate::{App, AppError, Edition};
use exchange::TokenGrant;
use pending::{GRANT_TTL, Grant, PendingGrants};

pub use redirect::CALLBACK_PATH;

/// Longest authorization code accepted from a redirect.
const MAX_CODE_CHARS: usize = 4096;
/// How long a token endpoint may take to answer.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The in-memory OAuth 2 state of one app: grants in flight, the token endpoint client, and
/// when each connection was last refreshed.
pub(crate) struct OAuthState {
    pending: PendingGrants,
    http: reqwest::Client,
    refreshed: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthState").finish_non_exhaustive()
    }
}

impl OAuthState {
    /// Empty state with its HTTP client (no redirects: a token endpoint answers itself).
    pub fn new() -> Result<Self, AppError> {
        let http = reqwest::Client::builder()
            .timeout(TOKEN_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Flow/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AppError::Internal(format!("building the OAuth 2 HTTP client: {e}")))?;
        Ok(Self {
            pending: PendingGrants::default(),
            http,
            refreshed: Mutex::new(HashMap::new()),
        })
    }

    fn is_pending(&self, state: &str) -> bool {
        self.pending.contains(state)
    }

    fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn mark_refreshed(&self, id: &str) {
        self.refreshed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_owned(), Instant::now());
    }

    fn refreshed_within(&self, id: &str, window: Duration) -> bool {
        self.refreshed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .is_some_and(|at| at.elapsed() < window)
    }
}

/// An error message passed through the redactor (provider text may echo anything).
fn redacted(app: &App, err: AppError) -> AppError {
    let message = app
        .credentials()
        .redactor()
        .redact(err.message())
        .into_owned();
    if message == err.message() {
        return err;
    }
    match err {
        AppError::NotFound(_) => AppError::NotFound(message),
        AppError::InvalidInput(_) => AppError::InvalidInput(message),
        AppError::Conflict(_) => AppError::Conflict(message),
        AppError::Unauthorized(_) => AppError::Unauthorized(message),
        AppError::PayloadTooLarge(_) => AppError::PayloadTooLarge(message),
        AppError::Unavailable(_) => AppError::Unavailable(message),
        AppError::Internal(_) => AppError::Internal(message),
    }
}

async fn oauth_connection(app: &App, id: &str) -> Result<Connection, AppError> {
    let connection = app.credentials().get(id).await?;
    if connection.auth != AuthKind::Oauth2 {
        return Err(AppError::InvalidInput(format!(
            "connection `{id}` does not use OAuth 2 (its auth is `{}`)",
            connection.auth.as_str()
        )));
    }
    Ok(connection)
}

/// Starts connecting an OAuth 2 account for `id`. `redirect_base` is the origin the person's
/// browser reached this instance at (server edition); `None` uses a loopback listener (desktop),
/// and the desktop edition opens the system browser on the authorization URL.
pub async fn start(
    app: &App,
    id: &str,
    redirect_base: Option<String>,
) -> Result<OAuthStart, AppError> {
    let connection = oauth_connection(app, id).await?;
    let endpoints = endpoints::resolve(app, &connection)?;
    let pkce = pkce::Pkce::new()?;
    let state = pkce::new_state()?;
    let oauth = app.credentials().oauth_state();
    let grant = |redirect_uri: &str| Grant {
        connection: id.to_owned(),
        verifier: pkce.verifier.clone(),
        redirect_uri: redirect_uri.to_owned(),
        created: Instant::now(),
    };
    let redirect_base = redirect_base.filter(|b| !b.trim().is_empty());
    let redirect_uri = match redirect_base.as_deref() {
        Some(base) => {
            let redirect_uri = redirect::callback_uri(base)?;
            oauth.pending.insert(state.clone(), grant(&redirect_uri));
            redirect_uri
        }
        None => {
            let listener = loopback::bind().await?;
            let redirect_uri = listener.redirect_uri.clone();
            oauth.pending.insert(state.clone(), grant(&redirect_uri));
            listener.serve(app.downgrade(), state.clone(), GRANT_TTL);
            redirect_uri
        }
    };
    let authorize_url = endpoints.authorization_request(&redirect_uri, &state, &pkce.challenge)?;
    if redirect_base.is_none() && app.config().edition == Edition::Desktop {
        let url = authorize_url.clone();
        let opened = tokio::task::spawn_blocking(move || open::that_detached(url)).await;
        match opened {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(connection = %id, %err, "opening the browser failed"),
            Err(err) => tracing::warn!(connection = %id, %err, "opening the browser failed"),
        }
    }
    tracing::info!(connection = %id, %redirect_uri, "OAuth 2 grant started");
    Ok(OAuthStart {
        authorize_url,
        state,
        redirect_uri,
    })
}

/// Completes a grant from the provider's redirect: `state` names it (and is used up whatever
/// happens next), `error` is the provider's refusal, `code` is exchanged for tokens, which are
/// stored as one bundle.
pub async fn complete(
    app: &App,
    state: &str,
    code: Option<String>,
    error: Option<String>,
) -> Result<Connection, AppError> {
    let oauth = app.credentials().oauth_state();
    let grant = oauth.pending.take(state)?;
    let id = grant.connection.as_str();
    if let Some(error) = error.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        tracing::info!(connection = %id, "the provider did not grant access");
        return Err(redacted(
            app,
            AppError::Unauthorized(format!(
                "the provider did not grant access to connection `{id}`: {}",
                exchange::tidy(error)
            )),
        ));
    }
    let code = code.filter(|c| !c.is_empty()).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "the provider's redirect for connection `{id}` carried neither a code nor an error"
        ))
    })?;
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(AppError::InvalidInput(format!(
            "the authorization code is longer than {MAX_CODE_CHARS} characters"
        )));
    }
    let connection = oauth_connection(app, id).await?;
    let endpoints = endpoints::resolve(app, &connection)?;
    let client_secret = app.credentials().client_secret(id).await?;
    let issued = exchange::request(
        oauth.http(),
        &endpoints,
        client_secret.as_deref().map(String::as_str),
        TokenGrant::Code {
            code: &code,
            redirect_uri: &grant.redirect_uri,
            verifier: &grant.verifier,
        },
    )
    .await
    .map_err(|e| redacted(app, e.into_app_error(&format!("connecting `{id}` failed"))))?;
    let tokens = issued.into_tokens(
        &endpoints.scopes,
        None,
        crate::timestamp::rfc3339(std::time::SystemTime::now()),
    );
    let lock = app.credentials().lock_for(id);
    let _guard = lock.lock().await;
    let connected = app.credentials().store_oauth_tokens(id, tokens).await?;
    tracing::info!(connection = %id, "OAuth 2 account connected");
    Ok(connected)
}

/// The access token to send for connection `id`, refreshed first when it expires within a
/// minute or when `force_refresh` (the service answered 401). Concurrent callers share one
/// refresh. A refused refresh token marks the connection `needsReconnect`.
pub async fn access_token(app: &App, id: &str, force_refresh: bool) -> Result<String, AppError> {
    refresh::access_token(app, id, force_refresh).await
}
