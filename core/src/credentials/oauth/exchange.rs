//! Token endpoint calls (RFC 6749 §4.1.3 and §6): the authorization-code exchange and refreshes.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::endpoints::{ClientAuth, Endpoints};
use crate::AppError;
use crate::credentials::OAuthTokens;

/// Largest token response read; anything bigger is refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest provider error text carried into a message.
const MAX_PROVIDER_TEXT: usize = 300;

/// What is traded at the token endpoint.
pub(crate) enum TokenGrant<'a> {
    /// `grant_type=authorization_code`.
    Code {
        /// The code from the redirect.
        code: &'a str,
        /// The redirect URI of the authorization request.
        redirect_uri: &'a str,
        /// The PKCE verifier.
        verifier: &'a str,
    },
    /// `grant_type=refresh_token`.
    Refresh {
        /// The refresh token held.
        refresh_token: &'a str,
    },
}

/// Why the token endpoint gave no tokens.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// The provider answered with an OAuth error (`invalid_grant`, `invalid_client`, …).
    Refused {
        /// The `error` code.
        error: String,
        /// `error_description`, when given.
        description: Option<String>,
    },
    /// Anything else: unreachable, a malformed answer.
    Failed(AppError),
}

impl ExchangeError {
    /// The error as an [`AppError`], saying what was being done.
    pub fn into_app_error(self, doing: &str) -> AppError {
        match self {
            Self::Refused { error, description } => AppError::Unauthorized(format!(
                "{doing}: the provider refused it with `{error}`{}",
                description.map(|d| format!(" ({d})")).unwrap_or_default()
            )),
            Self::Failed(err) => err,
        }
    }
}

/// Tokens as the endpoint issued them.
pub(crate) struct Issued {
    access_token: Zeroizing<String>,
    refresh_token: Option<Zeroizing<String>>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

impl Issued {
    /// The bundle to store: scopes default to `asked`, a refresh token the provider did not
    /// rotate stays `kept`, and `connected_at` is carried over.
    pub fn into_tokens(
        self,
        asked: &[String],
        kept_refresh: Option<&str>,
        connected_at: String,
    ) -> OAuthTokens {
        let scopes = match &self.scope {
            // GitHub separates with commas, the RFC with spaces.
            Some(scope) => scope
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            None => asked.to_vec(),
        };
        let expires_at = self
            .expires_in
            .map(|secs| crate::timestamp::rfc3339(SystemTime::now() + Duration::from_secs(secs)));
        OAuthTokens {
            access_token: self.access_token.to_string(),
            refresh_token: self
                .refresh_token
                .map(|t| t.to_string())
                .or_else(|| kept_refresh.map(str::to_owned)),
            expires_at,
            scopes,
            connected_at,
            revoked: false,
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    token_type: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Provider text fit for a message: printable, bounded.
pub(crate) fn tidy(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_PROVIDER_TEXT)
        .collect()
}

fn expires_in(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads at most [`MAX_RESPONSE_BYTES`] of the body.
async fn bounded_body(
    mut response: reqwest::Response,
) -> Result<Zeroizing<Vec<u8>>, ExchangeError> {
    let mut body = Zeroizing::new(Vec::new());
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        ExchangeError::Failed(AppError::Unavailable(format!(
            "reading the token endpoint's answer failed: {e}"
        )))
    })? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ExchangeError::Failed(AppError::Unavailable(format!(
                "the token endpoint's answer is larger than {} KiB",
                MAX_RESPONSE_BYTES / 1024
            ))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// POSTs `grant` to the token endpoint and parses the answer.
pub(crate) async fn request(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    client_secret: Option<&str>,
    grant: TokenGrant<'_>,
) -> Result<Issued, ExchangeError> {
    let mut form: Vec<(&str, &str)> = match &grant {
        TokenGrant::Code {
            code,
            redirect_uri,
            verifier,
        } => vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
        TokenGrant::Refresh { refresh_token } => vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    };
    let mut builder = http
        .post(endpoints.token_url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    match (endpoints.client_auth, client_secret) {
        (ClientAuth::Basic, Some(secret)) => {
            // RFC 6749 §2.3.1: both parts form-encoded before the Basic encoding.
            let encode =
                |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
            let pair = Zeroizing::new(format!(
                "{}:{}",
                encode(&endpoints.client_id),
                encode(secret)
            ));
            let value = Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
            let mut header = reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
                ExchangeError::Failed(AppError::InvalidInput(
                    "the client id or secret cannot be sent in a header".into(),
                ))
            })?;
            header.set_sensitive(true);
            builder = builder.header(reqwest::header::AUTHORIZATION, header);
        }
        (_, secret) => {
            form.push(("client_id", &endpoints.client_id));
            if let Some(secret) = secret {
                form.push(("client_secret", secret));
            }
        }
    }
    let response = builder.form(&form).send().await.map_err(|e| {
        ExchangeError::Failed(AppError::Unavailable(format!(
            "the token endpoint {} could not be reached: {}",
            endpoints.token_url,
            e.without_url()
        )))
    })?;
    let status = response.status();
    let body = bounded_body(response).await?;
    let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
        ExchangeError::Failed(AppError::Unavailable(format!(
            "the token endpoint answered HTTP {status} with a body that is not an OAuth 2 JSON token response"
        )))
    })?;
    // Some providers (GitHub) answer errors with 200, so the body decides.
    if let Some(error) = parsed.error.as_deref() {
        return Err(ExchangeError::Refused {
            error: tidy(error),
            description: parsed.error_description.as_deref().map(tidy),
        });
    }
    if !status.is_success() {
        return Err(ExchangeError::Failed(AppError::Unavailable(format!(
            "the token endpoint answered HTTP {status} without an OAuth 2 error"
        ))));
    }
    let access_token = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .map(Zeroizing::new)
        .ok_or_else(|| {
            ExchangeError::Failed(AppError::Unavailable(
                "the token endpoint's answer has no access_token".into(),
            ))
        })?;
    if let Some(kind) = parsed.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(ExchangeError::Failed(AppError::Unavailable(format!(
            "the token endpoint issued a `{}` token; only bearer tokens are supported",
            tidy(kind)
        ))));
    }
    Ok(Issued {
        access_token,
        refresh_token: parsed
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(Zeroizing::new),
        expires_in: parsed.expires_in.as_ref().and_then(expires_in),
        scope: parsed.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_accepts_numbers_and_numeric_strings() {
        assert_eq!(expires_in(&serde_json::json!(3600)), Some(3600));
        assert_eq!(expires_in(&serde_json::json!("120")), Some(120));
        assert_eq!(expires_in(&serde_json::json!(2.5)), Some(2));
        assert_eq!(expires_in(&serde_json::json!(null)), None);
    }

    #[test]
    fn provider_text_is_printable_and_bounded() {
        assert_eq!(tidy("bad\r\ngrant"), "badgrant");
        assert_eq!(tidy(&"x".repeat(1000)).len(), MAX_PROVIDER_TEXT);
    }

    #[test]
    fn unrotated_refresh_tokens_are_kept_and_scopes_default_to_the_asked_ones() {
        let issued = Issued {
            access_token: Zeroizing::new("a2".into()),
            refresh_token: None,
            expires_in: Some(60),
            scope: None,
        };
        let tokens = issued.into_tokens(&["read".into()], Some("r1"), "then".into());
        assert_eq!(tokens.refresh_token.as_deref(), Some("r1"));
        assert_eq!(tokens.scopes, ["read"]);
        assert_eq!(tokens.connected_at, "then");
        assert!(tokens.expires_at.is_some());
        let issued = Issued {
            access_token: Zeroizing::new("a3".into()),
            refresh_token: Some(Zeroizing::new("r2".into())),
            expires_in: None,
            scope: Some("repo,user".into()),
        };
        let tokens = issued.into_tokens(&[], Some("r1"), "then".into());
        assert_eq!(tokens.refresh_token.as_deref(), Some("r2"));
        assert_eq!(tokens.scopes, ["repo", "user"]);
        assert_eq!(tokens.expires_at, None);
    }
}
