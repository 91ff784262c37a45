//! The session list's shapes (`GET /api/sessions`) and the per-session metadata behind them:
//! task-list counts from `TASKS_DIR`, name / project / branch / times from the transcripts and
//! `sessions-index.json` files in `PROJECTS_DIR` (the index assembles them).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::task_lists;
use super::transcript::TranscriptMeta;

/// One session of the list, in the original's shape (every key present, `null` when unknown),
/// plus `transcript` with what the JSONL says beyond that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionListItem {
    /// The task-list directory name (the session UUID, `session-<uuid>` or a team name), or the
    /// transcript's session id for a session that has no task list.
    pub id: String,
    /// `customTitle` ?? `slug`.
    pub name: Option<String>,
    /// The three-word slug.
    pub slug: Option<String>,
    /// The working directory (`cwd`).
    pub project: Option<String>,
    /// `sessions-index.json` `description`, else its `summary`.
    pub description: Option<String>,
    /// `sessions-index.json` `gitBranch`, else the transcript's last branch.
    pub git_branch: Option<String>,
    /// Every `*.json` file of the list, parseable or not.
    pub task_count: u32,
    /// Completed tasks.
    pub completed: u32,
    /// Tasks in progress.
    pub in_progress: u32,
    /// Other tasks.
    pub pending: u32,
    /// `sessions-index.json` `created`, else the transcript's first timestamp.
    pub created_at: Option<String>,
    /// Newest task-file mtime (the list dir's when empty; the transcript's for a session without
    /// a list), `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub modified_at: String,
    /// Transcript statistics, null when the session has no transcript.
    pub transcript: Option<SessionTranscript>,
}

/// What a session's transcript adds to the original list item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionTranscript {
    /// User lines plus assistant messages.
    pub message_count: u32,
    /// Models that answered, in order of first use.
    pub models: Vec<String>,
    /// The last timestamp in the transcript.
    pub last_activity: Option<String>,
    /// Token usage, each API response counted once.
    pub usage: TokenUsage,
}

/// Token counts (numbers, since they may exceed 32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Uncached input tokens.
    pub input_tokens: f64,
    /// Output tokens.
    pub output_tokens: f64,
    /// Tokens written to the prompt cache.
    pub cache_creation_input_tokens: f64,
    /// Tokens read from the prompt cache.
    pub cache_read_input_tokens: f64,
}

/// Everything known about one session from `PROJECTS_DIR`.
#[derive(Debug, Clone, Default)]
pub struct SessionMeta {
    /// From the transcript.
    pub transcript: TranscriptMeta,
    /// The transcript's mtime.
    pub modified: Option<SystemTime>,
    /// `sessions-index.json` `description` ?? `summary`.
    pub description: Option<String>,
    /// `sessions-index.json` `gitBranch`.
    pub git_branch: Option<String>,
    /// `sessions-index.json` `created`.
    pub created: Option<String>,
}

impl SessionMeta {
    fn stats(&self) -> SessionTranscript {
        let t = &self.transcript;
        SessionTranscript {
            message_count: t.message_count,
            models: t.models.clone(),
            last_activity: t.last_timestamp.clone(),
            usage: TokenUsage {
                input_tokens: t.usage.input,
                output_tokens: t.usage.output,
                cache_creation_input_tokens: t.usage.cache_creation,
                cache_read_input_tokens: t.usage.cache_read,
            },
        }
    }
}

/// One list item from a session's id, metadata and task counts.
pub(crate) fn item(
    id: String,
    meta: Option<&SessionMeta>,
    counts: &task_lists::ListCounts,
) -> SessionListItem {
    let t = meta.map(|m| &m.transcript);
    SessionListItem {
        id,
        name: t.and_then(TranscriptMeta::display_name),
        slug: t.and_then(|t| t.slug.clone()),
        project: t.and_then(|t| t.cwd.clone()),
        description: meta.and_then(|m| m.description.clone()),
        git_branch: meta.and_then(|m| {
            m.git_branch
                .clone()
                .or_else(|| m.transcript.git_branch.clone())
        }),
        task_count: counts.task_count,
        completed: counts.completed,
        in_progress: counts.in_progress,
        pending: counts.pending,
        created_at: meta.and_then(|m| {
            m.created
                .clone()
                .or_else(|| m.transcript.first_timestamp.clone())
        }),
        modified_at: counts.modified.map(iso_millis).unwrap_or_default(),
        transcript: meta.map(SessionMeta::stats),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, as the original formats times.
pub fn iso_millis(time: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from(time)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_times_like_the_original() {
        let t = UNIX_EPOCH + Duration::from_millis(1_772_705_217_331);
        assert_eq!(iso_millis(t), "2026-03-05T10:06:57.331Z");
    }
}
