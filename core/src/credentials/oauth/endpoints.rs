//! Where a connection's grant goes: its own config first, else its service's descriptor
//! (`serviceIntegration.auth.oauth2 {authorizeUrl, tokenUrl, scopes, clientAuth}` of an installed
//! catalog entry whose `identity.service` is the connection's service).

use serde_json::Value;

use crate::credentials::Connection;
use crate::{App, AppError};

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post,
    /// `Authorization: Basic` with the client id and secret (`client_secret_basic`).
    Basic,
}

/// A connection's OAuth 2 endpoints and client.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    /// The authorization endpoint the browser is sent to (not needed to refresh a token).
    pub authorize_url: Option<reqwest::Url>,
    /// The token endpoint for the code exchange and refreshes.
    pub token_url: reqwest::Url,
    /// Scopes to ask for.
    pub scopes: Vec<String>,
    /// Client authentication at the token endpoint.
    pub client_auth: ClientAuth,
    /// The client id registered with the provider.
    pub client_id: String,
}

/// The `auth.oauth2` block of the first installed catalog entry for `service` that has one.
fn descriptor(app: &App, service: &str) -> Option<Value> {
    app.nodes().installed().into_iter().find_map(|entry| {
        let for_service = entry.identity.get("service").and_then(Value::as_str) == Some(service);
        entry
            .service_integration
            .filter(|_| for_service)
            .and_then(|integration| integration.pointer("/auth/oauth2").cloned())
    })
}

fn parse_url(what: &str, text: &str) -> Result<reqwest::Url, AppError> {
    reqwest::Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| {
            AppError::InvalidInput(format!("{what} must be an http or https URL, got {text:?}"))
        })
}

fn scopes_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => text.split_whitespace().map(str::to_owned).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Resolves the endpoints of an OAuth 2 connection for a new grant; a missing one is a clear
/// error.
pub(crate) fn resolve(app: &App, connection: &Connection) -> Result<Endpoints, AppError> {
    resolve_for(app, connection, true)
}

/// The endpoints a refresh needs: the token endpoint and the client, not the authorization URL.
pub(crate) fn resolve_for_refresh(
    app: &App,
    connection: &Connection,
) -> Result<Endpoints, AppError> {
    resolve_for(app, connection, false)
}

fn resolve_for(
    app: &App,
    connection: &Connection,
    needs_authorize: bool,
) -> Result<Endpoints, AppError> {
    let id = &connection.id;
    let client_id = connection
        .config
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            AppError::InvalidInput(format!("connection `{id}` has no OAuth 2 client id"))
        })?
        .to_owned();
    let described = descriptor(app, &connection.service).unwrap_or(Value::Null);
    let url = |what: &str, own: &Option<String>, key: &str| -> Result<reqwest::Url, AppError> {
        let text = own
            .as_deref()
            .or_else(|| described.get(key).and_then(Value::as_str))
            .ok_or_else(|| {
                AppError::InvalidInput(format!(
                    "connection `{id}` has no OAuth 2 {what}: set `{key}` in its settings (service `{}` does not describe one)",
                    connection.service
                ))
            })?;
        parse_url(key, text)
    };
    let authorize_url = match url(
        "authorization URL",
        &connection.config.authorize_url,
        "authorizeUrl",
    ) {
        Ok(found) => Some(found),
        Err(err) if needs_authorize => return Err(err),
        Err(_) => None,
    };
    let token_url = url("token URL", &connection.config.token_url, "tokenUrl")?;
    let scopes = match &connection.config.scopes {
        Some(scopes) => scopes.clone(),
        None => described.get("scopes").map(scopes_of).unwrap_or_default(),
    };
    let client_auth = match described.get("clientAuth").and_then(Value::as_str) {
        Some("basic" | "client_secret_basic") => ClientAuth::Basic,
        _ => ClientAuth::Post,
    };
    Ok(Endpoints {
        authorize_url,
        token_url,
        scopes,
        client_auth,
        client_id,
    })
}

impl Endpoints {
    /// The authorization URL for one grant (the endpoint's own query parameters are kept).
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
    ) -> Result<String, AppError> {
        let mut url = self.authorize_url.clone().ok_or_else(|| {
            AppError::InvalidInput(format!(
                "connection for client `{}` has no OAuth 2 authorization URL",
                self.client_id
            ))
        })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri);
            if !self.scopes.is_empty() {
                query.append_pair("scope", &self.scopes.join(" "));
            }
            query
                .append_pair("state", state)
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256");
        }
        Ok(url.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_come_as_a_list_or_a_space_separated_string() {
        assert_eq!(
            scopes_of(&serde_json::json!(["repo", "user"])),
            ["repo", "user"]
        );
        assert_eq!(
            scopes_of(&serde_json::json!("chat:write  channels:read")),
            ["chat:write", "channels:read"]
        );
        assert!(scopes_of(&serde_json::json!(3)).is_empty());
    }

    #[test]
    fn the_authorization_request_keeps_the_endpoint_query_and_adds_pkce() {
        let endpoints = Endpoints {
            authorize_url: Some(
                reqwest::Url::parse("https://id.example.com/auth?tenant=a").unwrap(),
            ),
            token_url: reqwest::Url::parse("https://id.example.com/token").unwrap(),
            scopes: vec!["read".into(), "write".into()],
            client_auth: ClientAuth::Post,
            client_id: "my app".into(),
        };
        let url = reqwest::Url::parse(
            &endpoints
                .authorization_request("http://127.0.0.1:5/oauth/callback", "st", "ch")
                .unwrap(),
        )
        .unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("tenant"), Some("a"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("my app"));
        assert_eq!(
            get("redirect_uri"),
            Some("http://127.0.0.1:5/oauth/callback")
        );
        assert_eq!(get("scope"), Some("read write"));
        assert_eq!(get("state"), Some("st"));
        assert_eq!(get("code_challenge"), Some("ch"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
    }
}
