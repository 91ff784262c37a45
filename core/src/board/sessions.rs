//! The session list (`GET /api/sessions`) and the per-session metadata behind it: task-list
//! counts from `TASKS_DIR`, name / project / branch / times from the transcripts and
//! `sessions-index.json` files in `PROJECTS_DIR`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::task::{Task, TaskWithSession};
use super::task_lists::{self, TaskList};
use super::transcript::{TranscriptIndex, TranscriptMeta};

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

/// Reads every project directory: each top-level `<sessionId>.jsonl` (not `agent-*.jsonl`, not
/// subagent transcripts) and then `sessions-index.json` for the sessions found.
pub fn load_metadata(projects_dir: &Path, index: &TranscriptIndex) -> HashMap<String, SessionMeta> {
    let mut sessions = HashMap::new();
    let mut seen = HashSet::new();
    let Ok(projects) = std::fs::read_dir(projects_dir) else {
        index.retain(&seen);
        return sessions;
    };
    for project in projects.filter_map(Result::ok) {
        if !project.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(project.path()) else {
            continue;
        };
        for file in files.filter_map(Result::ok) {
            let path = file.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(id) = name.strip_suffix(".jsonl") else {
                continue;
            };
            if id.is_empty()
                || id.starts_with("agent-")
                || !file.file_type().is_ok_and(|t| t.is_file())
            {
                continue;
            }
            seen.insert(path.clone());
            let Some(transcript) = index.read(&path) else {
                continue;
            };
            let modified = file.metadata().and_then(|m| m.modified()).ok();
            sessions.insert(
                id.to_owned(),
                SessionMeta {
                    transcript,
                    modified,
                    ..Default::default()
                },
            );
        }
        merge_index(&project.path().join("sessions-index.json"), &mut sessions);
    }
    index.retain(&seen);
    sessions
}

fn merge_index(path: &Path, sessions: &mut HashMap<String, SessionMeta>) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let index: Value = match serde_json::from_slice(&bytes) {
        Ok(index) => index,
        Err(err) => {
            tracing::warn!(file = %path.display(), %err, "sessions index is not valid JSON; ignored");
            return;
        }
    };
    let Some(entries) = index.get("entries").and_then(Value::as_array) else {
        return;
    };
    let text = |entry: &Value, key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    for entry in entries {
        let Some(meta) = entry
            .get("sessionId")
            .and_then(Value::as_str)
            .and_then(|id| sessions.get_mut(id))
        else {
            continue;
        };
        meta.description = text(entry, "description").or_else(|| text(entry, "summary"));
        meta.git_branch = text(entry, "gitBranch");
        meta.created = text(entry, "created");
    }
}

/// The metadata of a task list's session: by its transcript UUID, else by the list name.
pub fn meta_for<'m>(
    metadata: &'m HashMap<String, SessionMeta>,
    list: &TaskList,
) -> Option<&'m SessionMeta> {
    metadata
        .get(list.session_uuid())
        .or_else(|| metadata.get(&list.id))
}

/// The session list, newest first, cut to `limit` sessions when given.
pub fn list(
    tasks_dir: &Path,
    projects_dir: &Path,
    limit: Option<usize>,
    index: &TranscriptIndex,
) -> Vec<SessionListItem> {
    let metadata = load_metadata(projects_dir, index);
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for list in task_lists::lists(tasks_dir) {
        let counts = task_lists::counts(&list.path);
        let meta = meta_for(&metadata, &list);
        if meta.is_some() {
            seen.insert(list.session_uuid().to_owned());
            seen.insert(list.id.clone());
        }
        items.push(item(list.id.clone(), meta, &counts));
    }
    for (id, meta) in &metadata {
        if !seen.contains(id) {
            let counts = task_lists::ListCounts {
                modified: meta.modified,
                ..Default::default()
            };
            items.push(item(id.clone(), Some(meta), &counts));
        }
    }
    items.sort_by(|a, b| {
        b.modified_at
            .cmp(&a.modified_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    if let Some(limit) = limit {
        items.truncate(limit);
    }
    items
}

fn item(
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

/// The tasks of one list, sorted by numeric id; `None` when the list does not exist.
pub fn session_tasks(tasks_dir: &Path, id: &str, include_internal: bool) -> Option<Vec<Task>> {
    let dir = tasks_dir.join(id);
    if !dir.is_dir() {
        return None;
    }
    let mut tasks = task_lists::read_tasks(&dir, include_internal);
    task_lists::sort_by_id(&mut tasks);
    Some(tasks.iter().map(|t| t.view()).collect())
}

/// Every task of every list with its session's id, name and project (lists by name, tasks by id
/// within a list; the original used directory order).
pub fn all_tasks(
    tasks_dir: &Path,
    projects_dir: &Path,
    include_internal: bool,
    index: &TranscriptIndex,
) -> Vec<TaskWithSession> {
    let lists = task_lists::lists(tasks_dir);
    if lists.is_empty() {
        return Vec::new();
    }
    let metadata = load_metadata(projects_dir, index);
    let mut all = Vec::new();
    for list in lists {
        let meta = meta_for(&metadata, &list).map(|m| &m.transcript);
        let mut tasks = task_lists::read_tasks(&list.path, include_internal);
        task_lists::sort_by_id(&mut tasks);
        all.extend(tasks.iter().map(|t| TaskWithSession {
            task: t.view(),
            session_id: list.id.clone(),
            session_name: meta.and_then(TranscriptMeta::display_name),
            project: meta.and_then(|m| m.cwd.clone()),
        }));
    }
    all
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

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn touch(path: &Path, secs: u64) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn formats_times_like_the_original() {
        let t = UNIX_EPOCH + Duration::from_millis(1_772_705_217_331);
        assert_eq!(iso_millis(t), "2026-03-05T10:06:57.331Z");
    }

    #[test]
    fn lists_sessions_with_metadata_jsonl_only_sessions_and_limits() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join("tasks");
        let projects = dir.path().join("projects");
        let a = "aaaaaaaa-0000-4000-8000-000000000001";
        let b = "bbbbbbbb-0000-4000-8000-000000000002";
        let c = "cccccccc-0000-4000-8000-000000000003";
        write(
            &tasks.join(a).join("1.json"),
            r#"{"id":"1","subject":"x","status":"completed"}"#,
        );
        write(
            &tasks.join(a).join("2.json"),
            r#"{"id":"2","subject":"y","status":"in_progress"}"#,
        );
        write(&tasks.join(a).join("3.json"), r#"{"id":"3","#);
        write(&tasks.join(a).join(".lock"), "");
        touch(&tasks.join(a).join("1.json"), 1_000);
        touch(&tasks.join(a).join("2.json"), 3_000);
        touch(&tasks.join(a).join("3.json"), 2_000);
        let session_b = tasks.join(format!("session-{b}"));
        write(
            &session_b.join("1.json"),
            r#"{"id":1,"subject":"z","description":null}"#,
        );
        touch(&session_b.join("1.json"), 2_000);
        let proj = projects.join("-home-dev-src-webapp");
        write(
            &proj.join(format!("{a}.jsonl")),
            &format!(
                "{}\n{}\n",
                r#"{"type":"user","cwd":"/home/dev/src/webapp","slug":"glimmering-dancing-otter","gitBranch":"main","message":{"role":"user","content":"x"},"timestamp":"2026-03-05T10:00:00.118Z"}"#,
                r#"{"type":"custom-title","customTitle":"refactor-auth-flow"}"#
            ),
        );
        write(
            &proj.join(format!("{b}.jsonl")),
            r#"{"type":"user","cwd":"/b","slug":"b-slug","message":{"role":"user","content":"x"}}"#,
        );
        write(
            &proj.join(format!("{c}.jsonl")),
            r#"{"type":"user","cwd":"/c","message":{"role":"user","content":"x"}}"#,
        );
        write(
            &proj.join("agent-1234.jsonl"),
            r#"{"type":"user","cwd":"/agent"}"#,
        );
        touch(&proj.join(format!("{c}.jsonl")), 500);
        write(
            &proj.join("sessions-index.json"),
            &format!(
                r#"{{"version":1,"entries":[{{"sessionId":"{a}","summary":"JWT auth","gitBranch":"feat/auth","created":"2026-03-05T09:00:00.000Z"}},{{"sessionId":"zzz","gitBranch":"x"}}]}}"#
            ),
        );

        let index = TranscriptIndex::default();
        let all = list(&tasks, &projects, None, &index);
        let ids: Vec<_> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, [a.to_owned(), format!("session-{b}"), c.to_owned()]);
        let first = serde_json::to_value(&all[0]).unwrap();
        assert_eq!(first["name"], "refactor-auth-flow");
        assert_eq!(first["slug"], "glimmering-dancing-otter");
        assert_eq!(first["project"], "/home/dev/src/webapp");
        assert_eq!(first["description"], "JWT auth");
        assert_eq!(first["gitBranch"], "feat/auth");
        assert_eq!(first["createdAt"], "2026-03-05T09:00:00.000Z");
        assert_eq!(first["modifiedAt"], "1970-01-01T00:50:00.000Z");
        assert_eq!(
            (
                first["taskCount"].clone(),
                first["completed"].clone(),
                first["inProgress"].clone(),
                first["pending"].clone()
            ),
            (3.into(), 1.into(), 1.into(), 0.into())
        );
        assert_eq!(first["transcript"]["messageCount"], 1);
        assert_eq!(all[1].name.as_deref(), Some("b-slug"));
        assert_eq!(all[2].task_count, 0);
        assert_eq!(all[2].project.as_deref(), Some("/c"));
        assert_eq!(all[2].description, None);
        assert_eq!(list(&tasks, &projects, Some(1), &index).len(), 1);
        assert!(
            list(
                &dir.path().join("none"),
                &dir.path().join("none"),
                None,
                &index
            )
            .is_empty()
        );

        let tasks_b = session_tasks(&tasks, &format!("session-{b}"), false).unwrap();
        assert_eq!(tasks_b[0].id, "1");
        assert!(session_tasks(&tasks, "missing", false).is_none());
        let every = all_tasks(&tasks, &projects, false, &index);
        assert_eq!(every.len(), 3);
        let from_b = every
            .iter()
            .find(|t| t.session_id.starts_with("session-"))
            .unwrap();
        assert_eq!(from_b.session_name.as_deref(), Some("b-slug"));
        assert_eq!(from_b.project.as_deref(), Some("/b"));
    }
}
