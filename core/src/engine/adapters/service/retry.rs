//! When to try a request again and how long to wait: 429, 5xx and connection errors are
//! retried with exponential backoff and jitter; a `Retry-After` (seconds or an HTTP date) wins
//! over the backoff; every wait is capped.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Extra attempts when a node does not say.
pub const DEFAULT_RETRIES: u32 = 2;
/// The first backoff; each further retry doubles it.
pub const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// The longest wait between attempts, `Retry-After` included.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Whether an answer with this status is worth another attempt.
pub fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The wait a `Retry-After` header asks for (seconds, or an HTTP date after `now`).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) is an RFC 2822 date.
    let at = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(at.timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A number in `[0.5, 1.0)` from the OS RNG (1.0 if it fails: no jitter beats no retry).
fn jitter() -> f64 {
    getrandom::u32().map_or(1.0, |r| {
        0.5 + f64::from(r) / (f64::from(u32::MAX) + 1.0) / 2.0
    })
}

/// The wait before retry number `retry` (0 for the first): `Retry-After` when given, else
/// `BACKOFF_BASE * 2^retry` scaled by a random half-to-whole, both capped at `MAX_DELAY`.
pub fn delay(retry: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(MAX_DELAY);
    }
    let exponential = BACKOFF_BASE.saturating_mul(1u32 << retry.min(16));
    exponential.min(MAX_DELAY).mul_f64(jitter())
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn statuses_worth_retrying() {
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(retryable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!retryable(StatusCode::NOT_FOUND));
        assert!(!retryable(StatusCode::UNAUTHORIZED));
        assert!(!retryable(StatusCode::OK));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, SystemTime::now()), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(
            retry_after(&headers, SystemTime::now()),
            Some(Duration::from_secs(3))
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        let before = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(retry_after(&headers, before), Some(Duration::from_secs(7)));
        let after = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_800);
        assert_eq!(retry_after(&headers, after), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, SystemTime::now()), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for retry in 0..4 {
            let full = BACKOFF_BASE * (1 << retry);
            let d = delay(retry, None);
            assert!(d >= full / 2 && d < full, "{retry}: {d:?}");
        }
        assert!(delay(30, None) <= MAX_DELAY);
        assert_eq!(
            delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(delay(0, Some(Duration::from_secs(3600))), MAX_DELAY);
    }
}
