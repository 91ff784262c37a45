//! Where generations run: one long-lived thread that takes requests while it is free, and a
//! short-lived thread for each request that arrives while it is busy.
//!
//! Why not a thread per request: llama.cpp computes with OpenMP, which starts a team of worker
//! threads for each thread that calls it, so a fresh thread pays for a new team before its first
//! token. Why not a fixed pool: libgomp throttles spin-waiting once a process holds more OpenMP
//! threads than CPUs, and idle teams count, so teams kept for concurrency that is not in use
//! would slow every generation (measured: about 40% on 2 cores; see `BENCHMARKS.md`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use flow_core::AppError;

type Work = Box<dyn FnOnce() + Send>;

/// The generation threads of one runtime.
#[derive(Debug, Default)]
pub struct GenerationThreads {
    warm: Mutex<Option<Sender<Work>>>,
    busy: Arc<AtomicBool>,
}

impl GenerationThreads {
    /// Runs `work` on the long-lived thread if it is free, else on a new thread.
    pub fn run(&self, work: impl FnOnce() + Send + 'static) -> Result<(), AppError> {
        if self
            .busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            let mut warm = self.warm.lock().unwrap_or_else(PoisonError::into_inner);
            if warm.is_none() {
                *warm = Some(self.start_warm()?);
            }
            if let Some(tx) = warm.as_ref() {
                match tx.send(Box::new(work)) {
                    Ok(()) => return Ok(()),
                    Err(returned) => {
                        // The thread is gone (it cannot panic out of its loop, but be safe):
                        // forget it and run this request on a thread of its own.
                        *warm = None;
                        self.busy.store(false, Ordering::Release);
                        return spawn(returned.0);
                    }
                }
            }
        }
        spawn(Box::new(work))
    }

    fn start_warm(&self) -> Result<Sender<Work>, AppError> {
        let (tx, rx) = channel::<Work>();
        let busy = self.busy.clone();
        std::thread::Builder::new()
            .name("llm-generate".into())
            .spawn(move || {
                // Ends when the runtime (and with it the sender) is dropped.
                while let Ok(work) = rx.recv() {
                    work();
                    busy.store(false, Ordering::Release);
                }
            })
            .map_err(|e| AppError::Internal(format!("starting the generation thread: {e}")))?;
        Ok(tx)
    }
}

fn spawn(work: Work) -> Result<(), AppError> {
    std::thread::Builder::new()
        .name("llm-generate-extra".into())
        .spawn(work)
        .map(drop)
        .map_err(|e| AppError::Internal(format!("starting a generation thread: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_owned()
    }

    #[test]
    fn the_warm_thread_is_reused_and_overflow_gets_its_own() {
        let threads = GenerationThreads::default();
        let (tx, rx) = channel();
        let (release_tx, release_rx) = channel::<()>();
        let first = tx.clone();
        threads
            .run(move || {
                first.send(thread_name()).unwrap();
                release_rx.recv().unwrap();
            })
            .unwrap();
        assert_eq!(rx.recv().unwrap(), "llm-generate");
        // Busy: the next one runs beside it.
        let second = tx.clone();
        threads
            .run(move || second.send(thread_name()).unwrap())
            .unwrap();
        assert_eq!(rx.recv().unwrap(), "llm-generate-extra");
        release_tx.send(()).unwrap();
        while threads.busy.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        threads
            .run(move || tx.send(thread_name()).unwrap())
            .unwrap();
        assert_eq!(rx.recv().unwrap(), "llm-generate");
    }
}
