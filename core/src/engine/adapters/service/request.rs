//! From a descriptor's operation and a node's inputs to one concrete request: method, URL (path
//! placeholders percent-encoded, query parameters), headers and body.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::services::template::{encode_segment, fill};
use crate::services::{Fields, Headers, Method, Operation, ServiceIntegration};

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Sent as `application/json`.
    Json(Value),
    /// Sent as it is (`text/plain` unless a `Content-Type` header says otherwise).
    Text(String),
}

/// One request, ready to send (auth is added per attempt).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The method.
    pub method: reqwest::Method,
    /// The URL with its query.
    pub url: reqwest::Url,
    /// Headers from the descriptor and the node.
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Body>,
}

fn present<'a>(inputs: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    inputs.get(name).filter(|v| !v.is_null())
}

/// An input as URL or header text: strings as they are, other JSON as JSON text.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a header name"))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| format!("header `{name}` has a value that cannot be sent"))?;
    Ok((name, value))
}

fn method(op: &Operation, inputs: &Map<String, Value>) -> Result<reqwest::Method, String> {
    if let Some(fixed) = op.method.http() {
        return Ok(fixed);
    }
    let name = present(inputs, "method")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !Method::NAMES.contains(&name.as_str()) {
        return Err(format!(
            "`method` must be one of {}, got {name:?}",
            Method::NAMES.join(", ")
        ));
    }
    reqwest::Method::from_bytes(name.as_bytes()).map_err(|e| e.to_string())
}

fn parse_http_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("{text:?} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{text:?} is not an http or https URL"));
    }
    Ok(url)
}

fn join(base: &str, path: &str) -> Result<reqwest::Url, String> {
    parse_http_url(&format!("{}{path}", base.trim_end_matches('/')))
}

fn url(
    integration: &ServiceIntegration,
    op: &Operation,
    inputs: &Map<String, Value>,
    base: Option<&str>,
) -> Result<reqwest::Url, String> {
    if op.path == "raw" {
        let given = present(inputs, "url")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or("`url` is required")?;
        return match base {
            Some(base) if given.starts_with('/') => join(base, given),
            _ if given.starts_with('/') => Err(format!(
                "`url` {given:?} is a path, and the connection has no base URL to join it to"
            )),
            _ => parse_http_url(given),
        };
    }
    let base = base.ok_or_else(|| {
        format!(
            "{} has no base URL; set one on the connection",
            integration.name
        )
    })?;
    let value = |name: &str| {
        present(inputs, name)
            .map(as_text)
            .filter(|s| !s.trim().is_empty())
    };
    let path = fill(&op.path, value, encode_segment)
        .map_err(|missing| format!("`{missing}` is required by {}", op.name))?;
    join(base, &path)
}

fn query(
    url: &mut reqwest::Url,
    op: &Operation,
    inputs: &Map<String, Value>,
) -> Result<(), String> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, value: &Value| match value {
        Value::Null => {}
        // A list is the parameter repeated, as most APIs read `a=1&a=2`.
        Value::Array(items) => {
            for item in items.iter().filter(|v| !v.is_null()) {
                pairs.push((name.to_owned(), as_text(item)));
            }
        }
        other => pairs.push((name.to_owned(), as_text(other))),
    };
    match &op.query {
        Fields::None => {}
        Fields::Names(names) => {
            for name in names {
                if let Some(value) = present(inputs, name) {
                    push(name, value);
                }
            }
        }
        Fields::Raw => match present(inputs, "query") {
            None => {}
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    push(name, value);
                }
            }
            Some(other) => return Err(format!("`query` must be an object, got {other}")),
        },
    }
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(())
}

fn headers(
    integration: &ServiceIntegration,
    op: &Operation,
    inputs: &Map<String, Value>,
) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in &integration.headers {
        let (name, value) = header(name, value)?;
        map.insert(name, value);
    }
    match &op.headers {
        Headers::Fixed(fixed) => {
            for (name, template) in fixed {
                let value = |input: &str| present(inputs, input).map(as_text);
                let filled = fill(template, value, str::to_owned)
                    .map_err(|missing| format!("`{missing}` is required by {}", op.name))?;
                let (name, value) = header(name, &filled)?;
                map.insert(name, value);
            }
        }
        Headers::Raw => match present(inputs, "headers") {
            None => {}
            Some(Value::Object(given)) => {
                for (name, value) in given {
                    if value.is_null() {
                        continue;
                    }
                    let (name, value) = header(name, &as_text(value))?;
                    map.insert(name, value);
                }
            }
            Some(other) => return Err(format!("`headers` must be an object, got {other}")),
        },
    }
    Ok(map)
}

fn body(op: &Operation, inputs: &Map<String, Value>, headers: &mut HeaderMap) -> Option<Body> {
    match &op.body {
        Fields::None => None,
        Fields::Names(names) => {
            let fields: Map<String, Value> = names
                .iter()
                .filter_map(|n| present(inputs, n).map(|v| (n.clone(), v.clone())))
                .collect();
            Some(Body::Json(Value::Object(fields)))
        }
        Fields::Raw => match present(inputs, "body")? {
            Value::String(text) => {
                // Text that is a JSON document goes as JSON unless the node said otherwise.
                let is_json = serde_json::from_str::<Value>(text)
                    .is_ok_and(|v| v.is_object() || v.is_array());
                if !headers.contains_key(CONTENT_TYPE) {
                    let kind = if is_json {
                        "application/json"
                    } else {
                        "text/plain; charset=utf-8"
                    };
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
                }
                Some(Body::Text(text.clone()))
            }
            other => Some(Body::Json(other.clone())),
        },
    }
}

/// The request `op` makes with these inputs; `base` is the connection's base URL, else the
/// descriptor's. Errors say which input is missing or wrong.
pub fn prepare(
    integration: &ServiceIntegration,
    op: &Operation,
    inputs: &Map<String, Value>,
    base: Option<&str>,
) -> Result<Prepared, String> {
    let method = method(op, inputs)?;
    let mut url = url(integration, op, inputs, base)?;
    query(&mut url, op, inputs)?;
    let mut headers = headers(integration, op, inputs)?;
    let body = body(op, inputs, &mut headers);
    Ok(Prepared {
        method,
        url,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::nodes::builtin_entry;
    use crate::services::check_entry;

    fn descriptor(slug: &str) -> ServiceIntegration {
        check_entry(builtin_entry(slug).unwrap()).unwrap().unwrap()
    }

    fn prep(slug: &str, op: &str, inputs: Value, base: Option<&str>) -> Result<Prepared, String> {
        let d = descriptor(slug);
        let op = d.operation(op).unwrap().clone();
        let base = base.or(d.base_url.as_deref()).map(str::to_owned);
        prepare(&d, &op, inputs.as_object().unwrap(), base.as_deref())
    }

    #[test]
    fn github_list_issues_fills_the_path_and_query() {
        let p = prep(
            "service-github",
            "list-issues",
            json!({"owner": "rust lang", "repo": "a/b", "state": "all", "per_page": 5}),
            None,
        )
        .unwrap();
        assert_eq!(p.method, reqwest::Method::GET);
        assert_eq!(
            p.url.as_str(),
            "https://api.github.com/repos/rust%20lang/a%2Fb/issues?state=all&per_page=5"
        );
        assert_eq!(p.headers["x-github-api-version"], "2022-11-28");
        assert!(p.body.is_none());
        let e = prep("service-github", "list-issues", json!({"owner": "o"}), None).unwrap_err();
        assert_eq!(e, "`repo` is required by List issues");
    }

    #[test]
    fn github_create_issue_sends_the_named_inputs_as_json() {
        let p = prep(
            "service-github",
            "create-issue",
            json!({"owner": "o", "repo": "r", "title": "T", "labels": ["bug"], "state": "x"}),
            Some("http://127.0.0.1:9/api/"),
        )
        .unwrap();
        assert_eq!(p.url.as_str(), "http://127.0.0.1:9/api/repos/o/r/issues");
        assert_eq!(
            p.body,
            Some(Body::Json(json!({"title": "T", "labels": ["bug"]})))
        );
    }

    #[test]
    fn the_http_request_takes_everything_from_its_inputs() {
        let p = prep(
            "service-http-request",
            "request",
            json!({"method": "post", "url": "https://example.com/x?a=1",
                   "query": {"b": 2, "c": ["x", "y"]}, "headers": {"X-One": "1"},
                   "body": "{\"k\": true}"}),
            None,
        )
        .unwrap();
        assert_eq!(p.method, reqwest::Method::POST);
        assert_eq!(p.url.as_str(), "https://example.com/x?a=1&b=2&c=x&c=y");
        assert_eq!(p.headers["x-one"], "1");
        assert_eq!(p.headers["content-type"], "application/json");
        assert_eq!(p.body, Some(Body::Text("{\"k\": true}".into())));
        let p = prep(
            "service-http-request",
            "request",
            json!({"url": "/health", "body": "plain words"}),
            Some("http://127.0.0.1:8080"),
        )
        .unwrap();
        assert_eq!(p.url.as_str(), "http://127.0.0.1:8080/health");
        assert_eq!(p.headers["content-type"], "text/plain; charset=utf-8");
        let e = prep(
            "service-http-request",
            "request",
            json!({"url": "/x"}),
            None,
        )
        .unwrap_err();
        assert!(e.contains("no base URL"), "{e}");
        let e = prep(
            "service-http-request",
            "request",
            json!({"url": "ftp://x/y"}),
            None,
        )
        .unwrap_err();
        assert!(e.contains("not an http or https URL"), "{e}");
        let e = prep(
            "service-http-request",
            "request",
            json!({"url": "https://x", "method": "BREW"}),
            None,
        )
        .unwrap_err();
        assert!(e.contains("`method` must be one of"), "{e}");
    }
}
