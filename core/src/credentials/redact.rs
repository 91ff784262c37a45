//! The one redaction step: every secret the process has handled is replaced by `***` in text
//! that leaves the engine (node output, log lines, errors, run history, events).

use std::borrow::Cow;
use std::sync::RwLock;

use aho_corasick::AhoCorasick;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Secrets shorter than this are not matched: masking every "abc" in every log line would hide
/// more than it protects, and such a secret is not worth the name anyway.
pub const MIN_REDACTED_LEN: usize = 4;

#[derive(Default)]
struct Patterns {
    values: Vec<String>,
    matcher: Option<AhoCorasick>,
}

/// The set of secret values to mask, grown as secrets are stored or resolved.
#[derive(Default)]
pub struct Redactor {
    patterns: RwLock<Patterns>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(***)")
    }
}

impl Redactor {
    /// Adds secret values (and the forms they travel in: URL-encoded, base64) to the set.
    pub fn register<I: IntoIterator<Item = String>>(&self, values: I) {
        let mut fresh: Vec<String> = Vec::new();
        for value in values {
            if value.len() < MIN_REDACTED_LEN {
                continue;
            }
            let encoded = url_encode(&value);
            if encoded != value {
                fresh.push(encoded);
            }
            fresh.push(value);
        }
        if fresh.is_empty() {
            return;
        }
        let mut patterns = self
            .patterns
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = patterns.values.len();
        for value in fresh {
            if !patterns.values.contains(&value) {
                patterns.values.push(value);
            }
        }
        if patterns.values.len() == before {
            return;
        }
        // Longest first, so a secret that contains another is masked whole.
        patterns.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        patterns.matcher = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&patterns.values)
            .inspect_err(|err| tracing::error!(%err, "building the redaction matcher failed"))
            .ok();
    }

    /// Also masks the `base64(user:password)` that basic auth sends.
    pub fn register_basic(&self, username: &str, password: &str) {
        use base64::Engine as _;
        let pair =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        self.register([password.to_owned(), pair]);
    }

    /// Whether any secret is known (the fast path skips all work when none is).
    pub fn is_empty(&self) -> bool {
        self.patterns
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .matcher
            .is_none()
    }

    /// `text` with every known secret replaced by [`MASK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let patterns = self
            .patterns
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &patterns.matcher {
            Some(m) if m.is_match(text) => {
                let masks = vec![MASK; patterns.values.len()];
                Cow::Owned(m.replace_all(text, &masks))
            }
            _ => Cow::Borrowed(text),
        }
    }

    /// Masks every string (keys included) inside a JSON value, in place; `true` when anything
    /// was masked.
    pub fn redact_json(&self, value: &mut serde_json::Value) -> bool {
        if self.is_empty() {
            return false;
        }
        self.redact_json_inner(value)
    }

    fn redact_json_inner(&self, value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => match self.redact(s) {
                Cow::Owned(masked) => {
                    *s = masked;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            // Every element is visited (no short circuit): each may hold a secret.
            serde_json::Value::Array(items) => items
                .iter_mut()
                .map(|v| self.redact_json_inner(v))
                .fold(false, |changed, this| changed | this),
            serde_json::Value::Object(map) => {
                let needs_key_change = map.keys().any(|k| matches!(self.redact(k), Cow::Owned(_)));
                if needs_key_change {
                    let old = std::mem::take(map);
                    for (k, v) in old {
                        map.insert(self.redact(&k).into_owned(), v);
                    }
                }
                map.values_mut().fold(needs_key_change, |changed, v| {
                    self.redact_json_inner(v) || changed
                })
            }
            _ => false,
        }
    }
}

/// Percent-encodes everything but the URL-unreserved characters, as query strings carry a key.
fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_known_secret_and_its_url_form() {
        let r = Redactor::default();
        assert!(r.is_empty());
        assert!(matches!(r.redact("nothing to hide"), Cow::Borrowed(_)));
        r.register(["s3cr3t/token+x".to_owned(), "abc".to_owned()]);
        assert_eq!(r.redact("a s3cr3t/token+x b"), "a *** b");
        assert_eq!(r.redact("?key=s3cr3t%2Ftoken%2Bx&"), "?key=***&");
        assert_eq!(r.redact("abc stays"), "abc stays", "too short to mask");
    }

    #[test]
    fn longest_secret_wins_and_json_is_walked() {
        let r = Redactor::default();
        r.register(["token".to_owned(), "token-extended".to_owned()]);
        let mut v = serde_json::json!({"out": ["x token-extended y"], "token": 1});
        assert!(r.redact_json(&mut v));
        assert_eq!(v, serde_json::json!({"out": ["x *** y"], "***": 1}));
    }

    #[test]
    fn basic_auth_pair_is_masked() {
        let r = Redactor::default();
        r.register_basic("alice", "hunter22");
        assert_eq!(
            r.redact("Authorization: Basic YWxpY2U6aHVudGVyMjI="),
            "Authorization: Basic ***"
        );
    }
}
