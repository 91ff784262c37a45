//! Shared measurement code for Flow's benchmark binaries (`cargo run --release -p flow-bench --bin <name>`).

use std::time::{Duration, Instant};

/// Runs `work` `iterations` times and returns each run's duration, sorted ascending.
pub fn sample<F: FnMut()>(iterations: usize, mut work: F) -> Vec<Duration> {
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples
}

/// The `p`-th percentile (0.0..=1.0) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let last = sorted.len() - 1;
    // Rounding to the nearest rank is the usual definition for small sample counts.
    let rank = ((last as f64) * p.clamp(0.0, 1.0)).round() as usize;
    sorted[rank.min(last)]
}
