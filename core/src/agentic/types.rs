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
    /// New fields for one node that failed in a run (a monitor's surgical fix).
    Fix,
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
    /// The agentic node that asked (for a fix: the failed node).
    pub node_id: String,
    /// The run a fix is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
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
    /// A monitor's interception began or moved on (the job id is the interception's id).
    Interception {
        /// Where it stands now.
        interception: Box<MonitorInterception>,
    },
    /// What an autonomous run has used of its budgets.
    Budget {
        /// The run.
        execution_id: String,
        /// The use so far.
        usage: BudgetUse,
    },
    /// An autonomous run ended, and why.
    Finished {
        /// The run.
        execution_id: String,
        /// Converged, or which budget or decision ended it.
        outcome: AutonomousOutcome,
        /// The use at the end.
        usage: BudgetUse,
    },
}

/// Where an interception stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum InterceptionStatus {
    /// The model is planning a fix.
    Planning,
    /// Waiting for a person (with a fix to review, or with why there is none).
    Pending,
    /// The fix was applied (a new flow revision) and the node ran again.
    Fixed,
    /// Resumed without a fix: the failure stood.
    Resumed,
    /// The run was stopped.
    Stopped,
    /// The run ended before anyone decided.
    Abandoned,
    /// The fix was applied, then reverted.
    Reverted,
}

/// One interception: a monitored run's unhandled failure and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MonitorInterception {
    /// Its id (also the fix proposal's id and the job id of its events).
    pub id: String,
    /// The run.
    pub execution_id: String,
    /// The saved flow.
    pub flow_slug: String,
    /// The failed node.
    pub node_id: String,
    /// Why it failed.
    pub error: String,
    /// Fixes are applied without asking.
    pub autonomous: bool,
    /// Where it stands.
    pub status: InterceptionStatus,
    /// The fix proposal, once the model made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_id: Option<String>,
    /// Why there is no fix (the model failed, its fix was invalid, a budget ran out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_error: Option<String>,
    /// The flow's revision the fix was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_before: Option<u32>,
    /// The revision the fix was saved as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_after: Option<u32>,
    /// The flow's DSL before the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsl_before: Option<String>,
    /// The flow's DSL after the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsl_after: Option<String>,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
}

/// A person's decision on an interception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum InterceptDecision {
    /// Accept the fix and apply it: a new flow revision, and the node runs again.
    Accept,
    /// Resume without a fix: the failure stands and the run goes on as it would have.
    Resume,
    /// Reject and stop the run.
    Reject,
}

/// Which interceptions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterceptionQuery {
    /// Only this flow's.
    #[serde(default)]
    pub flow_slug: Option<String>,
    /// Only this run's.
    #[serde(default)]
    pub execution_id: Option<String>,
    /// At most this many, newest first (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What an autonomous run used of its budgets, against the settings' limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BudgetUse {
    /// Fixes applied.
    pub iterations: u32,
    /// `max_agentic_iterations`.
    pub max_iterations: u32,
    /// Seconds since the run started.
    pub seconds: f64,
    /// `max_agentic_seconds`.
    pub max_seconds: u32,
    /// Model tokens used by its fixes (prompt and answer).
    pub tokens: u32,
    /// `max_agentic_tokens`.
    pub max_tokens: u32,
}

/// How an autonomous run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AutonomousOutcome {
    /// The run passed.
    Converged,
    /// `max_agentic_iterations` fixes were applied and it still failed.
    IterationsExhausted,
    /// `max_agentic_seconds` passed.
    SecondsExhausted,
    /// `max_agentic_tokens` were used.
    TokensExhausted,
    /// The model proposed no usable fix.
    NoFix,
    /// A person resumed without a fix or stopped the run, or it was cancelled.
    Stopped,
    /// It failed where the monitor could not help (a handled path, a sub-flow, ...).
    Failed,
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
