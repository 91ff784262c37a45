//! The bearer gate: `Authorization: Bearer <token>` or the session cookie a browser gets by
//! presenting the token once to `POST /api/session`.
//!
//! Only digests are kept and compared, in constant time, so neither timing nor a heap dump
//! gives the token away; it is never logged.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flow_core::AppError;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api_error::ApiError;
use crate::router::HttpState;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "flow_session";
const SESSION_MAX_AGE_SECS: i64 = 30 * 24 * 60 * 60;

/// The server's access token, held as digests only.
#[derive(Clone)]
pub struct AccessToken(Arc<Digests>);

struct Digests {
    token: [u8; 32],
    /// The cookie value: derived from the token, so sessions survive restarts with the same
    /// token and end when the token is rotated.
    session: String,
    session_digest: [u8; 32],
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl AccessToken {
    /// Wraps a token; it must be at least 16 visible ASCII characters.
    pub fn new(token: &str) -> Result<Self, AppError> {
        if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::InvalidInput(
                "the access token must be at least 16 printable ASCII characters without spaces"
                    .into(),
            ));
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes())
            .map_err(|e| AppError::Internal(format!("session key: {e}")))?;
        mac.update(b"flow-session-v1");
        let session = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        let session_digest = sha256(&session);
        Ok(Self(Arc::new(Digests {
            token: sha256(token),
            session,
            session_digest,
        })))
    }

    fn accepts_bearer(&self, candidate: &str) -> bool {
        bool::from(sha256(candidate).ct_eq(&self.0.token))
    }

    fn accepts_session(&self, candidate: &str) -> bool {
        bool::from(sha256(candidate).ct_eq(&self.0.session_digest))
    }

    /// Whether the request carries the token, or a valid session cookie from the server's own
    /// origin: the same rule as [`require_auth`], for the accept loop's event streams.
    pub(crate) fn authorizes(&self, headers: &HeaderMap) -> bool {
        match self.credential(headers) {
            Some(Credential::Bearer) => true,
            Some(Credential::Session) => same_origin(headers),
            None => false,
        }
    }

    /// What authorises the request, if anything: a bearer token wins over a cookie.
    fn credential(&self, headers: &HeaderMap) -> Option<Credential> {
        let bearer = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .any(|t| self.accepts_bearer(t.trim()));
        if bearer {
            return Some(Credential::Bearer);
        }
        CookieJar::from_headers(headers)
            .get(SESSION_COOKIE)
            .is_some_and(|c| self.accepts_session(c.value()))
            .then_some(Credential::Session)
    }
}

/// How a request was authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    /// `Authorization: Bearer <token>`: a program, which chose to send it.
    Bearer,
    /// The session cookie, which a browser attaches by itself, also to requests another page
    /// makes (a page on another port of the same host is "same-site", so `SameSite` does not
    /// stop it).
    Session,
}

/// Whether a cookie-authorised request comes from the server's own pages. A browser's
/// `Sec-Fetch-Site` decides where it is sent (same-origin, or typed by hand): it is the browser's
/// own view, so it holds behind a proxy that rewrites `Host`. Older browsers send only `Origin`
/// (on WebSocket handshakes and unsafe methods), which must then name this host (or the host a
/// proxy forwarded).
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let hosts: Vec<&str> = [header::HOST.as_str(), "x-forwarded-host"]
        .iter()
        .filter_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        .collect();
    match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        None => true,
        Some(Ok(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| hosts.iter().any(|h| h.eq_ignore_ascii_case(authority))),
        Some(Err(_)) => false,
    }
}

fn sha256(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// Middleware on every `/api/*` route: 401 with an `AppError` body unless authorised.
pub(crate) async fn require_auth(
    State(state): State<HttpState>,
    request: Request,
    next: Next,
) -> Response {
    match state.options.token.credential(request.headers()) {
        Some(Credential::Bearer) => next.run(request).await,
        Some(Credential::Session) if same_origin(request.headers()) => next.run(request).await,
        Some(Credential::Session) => ApiError(AppError::Unauthorized(
            "the session cookie came with a request from another origin; send `Authorization: Bearer <token>`".into(),
        ))
        .into_response(),
        None => ApiError(AppError::Unauthorized(
            "missing or invalid access token: send `Authorization: Bearer <token>` or open the login URL".into(),
        ))
        .into_response(),
    }
}

fn behind_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// `POST /api/session` (authorised): sets the HttpOnly session cookie browsers use for
/// `fetch`, `EventSource` and `WebSocket`, none of which can all carry a header.
pub(crate) async fn open_session(
    State(state): State<HttpState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> impl IntoResponse {
    let cookie = Cookie::build((SESSION_COOKIE, state.options.token.0.session.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(behind_https(&headers))
        .max_age(time::Duration::seconds(SESSION_MAX_AGE_SECS));
    (StatusCode::NO_CONTENT, jar.add(cookie))
}

/// `DELETE /api/session` (public): clears the session cookie.
pub(crate) async fn close_session(jar: CookieJar) -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn token() -> AccessToken {
        AccessToken::new("0123456789abcdef-secret").unwrap()
    }

    #[test]
    fn bearer_and_cookie_are_accepted_wrong_ones_are_not() {
        let token = token();
        let mut headers = HeaderMap::new();
        assert!(!token.authorizes(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef-secret"),
        );
        assert!(token.authorizes(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef-secreT"),
        );
        assert!(!token.authorizes(&headers));
        let cookie = format!("other=1; {SESSION_COOKIE}={}", token.0.session);
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(token.authorizes(&headers));
        // The accept loop serves event streams on this answer: the origin rule holds there too.
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(!token.authorizes(&headers), "a same-site page's cookie");
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(token.authorizes(&headers));
        headers.remove("sec-fetch-site");
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:3000"),
        );
        assert!(!token.authorizes(&headers), "another port's cookie");
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("flow_session=forged"),
        );
        assert!(!token.authorizes(&headers));
    }

    #[test]
    fn a_cookie_counts_only_from_the_servers_own_origin() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (k, v) in pairs {
                map.insert(*k, HeaderValue::from_static(v));
            }
            map
        };
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ])));
        // Another port of the same host is same-site, not same-origin.
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:3000"),
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "same-site"),
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "flow.internal"),
            ("origin", "null"),
        ])));
        // Behind a proxy that rewrites Host: the forwarded host, or the browser's own word.
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "flow.example.com"),
            ("origin", "https://flow.example.com"),
        ])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://flow.example.com"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "cross-site"),
        ])));
    }

    #[test]
    fn weak_tokens_are_refused_and_debug_never_shows_the_token() {
        assert!(AccessToken::new("short").is_err());
        assert!(AccessToken::new("has spaces in it, sixteen+").is_err());
        let shown = format!("{:?}", token());
        assert!(!shown.contains("secret"), "{shown}");
    }
}
