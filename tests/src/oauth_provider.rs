//! A real OAuth 2 provider on `127.0.0.1:0` for the tests: authorization endpoint, token
//! endpoint (authorization code with PKCE S256, refresh with rotation, client_secret_post or
//! Basic), and a protected `/api/me`. It checks what a strict provider checks and records what
//! it was sent, so tests can assert on both sides.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::{Digest, Sha256};

/// How the client authenticated at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthUsed {
    /// `client_id`/`client_secret` in the form.
    Post,
    /// `Authorization: Basic`.
    Basic,
}

struct CodeGrant {
    challenge: String,
    redirect_uri: String,
    scope: String,
    used: bool,
}

#[derive(Default)]
struct Inner {
    authorize_requests: Vec<HashMap<String, String>>,
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, Instant>,
    refresh: HashMap<String, bool>,
    code_exchanges: u32,
    refreshes: u32,
    client_auth: Vec<ClientAuthUsed>,
    counter: u32,
    deny_next: bool,
}

/// Settings of one provider.
#[derive(Clone)]
pub struct ProviderOptions {
    /// The registered client id.
    pub client_id: String,
    /// The registered client secret (`None`: a public client).
    pub client_secret: Option<String>,
    /// Lifetime of tokens from the code exchange.
    pub code_expires_in: u32,
    /// Lifetime of tokens from a refresh.
    pub refresh_expires_in: u32,
    /// Whether refresh tokens are issued at all.
    pub issue_refresh_tokens: bool,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        Self {
            client_id: "flow-test-client".into(),
            client_secret: Some("provider-client-secret-5f1c".into()),
            code_expires_in: 2,
            refresh_expires_in: 3600,
            issue_refresh_tokens: true,
        }
    }
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    options: Arc<ProviderOptions>,
}

/// A running provider (stops with the test's runtime).
pub struct OAuthProvider {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Shared,
}

impl OAuthProvider {
    /// Starts a provider on a free loopback port.
    pub async fn start(options: ProviderOptions) -> Self {
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner::default())),
            options: Arc::new(options),
        };
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/api/me", get(me))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the provider");
        let url = format!(
            "http://{}",
            listener.local_addr().expect("provider address")
        );
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("provider serves");
        });
        Self { url, shared }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().expect("provider state")
    }

    /// `<url>/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/authorize", self.url)
    }

    /// `<url>/token`.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url)
    }

    /// The registered client id.
    pub fn client_id(&self) -> &str {
        &self.shared.options.client_id
    }

    /// The registered client secret.
    pub fn client_secret(&self) -> Option<&str> {
        self.shared.options.client_secret.as_deref()
    }

    /// The query of every authorization request, in order.
    pub fn authorize_requests(&self) -> Vec<HashMap<String, String>> {
        self.inner().authorize_requests.clone()
    }

    /// Successful authorization-code exchanges so far.
    pub fn code_exchanges(&self) -> u32 {
        self.inner().code_exchanges
    }

    /// Successful refreshes so far.
    pub fn refreshes(&self) -> u32 {
        self.inner().refreshes
    }

    /// How the client authenticated at each token call.
    pub fn client_auth(&self) -> Vec<ClientAuthUsed> {
        self.inner().client_auth.clone()
    }

    /// Every access and refresh token issued so far (to grep stores and responses for).
    pub fn issued_tokens(&self) -> Vec<String> {
        let inner = self.inner();
        inner
            .access
            .keys()
            .chain(inner.refresh.keys())
            .cloned()
            .collect()
    }

    /// Revokes every refresh token: the next refresh gets `invalid_grant`.
    pub fn revoke_refresh_tokens(&self) {
        for active in self.inner().refresh.values_mut() {
            *active = false;
        }
    }

    /// The next authorization request is refused by the person (`error=access_denied`).
    pub fn deny_next(&self) {
        self.inner().deny_next = true;
    }

    /// `GET /api/me` with a bearer token: the status the provider answers.
    pub async fn me_status(&self, access_token: &str) -> u16 {
        reqwest::Client::new()
            .get(format!("{}/api/me", self.url))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("call /api/me")
            .status()
            .as_u16()
    }
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn authorize(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = shared.inner.lock().expect("provider state");
    inner.authorize_requests.push(query.clone());
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    if get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("client_id") != shared.options.client_id
        || get("state").is_empty()
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let Ok(mut redirect) = reqwest::Url::parse(get("redirect_uri")) else {
        return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response();
    };
    if std::mem::take(&mut inner.deny_next) {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", get("state"));
        return Redirect::to(redirect.as_str()).into_response();
    }
    inner.counter += 1;
    let code = format!("provider-code-{}-{}", inner.counter, random_suffix());
    inner.codes.insert(
        code.clone(),
        CodeGrant {
            challenge: get("code_challenge").to_owned(),
            redirect_uri: get("redirect_uri").to_owned(),
            scope: get("scope").to_owned(),
            used: false,
        },
    );
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", get("state"));
    Redirect::to(redirect.as_str()).into_response()
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("random");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Which client authentication was used, if the credentials are right.
fn client_of(
    options: &ProviderOptions,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<ClientAuthUsed> {
    let decode = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let pair = String::from_utf8(STANDARD.decode(basic).ok()?).ok()?;
        let (id, secret) = pair.split_once(':')?;
        let ok = decode(id) == options.client_id
            && Some(decode(secret).as_str()) == options.client_secret.as_deref();
        return ok.then_some(ClientAuthUsed::Basic);
    }
    let ok = form.get("client_id") == Some(&options.client_id)
        && form.get("client_secret").map(String::as_str) == options.client_secret.as_deref();
    ok.then_some(ClientAuthUsed::Post)
}

fn issue(
    inner: &mut Inner,
    options: &ProviderOptions,
    expires_in: u32,
    scope: Option<&str>,
) -> Response {
    inner.counter += 1;
    let access = format!("provider-access-{}-{}", inner.counter, random_suffix());
    inner.access.insert(
        access.clone(),
        Instant::now() + Duration::from_secs(expires_in.into()),
    );
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": expires_in,
    });
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    if options.issue_refresh_tokens {
        let refresh = format!("provider-refresh-{}-{}", inner.counter, random_suffix());
        inner.refresh.insert(refresh.clone(), true);
        body["refresh_token"] = json!(refresh);
    }
    axum::Json(body).into_response()
}

async fn token(
    State(shared): State<Shared>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let options = &shared.options;
    let mut inner = shared.inner.lock().expect("provider state");
    let Some(auth) = client_of(options, &headers, &form) else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "unknown client or wrong secret"})),
        )
            .into_response();
    };
    inner.client_auth.push(auth);
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    match get("grant_type") {
        "authorization_code" => {
            let Some(grant) = inner.codes.get_mut(get("code")) else {
                return oauth_error("invalid_grant", "unknown code");
            };
            if std::mem::replace(&mut grant.used, true) {
                return oauth_error("invalid_grant", "code already used");
            }
            if grant.redirect_uri != get("redirect_uri") {
                return oauth_error("invalid_grant", "redirect_uri does not match");
            }
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
            if challenge != grant.challenge {
                return oauth_error("invalid_grant", "PKCE verification failed");
            }
            let scope = grant.scope.clone();
            inner.code_exchanges += 1;
            issue(&mut inner, options, options.code_expires_in, Some(&scope))
        }
        "refresh_token" => {
            let presented = get("refresh_token").to_owned();
            match inner.refresh.get_mut(&presented) {
                Some(active) if *active => *active = false,
                _ => return oauth_error("invalid_grant", "refresh token revoked or unknown"),
            }
            inner.refreshes += 1;
            // No `scope` in a refresh answer: the client keeps what it had.
            issue(&mut inner, options, options.refresh_expires_in, None)
        }
        other => oauth_error("unsupported_grant_type", other),
    }
}

async fn me(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let inner = shared.inner.lock().expect("provider state");
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| inner.access.get(t)) {
        Some(expiry) if *expiry > Instant::now() => {
            axum::Json(json!({"login": "loopback-user", "id": 7})).into_response()
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "expired or unknown token"})),
        )
            .into_response(),
    }
}
