//! Proposals waiting for a person, held in memory: a decision is needed while the person is
//! here, and every proposal is also in the audit log (with the flow before and after) for later.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use super::types::{Proposal, ProposalStatus};
use crate::AppError;

/// How many proposals are kept (decided ones included); the oldest go first.
const KEPT: usize = 64;

/// The app's proposals.
#[derive(Debug, Default)]
pub struct Proposals {
    kept: Mutex<VecDeque<Proposal>>,
}

impl Proposals {
    /// Keeps a new proposal.
    pub fn insert(&self, proposal: Proposal) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() == KEPT {
            // Drop a decided one first, so a pending proposal survives a burst of others.
            let at = kept
                .iter()
                .position(|p| p.status != ProposalStatus::Pending)
                .unwrap_or(0);
            kept.remove(at);
        }
        kept.push_back(proposal);
    }

    /// One proposal by id.
    pub fn get(&self, id: &str) -> Result<Proposal, AppError> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("no proposal `{id}`")))
    }

    /// Every proposal of a flow (all flows when `None`), newest first.
    pub fn list(&self, flow_slug: Option<&str>) -> Vec<Proposal> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .rev()
            .filter(|p| flow_slug.is_none_or(|s| p.flow_slug == s))
            .cloned()
            .collect()
    }

    /// Marks a pending proposal decided and returns it as it was; deciding twice is a conflict.
    pub fn decide(&self, id: &str, status: ProposalStatus) -> Result<Proposal, AppError> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let proposal = kept
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no proposal `{id}`")))?;
        if proposal.status != ProposalStatus::Pending {
            return Err(AppError::Conflict(format!(
                "proposal `{id}` was already {}",
                match proposal.status {
                    ProposalStatus::Accepted => "accepted",
                    _ => "rejected",
                }
            )));
        }
        let before = proposal.clone();
        proposal.status = status;
        Ok(before)
    }

    /// Puts a decided proposal back to pending (its decision could not be carried out).
    pub fn reopen(&self, id: &str) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = kept.iter_mut().find(|p| p.id == id) {
            p.status = ProposalStatus::Pending;
        }
    }
}
