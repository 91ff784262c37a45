//! The models in memory, most recently used first, and the least-recently-used eviction rule
//! that keeps them within `max_loaded_models` and the memory budget.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use llama_cpp_2::model::LlamaModel;

use flow_core::llm::{LoadedModel, ModelParams};
use flow_core::timestamp::rfc3339;

/// One loaded model. Generations hold an `Arc` to it, so evicting it from the set frees it
/// only once they finish.
pub struct ResidentModel {
    /// Its file name under `llms/`.
    pub name: String,
    /// The weights.
    pub model: LlamaModel,
    /// What it was loaded with.
    pub params: ModelParams,
    loaded_at: SystemTime,
    last_used: Mutex<SystemTime>,
    active: AtomicU32,
    /// llama.cpp may touch the model while making a context, so contexts are made one at a time.
    pub context_lock: Mutex<()>,
}

impl std::fmt::Debug for ResidentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResidentModel")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Counts a generation as running on a model while alive.
#[derive(Debug)]
pub struct InUse(Arc<ResidentModel>);

impl Drop for InUse {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ResidentModel {
    /// Wraps freshly loaded weights.
    pub fn new(name: String, model: LlamaModel, params: ModelParams) -> Self {
        let now = SystemTime::now();
        Self {
            name,
            model,
            params,
            loaded_at: now,
            last_used: Mutex::new(now),
            active: AtomicU32::new(0),
            context_lock: Mutex::new(()),
        }
    }

    /// Bytes of weights.
    pub fn size_bytes(&self) -> u64 {
        self.model.size()
    }

    /// Marks a generation starting on it.
    pub fn use_now(self: &Arc<Self>) -> InUse {
        *self
            .last_used
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = SystemTime::now();
        self.active.fetch_add(1, Ordering::Relaxed);
        InUse(self.clone())
    }

    /// Its status entry.
    pub fn info(&self) -> LoadedModel {
        let last_used = *self
            .last_used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        LoadedModel {
            model: self.name.clone(),
            size_bytes: self.size_bytes() as f64,
            parameters: self.model.n_params() as f64,
            context_length: self.model.n_ctx_train(),
            params: self.params.clone(),
            loaded_at: rfc3339(self.loaded_at),
            last_used_at: rfc3339(last_used),
            active_requests: self.active.load(Ordering::Relaxed),
        }
    }
}

/// Which of the resident models (most recently used first, with their sizes) must go so that
/// one more of `incoming_bytes` fits: fewer than `max_models` stay, and all of them together
/// with the new one stay within `budget_bytes`. The least recently used go first; a model that
/// alone exceeds the budget still loads once the others are gone.
pub fn to_evict(
    resident: &[(String, u64)],
    incoming_bytes: u64,
    max_models: usize,
    budget_bytes: u64,
) -> Vec<String> {
    let mut keep = resident.len();
    let total = |n: usize| -> u64 { resident[..n].iter().map(|(_, b)| *b).sum::<u64>() };
    while keep > 0
        && (keep + 1 > max_models.max(1)
            || total(keep).saturating_add(incoming_bytes) > budget_bytes)
    {
        keep -= 1;
    }
    resident[keep..].iter().map(|(n, _)| n.clone()).collect()
}

/// The memory budget for loaded models: half of the machine's memory (the rest is for contexts,
/// the server and everything else), or 8 GiB when the total cannot be read.
pub fn default_budget_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .map(|kib| kib * 1024 / 2)
        .unwrap_or(8 << 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(&str, u64)]) -> Vec<(String, u64)> {
        items.iter().map(|(n, b)| ((*n).to_owned(), *b)).collect()
    }

    #[test]
    fn the_least_recently_used_go_first_when_the_count_is_full() {
        let resident = set(&[("b", 10), ("a", 10)]);
        assert_eq!(to_evict(&resident, 10, 2, 1000), vec!["a".to_owned()]);
        assert_eq!(
            to_evict(&resident, 10, 1, 1000),
            vec!["b".to_owned(), "a".to_owned()]
        );
        assert!(to_evict(&resident, 10, 3, 1000).is_empty());
    }

    #[test]
    fn the_memory_budget_evicts_until_the_new_model_fits() {
        let resident = set(&[("c", 40), ("b", 40), ("a", 40)]);
        assert_eq!(
            to_evict(&resident, 30, 8, 100),
            vec!["b".to_owned(), "a".to_owned()]
        );
        // Too big for any budget: everything else goes, the model still loads.
        assert_eq!(to_evict(&resident, 500, 8, 100).len(), 3);
    }
}
