//! Streaming an HTTP response body into a file: the one loop behind Model Hub downloads and the
//! `download` utility. It stops promptly on cancellation, reports progress at most once per
//! interval (and once at the end), optionally hashes what it writes, and syncs the file before
//! it returns.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

/// Where a transfer stands, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes received by this transfer.
    pub received: u64,
    /// Received bytes per second so far.
    pub rate_bps: f64,
}

/// How a body transfer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Streamed {
    /// The whole body was written (and synced).
    Finished {
        /// Bytes written by this transfer.
        received: u64,
        /// Lowercase hex SHA-256 of what was written, when hashing was asked for.
        sha256: Option<String>,
    },
    /// Cancelled; what arrived so far is written and synced.
    Cancelled,
}

/// Why a transfer failed (the message names the side that failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The connection or the server broke off.
    #[error("reading: {0}")]
    Read(String),
    /// The file could not be written.
    #[error("writing: {0}")]
    Write(String),
}

/// Writes `response`'s body to `file`. `on_progress` runs at most every `every` while data
/// arrives, and once more at the end of a finished transfer.
pub async fn stream_to_file(
    response: reqwest::Response,
    file: &mut tokio::fs::File,
    hash: bool,
    cancel: &CancellationToken,
    every: Duration,
    mut on_progress: impl FnMut(Progress),
) -> Result<Streamed, BodyError> {
    let mut hasher = hash.then(Sha256::new);
    let started = Instant::now();
    let mut last = Instant::now();
    let mut received: u64 = 0;
    let progress = |received: u64| Progress {
        received,
        rate_bps: received as f64 / started.elapsed().as_secs_f64().max(1e-3),
    };
    let mut body = response.bytes_stream();
    let cancelled = loop {
        let chunk = tokio::select! {
            () = cancel.cancelled() => break true,
            chunk = body.next() => chunk,
        };
        let Some(chunk) = chunk else { break false };
        let chunk = chunk.map_err(|e| BodyError::Read(e.to_string()))?;
        if let Some(hasher) = hasher.as_mut() {
            hasher.update(&chunk);
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| BodyError::Write(e.to_string()))?;
        received += chunk.len() as u64;
        if last.elapsed() >= every {
            last = Instant::now();
            on_progress(progress(received));
        }
    };
    file.flush()
        .await
        .and(file.sync_all().await)
        .map_err(|e| BodyError::Write(e.to_string()))?;
    if cancelled {
        return Ok(Streamed::Cancelled);
    }
    on_progress(progress(received));
    Ok(Streamed::Finished {
        received,
        sha256: hasher.map(hex_digest),
    })
}

/// The lowercase hex form of a finished SHA-256.
pub fn hex_digest(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
