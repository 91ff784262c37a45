//! The one HTTP client for outbound service calls (service nodes, cloud AI providers,
//! connection tests): rustls, a bounded connection pool, and no proxy taken from the
//! environment (a stray `HTTPS_PROXY` must not silently reroute calls that carry credentials).

use std::sync::LazyLock;
use std::time::Duration;

use crate::AppError;

/// How long opening a TCP and TLS connection may take (a request's own timeout bounds the rest).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle keep-alive connections kept per host.
pub const POOL_IDLE_PER_HOST: usize = 16;
/// How long an idle pooled connection is kept.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirects followed (reqwest drops `Authorization` on a redirect to another host).
pub const MAX_REDIRECTS: usize = 5;

/// The client settings every outbound call uses; the benchmark builds its bare client from it.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .user_agent(concat!("Flow/", env!("CARGO_PKG_VERSION")))
}

static CLIENT: LazyLock<Result<reqwest::Client, String>> =
    LazyLock::new(|| builder().build().map_err(|e| e.to_string()));

/// The shared client (built once; its pool is reused by every request).
pub fn http_client() -> Result<&'static reqwest::Client, AppError> {
    CLIENT
        .as_ref()
        .map_err(|e| AppError::Internal(format!("building the HTTP client failed: {e}")))
}
