//! Ids for things made at run time (runs, agentic jobs): `<prefix>-<unix ms>-<count><mix>`,
//! unique within a process and ordered by time across processes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// A fresh id: `<prefix>-<unix ms>-<counter mixed with the clock>`.
pub fn fresh_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mixed =
        (u64::from(now.subsec_nanos()) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15)) & 0xff_ffff;
    format!("{prefix}-{}-{count}{mixed:06x}", now.as_millis())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = super::fresh_id("run");
        let b = super::fresh_id("run");
        assert!(a.starts_with("run-"));
        assert_ne!(a, b);
    }
}
