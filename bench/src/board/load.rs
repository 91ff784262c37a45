//! Request load: a fixed number of keep-alive connections sending one GET after another.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::board::BenchError;
use crate::board::http::Connection;
use crate::percentile;

/// How long and how wide to load one endpoint.
#[derive(Debug, Clone, Copy)]
pub struct LoadShape {
    /// Concurrent connections.
    pub connections: usize,
    /// Requests before this long are not counted.
    pub warm_up: Duration,
    /// Requests counted for this long after the warm-up.
    pub measure: Duration,
}

/// What one endpoint sustained.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Requests counted: those sent after the warm-up (at least one per connection).
    pub requests: usize,
    /// Completed requests per second.
    pub per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
}

/// Loads `path_and_query` on `addr`; every answer must be 200 with `expected_len` bytes.
pub async fn run(
    addr: SocketAddr,
    token: &str,
    path_and_query: &str,
    expected_len: usize,
    shape: LoadShape,
) -> Result<LoadResult, BenchError> {
    let start = Instant::now();
    let counted_from = start + shape.warm_up;
    let until = counted_from + shape.measure;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..shape.connections {
        let token = token.to_owned();
        let path = path_and_query.to_owned();
        workers.spawn(async move {
            let mut connection = Connection::open(addr, &token).await?;
            let mut samples = Vec::new();
            loop {
                let sent = Instant::now();
                // An endpoint slower than the window still gets one counted request per
                // connection.
                if sent >= until && !samples.is_empty() {
                    break;
                }
                let response = connection.get(&path).await?;
                let took = sent.elapsed();
                if !response.status.is_success() || response.body.len() != expected_len {
                    return Err(BenchError::Http(format!(
                        "{path} answered {} with {} bytes (expected 200 with {expected_len})",
                        response.status,
                        response.body.len()
                    )));
                }
                if sent >= counted_from {
                    samples.push(took);
                }
                if samples.is_empty() && Instant::now() >= until + shape.measure * 20 {
                    return Err(BenchError::Http(format!(
                        "{path}: no request finished in {:?}",
                        shape.measure * 20
                    )));
                }
            }
            Ok::<_, BenchError>((samples, Instant::now()))
        });
    }
    let mut samples = Vec::new();
    let mut last_end = until;
    while let Some(joined) = workers.join_next().await {
        let (worker_samples, ended) =
            joined.map_err(|e| BenchError::Setup(format!("load worker: {e}")))??;
        samples.extend(worker_samples);
        last_end = last_end.max(ended);
    }
    samples.sort();
    // Requests in flight at the deadline finish after it: count the window up to the last one.
    let window = last_end.saturating_duration_since(counted_from);
    Ok(LoadResult {
        requests: samples.len(),
        per_second: samples.len() as f64 / window.as_secs_f64().max(1e-9),
        p50: percentile(&samples, 0.5),
        p99: percentile(&samples, 0.99),
    })
}
