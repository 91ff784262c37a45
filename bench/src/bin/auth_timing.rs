//! Does a wrong token's answer time depend on how much of it is right? Wrong tokens that share
//! none, half, or all but the last character of the real one (plus one of the wrong length) are
//! sent to a gated route over loopback, interleaved round-robin on one keep-alive connection so
//! drift hits every variant alike; the right token is timed too. Prints each variant's median and
//! p90, and how far the wrong-token medians lie apart.
//!
//! Knob: `AUTH_TIMING_ROUNDS` (requests per variant, default 20000).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::{Duration, Instant};

use flow_bench::percentile;

use flow_core::AppError;

const TOKEN: &str = "bench-auth-timing-token-0123456789abcdef";

fn err(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{context}: {e}"))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let rounds: usize = std::env::var("AUTH_TIMING_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let scratch = flow_bench::Scratch::new()?;
    let app = scratch.open()?;
    let (base, shutdown) = flow_bench::serve_loopback(app, &scratch, TOKEN).await?;
    let url = format!("{base}/api/invoke/settings_get");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .map_err(|e| err("client", e))?;

    let len = TOKEN.len();
    let flip = |keep: usize| -> String {
        TOKEN
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i < keep {
                    c
                } else if c == 'z' {
                    'y'
                } else {
                    'z'
                }
            })
            .collect()
    };
    let variants: Vec<(&str, String, u16)> = vec![
        ("wrong from the first character", flip(0), 401),
        ("right for the first half", flip(len / 2), 401),
        ("right but for the last character", flip(len - 1), 401),
        (
            "a prefix of the token (one short)",
            TOKEN[..len - 1].to_owned(),
            401,
        ),
        ("the right token", TOKEN.to_owned(), 200),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); variants.len()];
    // Warm up the connection and the code paths.
    for round in 0..(rounds / 10).max(200) + rounds {
        for (i, (_, token, expected)) in variants.iter().enumerate() {
            let started = Instant::now();
            let response = client
                .post(&url)
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| err("request", e))?;
            let status = response.status().as_u16();
            response.bytes().await.map_err(|e| err("body", e))?;
            let took = started.elapsed();
            if status != *expected {
                return Err(AppError::Internal(format!(
                    "{}: HTTP {status}, expected {expected}",
                    variants[i].0
                )));
            }
            if round >= (rounds / 10).max(200) {
                times[i].push(took);
            }
        }
    }
    println!("auth timing: {rounds} requests per variant, interleaved, one keep-alive connection");
    println!("| token | median µs | p90 µs |");
    println!("|---|---:|---:|");
    let mut medians = Vec::new();
    for ((name, _, expected), samples) in variants.iter().zip(times.iter_mut()) {
        samples.sort();
        let median = percentile(samples, 0.5);
        println!(
            "| {name} | {:.1} | {:.1} |",
            micros(median),
            micros(percentile(samples, 0.9))
        );
        if *expected == 401 {
            medians.push(micros(median));
        }
    }
    let low = medians.iter().copied().fold(f64::INFINITY, f64::min);
    let high = medians.iter().copied().fold(0.0, f64::max);
    println!(
        "wrong-token medians span {:.1} µs ({:.1}% of the fastest)",
        high - low,
        (high - low) / low * 100.0
    );
    shutdown.cancel();
    Ok(())
}
