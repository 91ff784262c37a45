//! The agentic vocabulary on the wire: proposals waiting for a person, what a generation is
//! asked with, the live events of a job, and the audit records kept of every decision.

use serde::{Deserialize, Serialize};

use super::workspace::WorkspaceFacts;
use crate::JsonValue;
use crate::flows::{FlowGraph, RevisionDiff, ValidationIssue};

/// How to ask for a generation; anything absent comes from the agentic node's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateOptions {
    /// What the flow should do (default: the node's `request`).
    #[serde(default)]
    pub request: Option<String>,
    /// The folder the flow works in, absolute (default: the node's `workspace`, else the flow's
    /// run workspace under the data directory).
    #[serde(default)]
    pub workspace: Option<String>,
    /// The installed model to ask (default: the node's `modelId`, else the loaded one, else the
    /// first installed).
    #[serde(default)]
    pub model: Option<String>,
    /// Sampling seed (default 7, so the same request on the same model proposes the same flow).
    #[serde(default)]
    pub seed: Option<u32>,
    /// Sampling temperature (default 0.2).
    #[serde(default)]
    pub temperature: Option<f32>,
}

/// What a proposal would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// A generated flow in place of the agentic node.
    Generation,
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for a person.
    Pending,
    /// Accepted: the flow was saved with it.
    Accepted,
    /// Rejected: nothing changed.
    Rejected,
}

/// A change the model proposed; nothing in the flow changes until a person accepts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// Its id (also the job id its live events carry).
    pub id: String,
    /// What it would change.
    pub kind: ProposalKind,
    /// Where it stands.
    pub status: ProposalStatus,
    /// The saved flow it is for.
    pub flow_slug: String,
    /// The flow's revision it was made from; accepting fails if the flow moved on since.
    pub base_revision: u32,
    /// The agentic node that asked.
    pub node_id: String,
    /// What was asked (as the person wrote it; the model saw it sanitized).
    pub request: String,
    /// The model that answered.
    pub model: String,
    /// The flow after accepting, as DSL.
    pub dsl: String,
    /// The flow after accepting.
    pub graph: FlowGraph,
    /// The generated steps alone (the canvas preview).
    pub generated: FlowGraph,
    /// The flow's DSL before and after, line by line.
    pub diff: RevisionDiff,
    /// Validation of the flow after accepting: the Checks, per node.
    pub checks: Vec<ValidationIssue>,
    /// No check is an error: the flow could run as proposed.
    pub valid: bool,
    /// The workspace facts the generation was grounded in.
    pub workspace: WorkspaceFacts,
    /// Tokens of the prompt.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
    /// Generation time.
    pub duration_ms: f64,
    /// How many values the privacy sanitizer replaced before the model saw the prompt.
    pub sanitized: u32,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// One live event of an agentic job, pushed as `{"type": "agentic", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AgenticEvent {
    /// The job (a generation's proposal id).
    pub job_id: String,
    /// The saved flow.
    pub flow_slug: String,
    /// The agentic node.
    pub node_id: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: AgenticEventKind,
}

/// What happened in an agentic job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(
    tag = "phase",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum AgenticEventKind {
    /// The model was asked.
    Started {
        /// The model.
        model: String,
        /// The most tokens it may generate.
        max_tokens: u32,
    },
    /// Generated text (one or more tokens).
    Token {
        /// The new text.
        delta: String,
    },
    /// A proposal is ready for review.
    Proposed {
        /// The proposal.
        proposal: Box<Proposal>,
    },
    /// A person accepted or rejected a proposal.
    Resolved {
        /// Accepted (the flow was saved) or rejected.
        accepted: bool,
        /// The flow's revision after accepting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revision: Option<u32>,
    },
    /// The job failed.
    Failed {
        /// Why.
        error: String,
    },
}

/// The kinds of AI audit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A model was asked (model, token counts, the sanitized prompt's size).
    AiInvocation,
    /// A model's answer waits for a person.
    AiReviewRequired,
    /// A person decided on it.
    AiReviewResolved,
    /// A model called a tool.
    AiToolCall,
    /// An agent's edit was applied to a flow.
    AgentEditApplied,
    /// An agent's edit was rejected.
    AgentEditRejected,
}

impl AuditKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AiInvocation => "ai_invocation",
            Self::AiReviewRequired => "ai_review_required",
            Self::AiReviewResolved => "ai_review_resolved",
            Self::AiToolCall => "ai_tool_call",
            Self::AgentEditApplied => "agent_edit_applied",
            Self::AgentEditRejected => "agent_edit_rejected",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::AiInvocation,
            Self::AiReviewRequired,
            Self::AiReviewResolved,
            Self::AiToolCall,
            Self::AgentEditApplied,
            Self::AgentEditRejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One AI audit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Its id, increasing.
    pub id: u32,
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub kind: AuditKind,
    /// The saved flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_slug: Option<String>,
    /// The run, when it happened in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The agentic job (proposal id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// One line a person reads.
    pub summary: String,
    /// The details (model, tokens, snapshots, ...).
    #[specta(type = JsonValue)]
    pub detail: serde_json::Value,
}

/// Which audit records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this flow's.
    #[serde(default)]
    pub flow_slug: Option<String>,
    /// Only this run's.
    #[serde(default)]
    pub execution_id: Option<String>,
    /// Only this job's.
    #[serde(default)]
    pub job_id: Option<String>,
    /// At most this many, newest first (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
}
