//! `GET /oauth/callback`: where an OAuth 2 provider sends the person's browser back.
//!
//! Public on purpose: the provider's cross-site redirect carries neither the bearer token nor
//! the `SameSite=Strict` session cookie. What protects it is the single-use, unguessable
//! `state` that `oauth_complete` checks; this route only maps the query onto that command and
//! its answer onto a redirect to the settings page.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flow_core::{AppError, commands};

use crate::router::HttpState;

/// Longest query accepted (a provider's code and state are far shorter).
const MAX_QUERY_BYTES: usize = 8 * 1024;
/// The UI page that shows connections and the outcome.
const SETTINGS_PAGE: &str = "/settings/connections";

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Completes the grant named by `state` and sends the browser to the settings page with
/// `connected=<id>` or `oauthError=<message>`.
pub(crate) async fn callback(
    State(state): State<HttpState>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let query = uri.query().unwrap_or_default();
    let outcome = if query.len() > MAX_QUERY_BYTES {
        Err(AppError::PayloadTooLarge(format!(
            "the sign-in redirect's query is longer than {MAX_QUERY_BYTES} bytes"
        )))
    } else {
        let (mut grant, mut code, mut error) = (String::new(), None, None);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match &*key {
                "state" => grant = value.into_owned(),
                "code" => code = Some(value.into_owned()),
                "error" => error = Some(value.into_owned()),
                _ => {}
            }
        }
        commands::oauth_complete(&state.app, grant, code, error).await
    };
    let location = match outcome {
        Ok(connection) => format!("{SETTINGS_PAGE}?connected={}", encode(&connection.id)),
        Err(err) => {
            tracing::info!(kind = err.kind(), "OAuth 2 callback refused");
            format!("{SETTINGS_PAGE}?oauthError={}", encode(err.message()))
        }
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        Err(_) => {
            headers.insert(header::LOCATION, HeaderValue::from_static(SETTINGS_PAGE));
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The code sits in this URL: the next page must not send it on as a referrer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
