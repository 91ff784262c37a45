//! The `serviceIntegration` descriptor of a service catalog entry, typed and checked.
//!
//! ```json
//! {"service": "github", "name": "GitHub", "baseUrl": "https://api.github.com",
//!  "auth": {"kinds": ["bearer", "oauth2"], "default": "bearer",
//!           "oauth2": {"authorizeUrl": "…", "tokenUrl": "…", "scopes": ["repo"]}},
//!  "helpUrl": "https://github.com/settings/tokens", "testOperation": "get-user",
//!  "headers": {"Accept": "application/vnd.github+json"},
//!  "operations": [{"id": "list-issues", "name": "List issues", "method": "GET",
//!                  "path": "/repos/{owner}/{repo}/issues", "query": ["state"],
//!                  "input": {"type": "object", "properties": {…}, "required": ["owner", "repo"]}}]}
//! ```
//!
//! `"raw"` in `method`, `path`, `query`, `headers` or `body` takes that part from the node's
//! input of the same name (`url` for the path): that is how the generic HTTP node is described.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::template::placeholders;
use crate::credentials::{AuthKind, KeyPlacement};
use crate::nodes::schema::check_schema;

/// A service's REST descriptor: where it lives, how it authenticates, what it can do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceIntegration {
    /// The service id nodes and connections name (`github`); lowercase letters, digits, `-`, `_`.
    pub service: String,
    /// Display name (`GitHub`).
    pub name: String,
    /// The API's base URL; absent for the generic HTTP node, whose `url` input is the full URL.
    /// A connection's `config.baseUrl` overrides it (a self-hosted instance, a test server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Which auth kinds a connection for it may use, and their defaults.
    pub auth: ServiceAuth,
    /// The provider console page where a person gets a token or registers an OAuth app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_url: Option<String>,
    /// The operation `connection_test` runs (it must need no inputs); absent: a GET of the
    /// connection's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_operation: Option<String>,
    /// Headers sent with every operation (an operation's own headers win).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// What the service can do; a node picks one by `data.operation`.
    pub operations: Vec<Operation>,
}

/// The auth kinds a service accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAuth {
    /// Allowed kinds; `none` among them makes a connection optional.
    pub kinds: Vec<AuthKind>,
    /// The kind a new connection starts with (default: the first of `kinds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<AuthKind>,
    /// API key defaults: where the key goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyDefaults>,
    /// OAuth 2 defaults: the provider's endpoints and scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Defaults>,
}

/// Where a service expects its API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeyDefaults {
    /// Header or query parameter.
    #[serde(rename = "in")]
    pub placement: KeyPlacement,
    /// Its name (`X-API-Key`, `api_key`).
    pub name: String,
}

/// A provider's OAuth 2 endpoints and the scopes to ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuth2Defaults {
    /// The authorization endpoint the person's browser visits.
    pub authorize_url: String,
    /// The token endpoint codes and refresh tokens are exchanged at.
    pub token_url: String,
    /// Scopes to ask for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How the client authenticates at the token endpoint (default: in the form body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<OAuth2ClientAuth>,
}

/// Where a client's id and secret go at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OAuth2ClientAuth {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[serde(alias = "client_secret_post")]
    Post,
    /// An `Authorization: Basic` header (`client_secret_basic`).
    #[serde(alias = "client_secret_basic")]
    Basic,
}

/// One thing a service can do: a request template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operation {
    /// Stable id nodes name (`list-issues`).
    pub id: String,
    /// Display name (`List issues`).
    pub name: String,
    /// The HTTP method, or `raw` (the `method` input; default GET).
    pub method: Method,
    /// Path template appended to the base URL (`/repos/{owner}/{repo}/issues`; placeholders are
    /// filled from inputs, percent-encoded), or `raw` (the `url` input: a full URL, or a path
    /// joined to the connection's base URL).
    pub path: String,
    /// Inputs sent as query parameters.
    #[serde(default, skip_serializing_if = "Fields::is_none")]
    pub query: Fields,
    /// Inputs sent as the JSON body.
    #[serde(default, skip_serializing_if = "Fields::is_none")]
    pub body: Fields,
    /// Extra headers (values may hold placeholders), or `raw` (the `headers` input object).
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub headers: Headers,
    /// The operation's inputs: a JSON Schema subset object, as catalog schemas are.
    #[serde(default = "empty_object_schema")]
    pub input: Value,
    /// How to read the answer.
    #[serde(default, skip_serializing_if = "ResponseSpec::is_empty")]
    pub response: ResponseSpec,
}

fn empty_object_schema() -> Value {
    serde_json::json!({"type": "object", "properties": {}})
}

/// An HTTP method, or `raw` for the node's `method` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// `GET`.
    #[serde(rename = "GET")]
    Get,
    /// `POST`.
    #[serde(rename = "POST")]
    Post,
    /// `PUT`.
    #[serde(rename = "PUT")]
    Put,
    /// `PATCH`.
    #[serde(rename = "PATCH")]
    Patch,
    /// `DELETE`.
    #[serde(rename = "DELETE")]
    Delete,
    /// `HEAD`.
    #[serde(rename = "HEAD")]
    Head,
    /// `OPTIONS`.
    #[serde(rename = "OPTIONS")]
    Options,
    /// The node's `method` input.
    #[serde(rename = "raw")]
    Raw,
}

impl Method {
    /// The method for this fixed variant (`None` for `Raw`).
    pub fn http(self) -> Option<reqwest::Method> {
        Some(match self {
            Self::Get => reqwest::Method::GET,
            Self::Post => reqwest::Method::POST,
            Self::Put => reqwest::Method::PUT,
            Self::Patch => reqwest::Method::PATCH,
            Self::Delete => reqwest::Method::DELETE,
            Self::Head => reqwest::Method::HEAD,
            Self::Options => reqwest::Method::OPTIONS,
            Self::Raw => return None,
        })
    }

    /// The methods a `raw` method input may name.
    pub const NAMES: [&'static str; 7] =
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
}

/// Which inputs go into the query or the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub enum Fields {
    /// Nothing.
    #[default]
    None,
    /// These inputs, by name (absent and `null` ones are left out).
    Names(Vec<String>),
    /// The node's input of the same name as a whole (`query`: an object; `body`: any JSON, or a
    /// string sent as text).
    Raw,
}

impl Fields {
    /// Nothing is sent.
    pub fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }
}

impl TryFrom<Value> for Fields {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(Self::None),
            Value::String(s) if s == "raw" => Ok(Self::Raw),
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(format!("an input name must be a string, got {other}")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Self::Names),
            other => Err(format!(
                "expected a list of input names or \"raw\", got {other}"
            )),
        }
    }
}

impl From<Fields> for Value {
    fn from(fields: Fields) -> Self {
        match fields {
            Fields::None => Value::Null,
            Fields::Names(names) => names.into(),
            Fields::Raw => "raw".into(),
        }
    }
}

/// An operation's extra headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub enum Headers {
    /// Fixed names; values may hold `{placeholders}`.
    Fixed(BTreeMap<String, String>),
    /// The node's `headers` input object.
    Raw,
}

impl Default for Headers {
    fn default() -> Self {
        Self::Fixed(BTreeMap::new())
    }
}

impl Headers {
    /// No extra headers.
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Fixed(map) if map.is_empty())
    }
}

impl TryFrom<Value> for Headers {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(Self::default()),
            Value::String(s) if s == "raw" => Ok(Self::Raw),
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s)),
                    other => Err(format!("header `{k}` must be a string, got {other}")),
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Self::Fixed),
            other => Err(format!(
                "expected an object of headers or \"raw\", got {other}"
            )),
        }
    }
}

impl From<Headers> for Value {
    fn from(headers: Headers) -> Self {
        match headers {
            Headers::Fixed(map) => serde_json::to_value(map).unwrap_or(Value::Null),
            Headers::Raw => "raw".into(),
        }
    }
}

/// How an operation's answer is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResponseSpec {
    /// JSON pointer into the parsed body: the node's `body` output is that part (`/channels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<String>,
    /// JSON pointer to a boolean that must be `true` even on a 2xx (Slack's `/ok`); the node
    /// fails otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<String>,
    /// JSON pointer to the service's error text, quoted when the node fails (`/error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ResponseSpec {
    /// Nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.pick.is_none() && self.ok.is_none() && self.error.is_none()
    }
}

/// Whether `text` is a service id: a lowercase letter, then lowercase letters, digits, `-`, `_`.
pub fn is_service_id(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && text.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check_url(what: &str, url: &str) -> Result<(), String> {
    let ok = reqwest::Url::parse(url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if ok {
        Ok(())
    } else {
        Err(format!("{what} must be an http or https URL, got {url:?}"))
    }
}

fn check_pointer(what: &str, pointer: &Option<String>) -> Result<(), String> {
    match pointer {
        Some(p) if !p.is_empty() && !p.starts_with('/') => Err(format!(
            "response.{what} must be a JSON pointer (empty, or starting with `/`), got {p:?}"
        )),
        _ => Ok(()),
    }
}

fn check_header(name: &str, value: &str) -> Result<(), String> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a header name"))?;
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("header `{name}` has a value that cannot be sent: {value:?}"))?;
    Ok(())
}

impl ServiceIntegration {
    /// Parses and checks a catalog entry's `serviceIntegration`.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let integration: Self = serde_json::from_value(value.clone())
            .map_err(|e| format!("serviceIntegration: {e}"))?;
        integration
            .check()
            .map_err(|e| format!("serviceIntegration `{}`: {e}", integration.service))?;
        Ok(integration)
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// A connection is optional (`none` is an allowed auth kind).
    pub fn connection_optional(&self) -> bool {
        self.auth.kinds.contains(&AuthKind::None)
    }

    /// Every rule a descriptor must keep, beyond its shape.
    fn check(&self) -> Result<(), String> {
        if !is_service_id(&self.service) {
            return Err(format!(
                "{:?} is not a service id (a lowercase letter, then lowercase letters, digits, `-` or `_`)",
                self.service
            ));
        }
        if self.name.trim().is_empty() {
            return Err("`name` is empty".to_owned());
        }
        if let Some(url) = &self.base_url {
            check_url("baseUrl", url)?;
        }
        if let Some(url) = &self.help_url {
            check_url("helpUrl", url)?;
        }
        self.check_auth()?;
        for (name, value) in &self.headers {
            if let Some(p) = placeholders(value)?.first() {
                return Err(format!(
                    "header `{name}` uses `{{{p}}}`: descriptor-wide headers cannot use inputs"
                ));
            }
            check_header(name, value)?;
        }
        if self.operations.is_empty() {
            return Err("it has no operations".to_owned());
        }
        for (i, op) in self.operations.iter().enumerate() {
            if self.operations[..i].iter().any(|o| o.id == op.id) {
                return Err(format!("operation id `{}` is used twice", op.id));
            }
            op.check()
                .map_err(|e| format!("operation `{}`: {e}", op.id))?;
        }
        if let Some(test) = &self.test_operation {
            let op = self
                .operation(test)
                .ok_or_else(|| format!("testOperation `{test}` is not an operation"))?;
            if op
                .input
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| !r.is_empty())
            {
                return Err(format!(
                    "testOperation `{test}` has required inputs; a connection test sends none"
                ));
            }
        }
        Ok(())
    }

    fn check_auth(&self) -> Result<(), String> {
        let kinds = &self.auth.kinds;
        if kinds.is_empty() {
            return Err("auth.kinds is empty".to_owned());
        }
        for (i, kind) in kinds.iter().enumerate() {
            if kinds[..i].contains(kind) {
                return Err(format!("auth kind `{}` is listed twice", kind.as_str()));
            }
        }
        if let Some(default) = self.auth.default
            && !kinds.contains(&default)
        {
            return Err(format!(
                "auth.default `{}` is not one of auth.kinds",
                default.as_str()
            ));
        }
        if let Some(key) = &self.auth.api_key
            && (key.name.is_empty() || !key.name.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(format!(
                "auth.apiKey.name {:?} is not a header or query parameter name",
                key.name
            ));
        }
        if let Some(oauth) = &self.auth.oauth2 {
            check_url("auth.oauth2.authorizeUrl", &oauth.authorize_url)?;
            check_url("auth.oauth2.tokenUrl", &oauth.token_url)?;
        }
        Ok(())
    }
}

impl Operation {
    /// The input property names the operation's schema declares.
    pub fn input_names(&self) -> Vec<&str> {
        self.input
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn check(&self) -> Result<(), String> {
        if !is_service_id(&self.id) {
            return Err("its id must be lowercase letters, digits, `-` or `_`".to_owned());
        }
        if self.name.trim().is_empty() {
            return Err("`name` is empty".to_owned());
        }
        check_schema(&self.input).map_err(|e| format!("input: {e}"))?;
        let inputs = self.input_names();
        let needs = |name: &str, what: &str| -> Result<(), String> {
            if inputs.contains(&name) {
                Ok(())
            } else {
                Err(format!("{what} but there is no input `{name}`"))
            }
        };
        if self.method == Method::Raw {
            needs("method", "the method is raw")?;
        }
        if self.path == "raw" {
            needs("url", "the path is raw")?;
        } else {
            if !self.path.starts_with('/') {
                return Err(format!("path {:?} must start with `/`", self.path));
            }
            for p in placeholders(&self.path)? {
                needs(p, &format!("the path uses `{{{p}}}`"))?;
            }
        }
        for (part, fields) in [("query", &self.query), ("body", &self.body)] {
            match fields {
                Fields::None => {}
                Fields::Raw => needs(part, &format!("the {part} is raw"))?,
                Fields::Names(names) => {
                    for name in names {
                        needs(name, &format!("the {part} sends `{name}`"))?;
                    }
                }
            }
        }
        match &self.headers {
            Headers::Raw => needs("headers", "the headers are raw")?,
            Headers::Fixed(map) => {
                for (name, value) in map {
                    for p in placeholders(value)? {
                        needs(p, &format!("header `{name}` uses `{{{p}}}`"))?;
                    }
                    // Placeholders are checked once filled; the literal parts must be sendable.
                    check_header(name, &value.replace(['{', '}'], ""))?;
                }
            }
        }
        check_pointer("pick", &self.response.pick)?;
        check_pointer("ok", &self.response.ok)?;
        check_pointer("error", &self.response.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn github_like() -> Value {
        json!({
            "service": "demo", "name": "Demo", "baseUrl": "https://api.demo.test",
            "auth": {"kinds": ["bearer", "apiKey"], "apiKey": {"in": "query", "name": "key"}},
            "testOperation": "me",
            "operations": [
                {"id": "me", "name": "Me", "method": "GET", "path": "/me"},
                {"id": "get-item", "name": "Get item", "method": "GET",
                 "path": "/items/{item}", "query": ["expand"],
                 "input": {"type": "object", "required": ["item"], "properties": {
                     "item": {"type": "string"}, "expand": {"type": "boolean"}}},
                 "response": {"pick": "/item"}},
                {"id": "raw", "name": "Raw", "method": "raw", "path": "raw", "query": "raw",
                 "headers": "raw", "body": "raw",
                 "input": {"type": "object", "properties": {
                     "method": {"type": "string"}, "url": {"type": "string"},
                     "query": {"type": "object"}, "headers": {"type": "object"},
                     "body": {"type": "string"}}}}
            ]
        })
    }

    #[test]
    fn a_good_descriptor_parses() {
        let d = ServiceIntegration::parse(&github_like()).unwrap();
        assert_eq!(d.operations.len(), 3);
        let op = d.operation("get-item").unwrap();
        assert_eq!(op.query, Fields::Names(vec!["expand".into()]));
        assert_eq!(d.operation("raw").unwrap().body, Fields::Raw);
        assert_eq!(
            d.auth.api_key.as_ref().unwrap().placement,
            KeyPlacement::Query
        );
        assert!(!d.connection_optional());
    }

    fn broken(edit: impl FnOnce(&mut Value)) -> String {
        let mut v = github_like();
        edit(&mut v);
        ServiceIntegration::parse(&v).unwrap_err()
    }

    #[test]
    fn bad_descriptors_are_refused_with_the_reason() {
        let e = broken(|v| v["operations"][0]["method"] = json!("FETCH"));
        assert!(e.contains("unknown variant `FETCH`"), "{e}");
        let e = broken(|v| v["operations"][1]["path"] = json!("/items/{nope}"));
        assert!(
            e.contains("uses `{nope}` but there is no input `nope`"),
            "{e}"
        );
        let e = broken(|v| v["operations"][1]["query"] = json!(["missing"]));
        assert!(e.contains("query sends `missing`"), "{e}");
        let e = broken(|v| v["operations"][1]["path"] = json!("items"));
        assert!(e.contains("must start with `/`"), "{e}");
        let e = broken(|v| v["operations"][0]["id"] = json!("get-item"));
        assert!(e.contains("used twice"), "{e}");
        let e = broken(|v| v["testOperation"] = json!("get-item"));
        assert!(e.contains("required inputs"), "{e}");
        let e = broken(|v| v["auth"]["kinds"] = json!(["bearer", "magic"]));
        assert!(e.contains("unknown variant `magic`"), "{e}");
        let e = broken(|v| v["auth"]["default"] = json!("basic"));
        assert!(e.contains("not one of auth.kinds"), "{e}");
        let e = broken(|v| v["baseUrl"] = json!("ftp://x"));
        assert!(e.contains("baseUrl must be an http or https URL"), "{e}");
        let e = broken(|v| v["operations"][1]["response"]["pick"] = json!("item"));
        assert!(e.contains("JSON pointer"), "{e}");
        let e = broken(|v| v["operations"][2]["input"]["properties"]["url"] = json!(null));
        assert!(e.contains("input"), "{e}");
        let e = broken(|v| v["operations"] = json!([]));
        assert!(e.contains("no operations"), "{e}");
        let e = broken(|v| v["surprise"] = json!(1));
        assert!(e.contains("unknown field `surprise`"), "{e}");
        let e = broken(|v| v["operations"][1]["headers"] = json!({"X-Item": "{gone}"}));
        assert!(e.contains("no input `gone`"), "{e}");
    }
}
