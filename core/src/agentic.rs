//! Agentic flows: a local model writes a flow for an agentic node's request, grounded in the
//! workspace and constrained by a grammar built from the installed catalog; nothing changes
//! until a person accepts the proposal, and every invocation and decision is audited.
//!
//! - [`workspace`]: the bounded, ignore-aware scan the prompt is grounded in;
//! - [`schema`]: the JSON Schema (hence grammar) of an answer, from the catalog;
//! - [`binaries`]: which CLI tools the machine has (presets for missing ones are not offered);
//! - [`prompt`]: the words the model is asked with;
//! - [`assemble`]: from an answer to nodes, and into the flow in the agentic node's place;
//! - [`generator`]: one generation, from the saved flow to a proposal;
//! - [`review`]: accepting (a new flow revision) or rejecting a proposal;
//! - [`monitor`]: watching runs of a generated flow: an unhandled failure is intercepted, a fix
//!   planned ([`fixer`]) and decided ([`decisions`]), by a person or within the autonomous
//!   budgets ([`budget`]);
//! - [`proposals`], [`audit`], [`interceptions`]: where proposals, the AI audit log and the
//!   interceptions are kept.

pub mod assemble;
pub mod audit;
pub mod binaries;
pub mod budget;
pub mod decisions;
pub mod fixer;
pub mod generator;
pub mod interceptions;
pub mod monitor;
pub mod prompt;
pub mod proposals;
pub mod review;
pub mod schema;
pub mod types;
pub mod workspace;

pub use types::{
    AgenticEvent, AgenticEventKind, AuditKind, AuditQuery, AuditRecord, AutonomousOutcome,
    BudgetUse, GenerateOptions, InterceptDecision, InterceptionQuery, InterceptionStatus,
    MonitorInterception, Proposal, ProposalKind, ProposalStatus,
};

/// The app's agentic state: proposals waiting for a person and the audit log.
#[derive(Debug)]
pub struct Agentic {
    proposals: proposals::Proposals,
    audit: audit::AuditStore,
    interceptions: interceptions::InterceptionStore,
}

impl Agentic {
    /// The agentic state on the app's database.
    pub fn on(db: &crate::db::Db) -> Self {
        Self {
            proposals: proposals::Proposals::default(),
            audit: audit::AuditStore::on(db),
            interceptions: interceptions::InterceptionStore::on(db),
        }
    }

    /// Monitors' interceptions of failed runs, and the runs waiting on one.
    pub fn interceptions(&self) -> &interceptions::InterceptionStore {
        &self.interceptions
    }

    /// Proposals waiting for (or given) a decision.
    pub fn proposals(&self) -> &proposals::Proposals {
        &self.proposals
    }

    /// The AI audit log.
    pub fn audit(&self) -> &audit::AuditStore {
        &self.audit
    }
}
