//! The bounded inference queue: at most `ai_inference_concurrency` generations at once, the
//! rest wait in arrival order until a slot frees or their wait times out.
//!
//! The limit is read on every acquire, so a settings change applies to the next request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

#[derive(Debug, Default)]
struct State {
    active: u32,
    waiting: VecDeque<(u64, oneshot::Sender<()>)>,
    next_ticket: u64,
}

/// Inference slots shared by every caller of one runtime.
#[derive(Debug, Default, Clone)]
pub struct InferenceQueue {
    state: Arc<Mutex<State>>,
}

/// A held slot; dropping it hands the slot to the next waiter.
#[derive(Debug)]
pub struct Slot {
    state: Arc<Mutex<State>>,
}

/// Why a request got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "waited {waited_ms} ms for an inference slot ({limit} in use); try again or raise `ai_inference_concurrency`"
)]
pub struct QueueTimeout {
    /// How long it waited.
    pub waited_ms: u64,
    /// The concurrency limit at the time.
    pub limit: u32,
}

impl InferenceQueue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Generations holding a slot now.
    pub fn active(&self) -> u32 {
        self.lock().active
    }

    /// Requests waiting for a slot now.
    pub fn waiting(&self) -> u32 {
        u32::try_from(self.lock().waiting.len()).unwrap_or(u32::MAX)
    }

    /// Waits for a slot, first come first served, for at most `timeout`.
    pub async fn acquire(&self, limit: u32, timeout: Duration) -> Result<Slot, QueueTimeout> {
        let limit = limit.max(1);
        let (ticket, rx) = {
            let mut state = self.lock();
            if state.active < limit && state.waiting.is_empty() {
                state.active += 1;
                return Ok(self.slot());
            }
            let (tx, rx) = oneshot::channel();
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.waiting.push_back((ticket, tx));
            (ticket, rx)
        };
        match tokio::time::timeout(timeout, rx).await {
            // The releaser counted us as active before it woke us.
            Ok(Ok(())) => Ok(self.slot()),
            Ok(Err(_)) | Err(_) => {
                let mut state = self.lock();
                let before = state.waiting.len();
                state.waiting.retain(|(t, _)| *t != ticket);
                if state.waiting.len() == before {
                    // Handed a slot in the same instant the wait ran out: keep it.
                    return Ok(self.slot());
                }
                Err(QueueTimeout {
                    waited_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                    limit,
                })
            }
        }
    }

    fn slot(&self) -> Slot {
        Slot {
            state: self.state.clone(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Hand the slot straight to the oldest live waiter, so `active` never dips and lets a
        // newcomer jump the queue.
        while let Some((_, tx)) = state.waiting.pop_front() {
            if tx.send(()).is_ok() {
                return;
            }
        }
        state.active = state.active.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_times_out_and_a_freed_slot_goes_to_the_oldest_waiter() {
        let queue = InferenceQueue::default();
        let first = queue.acquire(1, Duration::from_secs(1)).await.unwrap();
        let err = queue
            .acquire(1, Duration::from_millis(20))
            .await
            .unwrap_err();
        assert_eq!(err.limit, 1);
        assert_eq!(queue.waiting(), 0, "a timed-out waiter leaves the queue");

        let q = queue.clone();
        let waiter = tokio::spawn(async move { q.acquire(1, Duration::from_secs(5)).await });
        while queue.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        drop(first);
        let second = waiter.await.unwrap().unwrap();
        assert_eq!(queue.active(), 1);
        drop(second);
        assert_eq!(queue.active(), 0);
    }

    #[tokio::test]
    async fn the_limit_allows_that_many_at_once() {
        let queue = InferenceQueue::default();
        let a = queue.acquire(2, Duration::from_millis(10)).await.unwrap();
        let b = queue.acquire(2, Duration::from_millis(10)).await.unwrap();
        assert!(queue.acquire(2, Duration::from_millis(10)).await.is_err());
        drop((a, b));
        assert_eq!(queue.active(), 0);
    }
}
