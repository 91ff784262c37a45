//! Credentials onto a request: the node's connection is resolved at execution time (never
//! earlier, never from the flow) and injected per attempt as the service expects it.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use zeroize::Zeroizing;

use crate::App;
use crate::credentials::{AuthKind, KeyPlacement};
use crate::engine::AdapterError;
use crate::services::ServiceIntegration;

/// The API key name when neither the connection nor the descriptor names one.
const DEFAULT_KEY_NAME: &str = "X-API-Key";

/// How one request authenticates; holds the secret only for the node's run.
pub enum Auth {
    /// No credentials.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Zeroizing<String>),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The user name (not secret).
        username: String,
        /// The password.
        password: Zeroizing<String>,
    },
    /// A key in a header or a query parameter.
    ApiKey {
        /// Header or query parameter name.
        name: String,
        /// Where it goes.
        placement: KeyPlacement,
        /// The key.
        value: Zeroizing<String>,
    },
    /// An OAuth 2 access token, refreshed through the credential custodian.
    OAuth2 {
        /// The connection, for refreshes.
        connection: String,
        /// The current access token.
        token: Zeroizing<String>,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "Auth::None",
            Self::Bearer(_) => "Auth::Bearer(***)",
            Self::Basic { .. } => "Auth::Basic(***)",
            Self::ApiKey { .. } => "Auth::ApiKey(***)",
            Self::OAuth2 { .. } => "Auth::OAuth2(***)",
        })
    }
}

/// A node's connection, resolved: its auth and its base URL override.
#[derive(Debug)]
pub struct Resolved {
    /// What to inject.
    pub auth: Auth,
    /// `config.baseUrl`, which overrides the descriptor's.
    pub base_url: Option<String>,
}

fn refused(text: impl Into<String>) -> AdapterError {
    AdapterError::Rejected(text.into())
}

fn secret(bundle_secret: Option<&String>, id: &str) -> Result<Zeroizing<String>, AdapterError> {
    bundle_secret
        .filter(|s| !s.is_empty())
        .map(|s| Zeroizing::new(s.clone()))
        .ok_or_else(|| refused(format!("connection `{id}` has no secret stored")))
}

/// Resolves connection `id` (empty: none) for a call to `integration`.
pub async fn resolve(
    app: &App,
    id: &str,
    integration: &ServiceIntegration,
) -> Result<Resolved, AdapterError> {
    if id.trim().is_empty() {
        if integration.connection_optional() {
            return Ok(Resolved {
                auth: Auth::None,
                base_url: None,
            });
        }
        return Err(refused(format!(
            "{} nodes need a connection; pick one in the node's Connection field",
            integration.name
        )));
    }
    let resolved = app
        .credentials()
        .resolve(id)
        .await
        .map_err(|e| refused(e.message().to_owned()))?;
    let connection = &resolved.connection;
    if connection.service != integration.service {
        return Err(refused(format!(
            "connection `{id}` is for `{}`, not `{}`",
            connection.service, integration.service
        )));
    }
    if !integration.auth.kinds.contains(&connection.auth) {
        let allowed: Vec<&str> = integration.auth.kinds.iter().map(|k| k.as_str()).collect();
        return Err(refused(format!(
            "connection `{id}` uses {} auth; {} accepts {}",
            connection.auth.as_str(),
            integration.name,
            allowed.join(", ")
        )));
    }
    let config = &connection.config;
    let auth = match connection.auth {
        AuthKind::None => Auth::None,
        AuthKind::Bearer => Auth::Bearer(secret(resolved.secret.secret.as_ref(), id)?),
        AuthKind::Basic => Auth::Basic {
            username: config.username.clone().unwrap_or_default(),
            password: secret(resolved.secret.secret.as_ref(), id)?,
        },
        AuthKind::ApiKey => {
            let defaults = integration.auth.api_key.as_ref();
            let placement = config
                .key_in
                .or_else(|| defaults.map(|d| d.placement))
                .unwrap_or_default();
            let value = secret(resolved.secret.secret.as_ref(), id)?;
            if placement == KeyPlacement::Query {
                // A query string carries the key form-encoded (a space as `+`), which differs
                // from the percent-encoded form the redactor already knows.
                app.credentials()
                    .redactor()
                    .register([form_encoded(&value)]);
            }
            Auth::ApiKey {
                name: config
                    .key_name
                    .clone()
                    .or_else(|| defaults.map(|d| d.name.clone()))
                    .unwrap_or_else(|| DEFAULT_KEY_NAME.to_owned()),
                placement,
                value,
            }
        }
        AuthKind::Oauth2 => Auth::OAuth2 {
            connection: id.to_owned(),
            token: oauth_token(app, id, false).await?,
        },
    };
    Ok(Resolved {
        auth,
        base_url: config.base_url.clone(),
    })
}

/// `value` as `application/x-www-form-urlencoded` writes it in a query string.
fn form_encoded(value: &str) -> String {
    let Ok(mut probe) = reqwest::Url::parse("http://form.invalid/") else {
        return value.to_owned();
    };
    probe.query_pairs_mut().append_pair("k", value);
    probe
        .query()
        .and_then(|q| q.strip_prefix("k="))
        .unwrap_or(value)
        .to_owned()
}

async fn oauth_token(app: &App, id: &str, force: bool) -> Result<Zeroizing<String>, AdapterError> {
    crate::credentials::oauth::access_token(app, id, force)
        .await
        .map(Zeroizing::new)
        .map_err(|e| AdapterError::Failed {
            reason: format!("connection `{id}`: {}", e.message()),
            output: None,
        })
}

impl Auth {
    /// OAuth 2: a 401 is worth one refresh.
    pub fn refreshable(&self) -> bool {
        matches!(self, Self::OAuth2 { .. })
    }

    /// Gets a fresh access token after the service answered 401.
    pub async fn refresh(&mut self, app: &App) -> Result<(), AdapterError> {
        if let Self::OAuth2 { connection, token } = self {
            *token = oauth_token(app, connection, true).await?;
        }
        Ok(())
    }

    /// The query parameter this auth adds (`name`, secret value), if it goes in the URL.
    pub fn query_pair(&self) -> Option<(&str, &str)> {
        match self {
            Self::ApiKey {
                name,
                placement: KeyPlacement::Query,
                value,
            } => Some((name, value)),
            _ => None,
        }
    }

    /// `url` with the secret query parameter added, for sending.
    pub fn url_for_sending(&self, url: &reqwest::Url) -> reqwest::Url {
        let mut url = url.clone();
        if let Some((name, value)) = self.query_pair() {
            url.query_pairs_mut().append_pair(name, value);
        }
        url
    }

    /// `url` with the secret query parameter shown as `***`, for logs.
    pub fn url_for_display(&self, url: &reqwest::Url) -> String {
        let mut url = url.clone();
        if let Some((name, _)) = self.query_pair() {
            url.query_pairs_mut()
                .append_pair(name, crate::credentials::redact::MASK);
        }
        // `***` is percent-encoded by the URL writer; show it as the mask people recognise.
        url.as_str()
            .replace("%2A%2A%2A", crate::credentials::redact::MASK)
    }

    /// Adds the credentials (header kinds) to a request.
    pub fn apply(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, AdapterError> {
        let sensitive = |text: String| -> Result<HeaderValue, AdapterError> {
            let mut value = HeaderValue::from_str(&text).map_err(|_| {
                refused("the connection's secret holds characters a header cannot carry")
            })?;
            value.set_sensitive(true);
            Ok(value)
        };
        Ok(match self {
            Self::None => request,
            Self::Bearer(token) | Self::OAuth2 { token, .. } => request.header(
                AUTHORIZATION,
                sensitive(format!("Bearer {}", token.as_str()))?,
            ),
            Self::Basic { username, password } => {
                use base64::Engine as _;
                let pair = Zeroizing::new(format!("{username}:{}", password.as_str()));
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
                request.header(AUTHORIZATION, sensitive(format!("Basic {encoded}"))?)
            }
            Self::ApiKey {
                name,
                placement: KeyPlacement::Header,
                value,
            } => {
                let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| refused(format!("{name:?} is not a header name")))?;
                request.header(name, sensitive(value.as_str().to_owned())?)
            }
            Self::ApiKey { .. } => request,
        })
    }
}
