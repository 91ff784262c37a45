//! Writes realistic Claude Code trees (`~/.claude/tasks` and `~/.claude/projects`) of any size,
//! with every edge case the agent board must tolerate (see `shared/reference/agent-board.md`
//! §4.1, §4.3, §4.4):
//!
//! - task lists named `<uuid>`, `session-<uuid>` (every fourth session) and after a team
//!   (`team-alpha`, with an owner and a `metadata._internal` lifecycle task);
//! - tasks with numeric ids, `null` descriptions, a missing `activeForm`, `blocks`/`blockedBy`,
//!   `metadata` and unknown fields; `.lock` / `.highwatermark` sidecars, a list holding only
//!   sidecars, a broken JSON file and a non-JSON file;
//! - one transcript per session with every line type (file-history-snapshot, summary, user,
//!   assistant split over two lines sharing a `message.id`, system, progress, attachment,
//!   queue-operation, custom-title, ai-title, agent-name, last-prompt, pr-link, permission-mode),
//!   a non-UTF-8 line and a truncated last line; padding up to a size knob;
//! - a session that exists only as a transcript, an `agent-*.jsonl` and a subagent transcript
//!   (neither is a session), and `sessions-index.json` files: complete, empty and absent.
//!
//! Everything is deterministic; file times are set so sessions sort newest-last-generated first.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// What to generate.
#[derive(Debug, Clone)]
pub struct FixtureOptions {
    /// Sessions with a task list and a transcript (the transcript-only session is extra).
    pub sessions: usize,
    /// Tasks per session list (at least 4 are written so every edge case is present).
    pub tasks_per_session: usize,
    /// Pad each transcript to about this many bytes (0: no padding).
    pub jsonl_bytes: usize,
}

impl Default for FixtureOptions {
    fn default() -> Self {
        Self {
            sessions: 6,
            tasks_per_session: 4,
            jsonl_bytes: 0,
        }
    }
}

/// One generated session.
#[derive(Debug, Clone)]
pub struct FixtureSession {
    /// The session UUID (transcript file stem).
    pub uuid: String,
    /// The task-list directory name (`<uuid>` or `session-<uuid>`), `None` for transcript-only.
    pub list_id: Option<String>,
    /// The working directory written as `cwd`.
    pub cwd: String,
    /// The slug.
    pub slug: String,
    /// The last custom title, if the session has one.
    pub custom_title: Option<String>,
    /// Task files written (parseable or not).
    pub task_files: usize,
    /// Assistant messages (distinct `message.id`s) plus user lines in the transcript.
    pub message_count: u32,
    /// Sum of `output_tokens` with each message counted once.
    pub output_tokens: u32,
}

impl FixtureSession {
    /// `customTitle` ?? `slug`.
    pub fn name(&self) -> &str {
        self.custom_title.as_deref().unwrap_or(&self.slug)
    }
}

/// A generated tree.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `<root>/tasks`.
    pub tasks_dir: PathBuf,
    /// `<root>/projects`.
    pub projects_dir: PathBuf,
    /// The sessions, in generation order (the last one is the transcript-only session).
    pub sessions: Vec<FixtureSession>,
    /// The team list's directory name.
    pub team_list: String,
}

/// The UUID of session `i`.
pub fn session_uuid(i: usize) -> String {
    format!("{:08x}-7a4d-4e6b-9c21-{:012x}", 0x3f2b_0000 + i, i)
}

const WORDS: [&str; 12] = [
    "glimmering",
    "dancing",
    "otter",
    "temporal",
    "twirling",
    "plum",
    "quiet",
    "amber",
    "falcon",
    "velvet",
    "rolling",
    "meadow",
];

fn slug(i: usize) -> String {
    format!(
        "{}-{}-{}",
        WORDS[i % 12],
        WORDS[(i / 12 + 4) % 12],
        WORDS[(i + 8) % 12]
    )
}

fn at(base: u64, step: usize) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(base + step as u64 * 60)
}

fn write(path: &Path, bytes: &[u8], mtime: SystemTime) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.set_modified(mtime)
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// 2026-03-05T10:00:00Z, the fixture's epoch.
const BASE_SECS: u64 = 1_772_704_800;

/// Writes a tree under `root` (`root/tasks`, `root/projects`).
pub fn generate(root: &Path, options: &FixtureOptions) -> std::io::Result<Fixture> {
    let tasks_dir = root.join("tasks");
    let projects_dir = root.join("projects");
    std::fs::create_dir_all(&tasks_dir)?;
    std::fs::create_dir_all(&projects_dir)?;
    let mut sessions = Vec::new();
    let total = options.sessions + 1;
    for i in 0..total {
        let transcript_only = i == options.sessions;
        let uuid = session_uuid(i);
        let cwd = format!("/home/dev/src/project-{}", i % 3);
        let mtime = at(BASE_SECS, i);
        let list_id = (!transcript_only).then(|| {
            if i % 4 == 3 {
                format!("session-{uuid}")
            } else {
                uuid.clone()
            }
        });
        let task_files = match &list_id {
            Some(list) => write_list(&tasks_dir.join(list), i, options.tasks_per_session, mtime)?,
            None => 0,
        };
        let custom_title = (i % 2 == 0).then(|| format!("session-{i}-title"));
        let mut session = FixtureSession {
            uuid,
            list_id,
            cwd,
            slug: slug(i),
            custom_title,
            task_files,
            message_count: 0,
            output_tokens: 0,
        };
        write_transcript(&projects_dir, &mut session, i, options.jsonl_bytes, mtime)?;
        sessions.push(session);
    }
    let team_list = "team-alpha".to_owned();
    write_team(&tasks_dir.join(&team_list), at(BASE_SECS, total))?;
    write_indexes(&projects_dir, &sessions)?;
    Ok(Fixture {
        tasks_dir,
        projects_dir,
        sessions,
        team_list,
    })
}

fn write_list(dir: &Path, i: usize, count: usize, mtime: SystemTime) -> std::io::Result<usize> {
    let files = write_list_files(dir, i, count, mtime)?;
    // The list's own mtime counts when it holds no task file: make it deterministic too.
    std::fs::File::open(dir)?.set_modified(mtime)?;
    Ok(files)
}

fn write_list_files(
    dir: &Path,
    i: usize,
    count: usize,
    mtime: SystemTime,
) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    write(&dir.join(".lock"), b"", mtime)?;
    if i == 2 {
        // A list holding only sidecars (Task tools used once, then disabled).
        write(&dir.join(".highwatermark"), b"0", mtime)?;
        return Ok(0);
    }
    let count = count.max(4);
    write(
        &dir.join(".highwatermark"),
        count.to_string().as_bytes(),
        mtime,
    )?;
    let mut tasks = vec![
        json!({"id": "1", "subject": "Add JWT validation middleware",
               "description": "Reject requests to /api/* without a valid bearer token.",
               "activeForm": "Adding JWT validation middleware", "status": "completed",
               "blocks": ["2", "3"], "blockedBy": []}),
        json!({"id": "2", "subject": "Write integration tests for auth",
               "description": "Cover expired, malformed and missing tokens.\n\n---\n\n#### [Note added by user]\n\nAlso test the clock-skew tolerance.",
               "activeForm": "Writing integration tests for auth", "status": "in_progress",
               "blocks": [], "blockedBy": ["1"]}),
        // Numeric id, null description, no activeForm.
        json!({"id": 3, "subject": "Update API docs", "description": null,
               "status": "pending", "blocks": [], "blockedBy": ["1"]}),
        json!({"id": "4", "subject": "Review the change", "description": "Read the diff",
               "activeForm": "Reviewing the change", "status": "pending", "owner": "reviewer",
               "blocks": [], "blockedBy": [], "metadata": {"priority": "low"},
               "customField": {"kept": true}}),
    ];
    const STATUSES: [&str; 3] = ["pending", "in_progress", "completed"];
    for n in 5..=count {
        tasks.push(json!({"id": n.to_string(), "subject": format!("Task {n} of session {i}"),
            "description": format!("Generated task {n}."), "activeForm": format!("Working on task {n}"),
            "status": STATUSES[n % 3], "blocks": [], "blockedBy": []}));
    }
    for (n, task) in tasks.iter().enumerate() {
        write(&dir.join(format!("{}.json", n + 1)), &pretty(task), mtime)?;
    }
    let mut files = tasks.len();
    if i == 0 {
        write(
            &dir.join("99.json"),
            br#"{"id": "99", "subject": "half wri"#,
            mtime,
        )?;
        write(&dir.join("notes.txt"), b"not a task", mtime)?;
        files += 1;
    }
    Ok(files)
}

fn write_team(dir: &Path, mtime: SystemTime) -> std::io::Result<()> {
    write(&dir.join(".lock"), b"", mtime)?;
    write(&dir.join(".highwatermark"), b"2", mtime)?;
    let lead = json!({"id": "1", "subject": "Split the migration", "description": "",
        "activeForm": "Splitting the migration", "status": "in_progress", "owner": "worker-1",
        "blocks": [], "blockedBy": []});
    let internal = json!({"id": "2", "subject": "worker-1", "description": "teammate lifecycle",
        "status": "in_progress", "blocks": [], "blockedBy": [], "metadata": {"_internal": true}});
    write(&dir.join("1.json"), &pretty(&lead), mtime)?;
    write(&dir.join("2.json"), &pretty(&internal), mtime)
}

fn line(out: &mut Vec<u8>, value: &Value) {
    out.extend_from_slice(value.to_string().as_bytes());
    out.push(b'\n');
}

fn write_transcript(
    projects_dir: &Path,
    s: &mut FixtureSession,
    i: usize,
    pad_to: usize,
    mtime: SystemTime,
) -> std::io::Result<()> {
    let encoded: String = s
        .cwd
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = projects_dir.join(&encoded);
    let sid = s.uuid.clone();
    let (cwd, slug) = (s.cwd.clone(), s.slug.clone());
    let envelope = |kind: &str, n: usize, extra: Value| {
        let mut v = json!({"parentUuid": null, "isSidechain": false, "userType": "external",
            "cwd": cwd, "sessionId": sid, "version": "2.1.34", "gitBranch": "feat/auth",
            "slug": slug, "type": kind, "uuid": format!("{:08x}-0000-4000-8000-{n:012x}", i),
            "timestamp": format!("2026-03-05T10:{:02}:{:02}.{:03}Z", (n / 60) % 60, n % 60, n % 1000)});
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        v
    };
    let mut out = Vec::new();
    line(
        &mut out,
        &json!({"type": "file-history-snapshot", "messageId": "m0",
        "snapshot": {"messageId": "m0", "trackedFileBackups": {}, "timestamp": "2026-03-05T10:00:00.120Z"},
        "isSnapshotUpdate": false}),
    );
    if i % 3 == 1 {
        line(
            &mut out,
            &json!({"type": "summary", "summary": "JWT auth middleware and tests", "leafUuid": "x"}),
        );
    }
    if s.custom_title.is_some() {
        line(
            &mut out,
            &json!({"type": "custom-title", "customTitle": "an-early-title", "sessionId": sid}),
        );
    }
    let mut n = 1;
    let mut turns = 0u32;
    let turn = |out: &mut Vec<u8>, n: &mut usize, text: &str, model: &str| {
        line(
            out,
            &envelope(
                "user",
                *n,
                json!({"message": {"role": "user", "content": text}}),
            ),
        );
        *n += 1;
        let msg = format!("msg_{i:04}_{n:06}");
        for (block, out_tokens) in [
            (
                json!({"type": "thinking", "thinking": "…", "signature": "sig"}),
                12,
            ),
            (json!({"type": "text", "text": "Done."}), 96),
        ] {
            line(
                out,
                &envelope(
                    "assistant",
                    *n,
                    json!({"requestId": format!("req_{n}"),
                "message": {"model": model,
                "id": msg, "type": "message", "role": "assistant", "content": [block],
                "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 3, "cache_creation_input_tokens": 2048,
                    "cache_read_input_tokens": 11331,
                    "cache_creation": {"ephemeral_5m_input_tokens": 2048, "ephemeral_1h_input_tokens": 0},
                    "output_tokens": out_tokens, "service_tier": "standard"}}}),
                ),
            );
            *n += 1;
        }
    };
    turn(
        &mut out,
        &mut n,
        "Add JWT auth to the API and write tests",
        "claude-opus-4-6",
    );
    turns += 1;
    line(
        &mut out,
        &envelope(
            "user",
            n,
            json!({"message": {"role": "user", "content": [
        {"tool_use_id": "toolu_01", "type": "tool_result", "content": "Task #1 created successfully"}]},
        "toolUseResult": {"task": {"id": "1", "subject": "Add JWT validation middleware"}}}),
        ),
    );
    n += 1;
    line(
        &mut out,
        &envelope(
            "system",
            n,
            json!({"subtype": "turn_duration", "durationMs": 5284}),
        ),
    );
    n += 1;
    line(
        &mut out,
        &envelope(
            "system",
            n,
            json!({"subtype": "compact_boundary", "logicalParentUuid": "p",
        "compactMetadata": {"trigger": "auto", "preTokens": 160000}}),
        ),
    );
    n += 1;
    line(
        &mut out,
        &envelope(
            "progress",
            n,
            json!({"data": {"type": "hook_progress"}, "toolUseID": "toolu_01", "parentToolUseID": "toolu_01"}),
        ),
    );
    n += 1;
    line(
        &mut out,
        &envelope(
            "attachment",
            n,
            json!({"attachment": {"type": "file", "path": "src/auth.ts"}}),
        ),
    );
    n += 1;
    line(
        &mut out,
        &json!({"type": "queue-operation", "operation": "enqueue", "sessionId": sid, "timestamp": "2026-03-05T10:00:09.000Z", "content": "also docs"}),
    );
    line(
        &mut out,
        &json!({"type": "ai-title", "aiTitle": "JWT auth", "sessionId": sid}),
    );
    line(
        &mut out,
        &json!({"type": "agent-name", "agentName": "main", "sessionId": sid}),
    );
    line(
        &mut out,
        &json!({"type": "last-prompt", "lastPrompt": "write tests", "sessionId": sid}),
    );
    line(
        &mut out,
        &json!({"type": "pr-link", "prNumber": 42, "prUrl": "https://example.invalid/pr/42", "prRepository": "dev/webapp", "sessionId": sid}),
    );
    line(
        &mut out,
        &json!({"type": "permission-mode", "permissionMode": "default", "sessionId": sid}),
    );
    // A line that is not UTF-8.
    out.extend_from_slice(
        b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"\xff\xfe\"}}\n",
    );
    while out.len() < pad_to {
        turn(
            &mut out,
            &mut n,
            "Keep going with the next step of the plan, please.",
            "claude-sonnet-4-5",
        );
        turns += 1;
    }
    if let Some(title) = &s.custom_title {
        line(
            &mut out,
            &json!({"type": "custom-title", "customTitle": title, "sessionId": sid}),
        );
    }
    // A truncated last line (the writer was interrupted).
    out.extend_from_slice(br#"{"type":"custom-title","customTitle":"never-finis"#);
    // Per turn a user line and one assistant message (two lines); plus the tool result and the
    // non-UTF-8 user line (its broken bytes sit in content nobody decodes).
    s.message_count = 2 * turns + 2;
    s.output_tokens = 96 * turns;
    write(&dir.join(format!("{sid}.jsonl")), &out, mtime)?;
    if i == 0 {
        let agent = envelope(
            "user",
            1,
            json!({"isSidechain": true, "agentId": "a1", "message": {"role": "user", "content": "sub"}}),
        );
        let mut sub = Vec::new();
        line(&mut sub, &agent);
        write(&dir.join("agent-a1b2c3.jsonl"), &sub, mtime)?;
        write(
            &dir.join(&sid).join("subagents").join("agent-a1b2c3.jsonl"),
            &sub,
            mtime,
        )?;
    }
    Ok(())
}

fn write_indexes(projects_dir: &Path, sessions: &[FixtureSession]) -> std::io::Result<()> {
    let mtime = at(BASE_SECS, 0);
    // project-0: an index listing its sessions; project-1: a stale empty index; project-2: none.
    let entries: Vec<Value> = sessions
        .iter()
        .filter(|s| s.cwd.ends_with("project-0"))
        .map(|s| json!({"sessionId": s.uuid, "fullPath": null, "fileMtime": 1_772_705_217_331_u64,
            "firstPrompt": "Add JWT auth to the API and write tests", "summary": format!("Summary of {}", s.slug),
            "customTitle": s.custom_title, "messageCount": s.message_count,
            "created": "2026-03-05T09:00:00.000Z", "modified": "2026-03-05T10:42:17.331Z",
            "gitBranch": "main", "projectPath": s.cwd, "isSidechain": false}))
        .collect();
    let p0 = json!({"version": 1, "entries": entries, "originalPath": "/home/dev/src/project-0"});
    write(
        &projects_dir
            .join("-home-dev-src-project-0")
            .join("sessions-index.json"),
        &pretty(&p0),
        mtime,
    )?;
    if sessions.len() > 1 {
        let p1 = json!({"version": 1, "entries": [], "originalPath": "/home/dev/src/project-1"});
        write(
            &projects_dir
                .join("-home-dev-src-project-1")
                .join("sessions-index.json"),
            &pretty(&p1),
            mtime,
        )?;
    }
    Ok(())
}
