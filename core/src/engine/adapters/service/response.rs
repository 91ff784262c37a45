//! Reading an answer: the body up to a size cap, parsed as JSON when it says it is JSON, and
//! the `{status, headers, body}` output a service node produces.

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use serde_json::{Map, Value, json};

use crate::services::ResponseSpec;

/// The largest answer a node accepts when it does not say (10 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How much of a non-JSON error answer a failure message quotes.
const QUOTED_CHARS: usize = 200;

/// An answer, read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lowercase; repeated headers joined with `, `.
    pub headers: Map<String, Value>,
    /// Parsed JSON when the content type is JSON (and it parses), else the text.
    pub body: Value,
}

/// Reading the body failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// It is longer than the cap.
    #[error("the answer is larger than maxResponseBytes ({limit} bytes)")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// The connection broke or timed out mid-body.
    #[error("reading the answer failed: {0}")]
    Broken(String),
}

fn headers_json(headers: &HeaderMap) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&text);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(text));
            }
        }
    }
    out
}

/// Whether a `Content-Type` names JSON (`application/json`, `application/problem+json`, …).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|e| e == "application/json" || e.ends_with("+json"))
}

/// Parses a body: JSON for JSON content types (text if it does not parse), else text.
pub fn parse_body(headers: &HeaderMap, bytes: &[u8]) -> Value {
    if is_json(headers) {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Value::Null;
        }
        if let Ok(value) = serde_json::from_slice(bytes) {
            return value;
        }
    }
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// Reads `response` whole, refusing more than `limit` bytes (checked against `Content-Length`
/// first, then while streaming, so a huge body is never buffered).
pub async fn read(mut response: reqwest::Response, limit: u64) -> Result<Answer, ReadError> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes: Vec<u8> =
        Vec::with_capacity(usize::try_from(declared.unwrap_or(0).min(limit)).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ReadError::Broken(super::describe(&e)))?
    {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(ReadError::TooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        body: parse_body(&headers, &bytes),
        headers: headers_json(&headers),
    })
}

fn pointer<'a>(body: &'a Value, pointer: &Option<String>) -> Option<&'a Value> {
    pointer.as_deref().and_then(|p| body.pointer(p))
}

impl Answer {
    /// The node's output: `{status, headers, body}`, `body` narrowed to `spec.pick` when set.
    pub fn output(&self, spec: &ResponseSpec) -> Value {
        let body = match &spec.pick {
            Some(p) => self.body.pointer(p).cloned().unwrap_or(Value::Null),
            None => self.body.clone(),
        };
        json!({"status": self.status, "headers": self.headers, "body": body})
    }

    /// The service's own words for what went wrong, if it gave any.
    pub fn error_text(&self, spec: &ResponseSpec) -> Option<String> {
        let from = |v: &Value| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        };
        pointer(&self.body, &spec.error)
            .and_then(from)
            .or_else(|| self.body.pointer("/message").and_then(from))
            .or_else(|| self.body.pointer("/error/message").and_then(from))
            .or_else(|| self.body.pointer("/error").and_then(from))
            .or_else(|| match &self.body {
                Value::String(text) if !text.trim().is_empty() => {
                    let mut quoted: String = text.trim().chars().take(QUOTED_CHARS).collect();
                    if text.trim().chars().count() > QUOTED_CHARS {
                        quoted.push('…');
                    }
                    Some(quoted)
                }
                _ => None,
            })
    }

    /// A 2xx whose `spec.ok` pointer (when set) holds `true`.
    pub fn succeeded(&self, spec: &ResponseSpec) -> bool {
        (200..300).contains(&self.status)
            && spec
                .ok
                .as_ref()
                .is_none_or(|p| self.body.pointer(p) == Some(&Value::Bool(true)))
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        h
    }

    #[test]
    fn bodies_parse_by_content_type() {
        assert_eq!(parse_body(&json_headers(), br#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(parse_body(&json_headers(), b"  "), Value::Null);
        assert_eq!(parse_body(&json_headers(), b"not json"), json!("not json"));
        assert_eq!(
            parse_body(&HeaderMap::new(), br#"{"a":1}"#),
            json!(r#"{"a":1}"#)
        );
        let mut problem = HeaderMap::new();
        problem.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        assert!(is_json(&problem));
    }

    #[test]
    fn output_picks_and_errors_quote_the_service() {
        let answer = Answer {
            status: 200,
            headers: Map::new(),
            body: json!({"ok": false, "error": "channel_not_found", "channels": [1]}),
        };
        let slack = ResponseSpec {
            pick: Some("/channels".into()),
            ok: Some("/ok".into()),
            error: Some("/error".into()),
        };
        assert_eq!(answer.output(&slack)["body"], json!([1]));
        assert!(!answer.succeeded(&slack));
        assert!(answer.succeeded(&ResponseSpec::default()));
        assert_eq!(
            answer.error_text(&slack).as_deref(),
            Some("channel_not_found")
        );
        let text = Answer {
            status: 500,
            headers: Map::new(),
            body: json!("x".repeat(300)),
        };
        assert_eq!(
            text.error_text(&ResponseSpec::default())
                .unwrap()
                .chars()
                .count(),
            201
        );
    }
}
