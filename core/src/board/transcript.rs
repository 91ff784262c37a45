//! What a session transcript (`<project>/<sessionId>.jsonl`) says about its session, read line
//! by line: truncated, non-JSON and non-UTF-8 lines are skipped, and no line is ever joined
//! with the next. [`TranscriptIndex`] keeps the totals between reads and reads only the bytes
//! appended since, so a transcript is never re-read in full.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Deserialize;

/// Token counts of a session, each API response counted once (by `message.id`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// `input_tokens`.
    pub input: f64,
    /// `output_tokens`.
    pub output: f64,
    /// `cache_creation_input_tokens`.
    pub cache_creation: f64,
    /// `cache_read_input_tokens`.
    pub cache_read: f64,
}

impl Usage {
    fn add(&mut self, other: &Usage) {
        self.input += other.input;
        self.output += other.output;
        self.cache_creation += other.cache_creation;
        self.cache_read += other.cache_read;
    }

    /// Swaps one message's counted usage for its newer figures.
    fn replace(&mut self, old: &Usage, new: &Usage) {
        self.input += new.input - old.input;
        self.output += new.output - old.output;
        self.cache_creation += new.cache_creation - old.cache_creation;
        self.cache_read += new.cache_read - old.cache_read;
    }
}

/// The metadata of one transcript.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TranscriptMeta {
    /// The last `custom-title` (set by `/rename`).
    pub custom_title: Option<String>,
    /// The first `slug`.
    pub slug: Option<String>,
    /// The first `cwd`: the project.
    pub cwd: Option<String>,
    /// The last non-empty `gitBranch`.
    pub git_branch: Option<String>,
    /// The first `timestamp`.
    pub first_timestamp: Option<String>,
    /// The last `timestamp`: the last activity.
    pub last_timestamp: Option<String>,
    /// `user` lines plus assistant messages (one per `message.id`).
    pub message_count: u32,
    /// Models that answered, in order of first use.
    pub models: Vec<String>,
    /// Token usage, deduplicated by message id.
    pub usage: Usage,
}

impl TranscriptMeta {
    /// `customTitle` ?? `slug`.
    pub fn display_name(&self) -> Option<String> {
        self.custom_title.clone().or_else(|| self.slug.clone())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    custom_title: Option<String>,
    slug: Option<String>,
    cwd: Option<String>,
    git_branch: Option<String>,
    timestamp: Option<String>,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    id: Option<String>,
    model: Option<String>,
    usage: Option<RawUsage>,
}

#[derive(Deserialize)]
struct RawUsage {
    input_tokens: Option<f64>,
    output_tokens: Option<f64>,
    cache_creation_input_tokens: Option<f64>,
    cache_read_input_tokens: Option<f64>,
}

impl From<&RawUsage> for Usage {
    fn from(raw: &RawUsage) -> Self {
        Self {
            input: raw.input_tokens.unwrap_or(0.0),
            output: raw.output_tokens.unwrap_or(0.0),
            cache_creation: raw.cache_creation_input_tokens.unwrap_or(0.0),
            cache_read: raw.cache_read_input_tokens.unwrap_or(0.0),
        }
    }
}

/// Reads a whole transcript file; `None` (with a warning) when it cannot be opened.
pub fn read_file(path: &Path) -> Option<TranscriptMeta> {
    match std::fs::File::open(path) {
        Ok(file) => Some(read(file)),
        Err(err) => {
            tracing::warn!(file = %path.display(), %err, "transcript unreadable; skipped");
            None
        }
    }
}

/// Reads transcript lines from any reader.
pub fn read(reader: impl Read) -> TranscriptMeta {
    let mut tail = Tail::default();
    tail.feed(BufReader::with_capacity(64 * 1024, reader));
    tail.meta()
}

/// What has been read of one transcript so far: the totals, and the bytes of a line whose
/// newline has not been written yet.
#[derive(Default)]
struct Tail {
    identity: Option<(u64, u64)>,
    offset: u64,
    pending: Vec<u8>,
    meta: TranscriptMeta,
    recent: RecentMessages,
}

/// How many recent assistant message ids are remembered for deduplication.
const RECENT_MESSAGES: usize = 64;

/// The usage of the last few assistant messages by id. Claude Code writes one response as
/// consecutive lines sharing its `message.id` (each with the usage so far); a window of recent
/// ids, rather than every id of the file, keeps a long transcript's memory constant.
#[derive(Default)]
struct RecentMessages {
    ids: std::collections::VecDeque<(u64, Usage)>,
}

impl RecentMessages {
    /// Records `usage` as the latest for `id`; the usage it replaces, or `None` for a new id.
    fn record(&mut self, id: &str, usage: Usage) -> Option<Usage> {
        let key = id_key(id);
        if let Some(slot) = self.ids.iter_mut().find(|(k, _)| *k == key) {
            return Some(std::mem::replace(&mut slot.1, usage));
        }
        if self.ids.len() == RECENT_MESSAGES {
            self.ids.pop_front();
        }
        self.ids.push_back((key, usage));
        None
    }
}

/// A stable 64-bit key for a message id (collisions among a window of 64 are negligible).
fn id_key(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

impl Tail {
    /// Applies every complete line `reader` yields; a last line without its newline is applied
    /// if it is already valid JSON, else kept until the rest of it arrives.
    fn feed(&mut self, mut reader: impl BufRead) -> u64 {
        let mut consumed = 0u64;
        loop {
            match reader.read_until(b'\n', &mut self.pending) {
                Ok(0) => break,
                Ok(n) => consumed += n as u64,
                Err(err) => {
                    tracing::warn!(%err, "transcript read failed; keeping what was read");
                    break;
                }
            }
            if self.pending.ends_with(b"\n") {
                self.apply_pending();
            }
        }
        if !self.pending.is_empty() && serde_json::from_slice::<Line>(&self.pending).is_ok() {
            self.apply_pending();
        }
        // A transcript line can be megabytes (a tool result); keep no buffer of that size
        // between reads, only a partial line's own bytes.
        if self.pending.capacity() > 4 * self.pending.len().max(1024) {
            self.pending.shrink_to_fit();
        }
        consumed
    }

    fn apply_pending(&mut self) {
        // serde_json refuses invalid UTF-8 and truncated JSON: such lines are skipped.
        if let Ok(parsed) = serde_json::from_slice::<Line>(&self.pending) {
            apply(&mut self.meta, &mut self.recent, parsed);
        }
        self.pending.clear();
    }

    fn meta(&self) -> TranscriptMeta {
        self.meta.clone()
    }
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn identity(_metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Transcript metadata kept between requests: each file is read once, then only the bytes
/// appended since (a file that shrank or was replaced is read again from the start).
#[derive(Default)]
pub struct TranscriptIndex {
    files: Mutex<HashMap<PathBuf, Tail>>,
    bytes_read: AtomicU64,
}

impl std::fmt::Debug for TranscriptIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranscriptIndex").finish_non_exhaustive()
    }
}

impl TranscriptIndex {
    /// The transcript's metadata, brought up to date by reading what was appended.
    ///
    /// The file is read outside the map's lock, so several transcripts can be read at once;
    /// one transcript must not be read by two callers at the same time (the board's writer
    /// lock sees to that).
    pub fn read(&self, path: &Path) -> Option<TranscriptMeta> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(err) => {
                tracing::warn!(file = %path.display(), %err, "transcript unreadable; skipped");
                self.files().remove(path);
                return None;
            }
        };
        let metadata = file.metadata().ok()?;
        let (len, id) = (metadata.len(), identity(&metadata));
        let mut tail = self.files().remove(path).unwrap_or_default();
        if len < tail.offset || id != tail.identity {
            tail = Tail {
                identity: id,
                ..Tail::default()
            };
        }
        if len > tail.offset {
            let mut file = file;
            if let Err(err) = file.seek(SeekFrom::Start(tail.offset)) {
                tracing::warn!(file = %path.display(), %err, "transcript seek failed; skipped");
                return None;
            }
            let reader = BufReader::with_capacity(64 * 1024, file.take(len - tail.offset));
            let consumed = tail.feed(reader);
            tail.offset += consumed;
            self.bytes_read.fetch_add(consumed, Ordering::Relaxed);
        }
        let meta = tail.meta();
        self.files().insert(path.to_path_buf(), tail);
        Some(meta)
    }

    /// Forgets one transcript (it was removed).
    pub fn forget(&self, path: &Path) {
        self.files().remove(path);
    }

    /// Forgets transcripts that are no longer among `present`.
    pub fn retain(&self, present: &HashSet<PathBuf>) {
        self.files().retain(|path, _| present.contains(path));
    }

    /// How many transcript bytes were read in total (for tests and diagnostics).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    fn files(&self) -> MutexGuard<'_, HashMap<PathBuf, Tail>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn apply(meta: &mut TranscriptMeta, recent: &mut RecentMessages, line: Line) {
    let kind = line.kind.as_deref().unwrap_or("");
    if kind == "custom-title"
        && let Some(title) = line.custom_title.filter(|t| !t.is_empty())
    {
        meta.custom_title = Some(title);
    }
    if meta.slug.is_none() {
        meta.slug = line.slug.filter(|s| !s.is_empty());
    }
    if meta.cwd.is_none() {
        meta.cwd = line.cwd.filter(|c| !c.is_empty());
    }
    if let Some(branch) = line.git_branch.filter(|b| !b.is_empty()) {
        meta.git_branch = Some(branch);
    }
    if let Some(ts) = line.timestamp.filter(|t| !t.is_empty()) {
        if meta.first_timestamp.is_none() {
            meta.first_timestamp = Some(ts.clone());
        }
        meta.last_timestamp = Some(ts);
    }
    match (kind, line.message) {
        ("user", _) => meta.message_count += 1,
        ("assistant", Some(message)) => {
            if let Some(model) = message
                .model
                .filter(|m| !m.is_empty() && m != "<synthetic>")
                && !meta.models.contains(&model)
            {
                meta.models.push(model);
            }
            let usage = message.usage.as_ref().map(Usage::from).unwrap_or_default();
            match message.id {
                // One response is split over several lines with the same id: count it once,
                // keeping the last line's usage (the most complete).
                Some(id) => match recent.record(&id, usage) {
                    Some(replaced) => meta.usage.replace(&replaced, &usage),
                    None => {
                        meta.message_count += 1;
                        meta.usage.add(&usage);
                    }
                },
                None => {
                    meta.message_count += 1;
                    meta.usage.add(&usage);
                }
            }
        }
        ("assistant", None) => meta.message_count += 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = concat!(
        r#"{"type":"file-history-snapshot","messageId":"m0","snapshot":{"messageId":"m0","trackedFileBackups":{},"timestamp":"2026-03-05T10:00:00.120Z"},"isSnapshotUpdate":false}"#,
        "\n",
        r#"{"type":"summary","summary":"JWT auth","leafUuid":"u9"}"#,
        "\n",
        r#"{"parentUuid":null,"cwd":"/home/dev/src/webapp","sessionId":"s1","gitBranch":"","slug":"glimmering-dancing-otter","type":"user","message":{"role":"user","content":"hi"},"uuid":"u1","timestamp":"2026-03-05T10:00:00.118Z"}"#,
        "\n",
        r#"{"cwd":"/elsewhere","gitBranch":"feat/auth","slug":"other-slug","type":"assistant","message":{"model":"claude-opus-4-6","id":"msg_1","content":[{"type":"thinking","thinking":"…"}],"usage":{"input_tokens":3,"cache_creation_input_tokens":2048,"cache_read_input_tokens":100,"output_tokens":10}},"timestamp":"2026-03-05T10:00:03.402Z"}"#,
        "\n",
        r#"{"cwd":"/elsewhere","type":"assistant","message":{"model":"claude-opus-4-6","id":"msg_1","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"cache_creation_input_tokens":2048,"cache_read_input_tokens":100,"output_tokens":96}},"timestamp":"2026-03-05T10:00:03.500Z"}"#,
        "\n",
        r#"{"type":"custom-title","customTitle":"first-title","sessionId":"s1"}"#,
        "\n",
        r#"{"type":"assistant","message":{"model":"claude-haiku-4-5","id":"msg_2","content":[],"usage":{"input_tokens":1,"output_tokens":4}},"timestamp":"2026-03-05T10:01:00.000Z"}"#,
        "\n",
        r#"{"type":"system","subtype":"turn_duration","durationMs":5284,"timestamp":"2026-03-05T10:01:05.000Z"}"#,
        "\n",
        r#"{"type":"custom-title","customTitle":"refactor-auth-flow","sessionId":"s1"}"#,
        "\n",
    );

    #[test]
    fn reads_names_project_counts_models_and_deduplicated_usage() {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes.extend_from_slice(b"{\"type\":\"user\",\"message\":\"\xff\xfe broken\"}\n");
        bytes.extend_from_slice(b"not json at all\n");
        bytes.extend_from_slice(br#"{"type":"custom-title","customTitle":"trunc"#);
        let meta = read(&bytes[..]);
        assert_eq!(meta.custom_title.as_deref(), Some("refactor-auth-flow"));
        assert_eq!(meta.display_name().as_deref(), Some("refactor-auth-flow"));
        assert_eq!(meta.slug.as_deref(), Some("glimmering-dancing-otter"));
        assert_eq!(meta.cwd.as_deref(), Some("/home/dev/src/webapp"));
        assert_eq!(meta.git_branch.as_deref(), Some("feat/auth"));
        assert_eq!(
            meta.first_timestamp.as_deref(),
            Some("2026-03-05T10:00:00.118Z")
        );
        assert_eq!(
            meta.last_timestamp.as_deref(),
            Some("2026-03-05T10:01:05.000Z")
        );
        assert_eq!(meta.message_count, 3);
        assert_eq!(meta.models, ["claude-opus-4-6", "claude-haiku-4-5"]);
        assert_eq!(
            meta.usage,
            Usage {
                input: 4.0,
                output: 100.0,
                cache_creation: 2048.0,
                cache_read: 100.0
            }
        );
    }

    #[test]
    fn name_falls_back_to_slug_and_empty_input_is_empty() {
        let meta =
            read(&br#"{"type":"user","slug":"a-b-c","message":{"role":"user","content":"x"}}"#[..]);
        assert_eq!(meta.display_name().as_deref(), Some("a-b-c"));
        assert_eq!(read(&b""[..]), TranscriptMeta::default());
    }

    #[test]
    fn a_large_transcript_is_read_to_its_end() {
        let filler = r#"{"type":"user","message":{"role":"user","content":"padding padding padding padding"},"timestamp":"2026-01-01T00:00:00.000Z"}"#;
        let mut text = String::new();
        for _ in 0..50_000 {
            text.push_str(filler);
            text.push('\n');
        }
        text.push_str(r#"{"type":"custom-title","customTitle":"late-title"}"#);
        text.push('\n');
        assert!(text.len() > 5_000_000);
        let meta = read(text.as_bytes());
        assert_eq!(meta.custom_title.as_deref(), Some("late-title"));
        assert_eq!(meta.message_count, 50_000);
    }

    #[test]
    fn the_index_reads_only_appended_bytes_and_completes_split_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(&path, SAMPLE).unwrap();
        let index = TranscriptIndex::default();
        let full = index.read(&path).unwrap();
        assert_eq!(full, read(SAMPLE.as_bytes()));
        let after_first = index.bytes_read();
        assert_eq!(after_first, SAMPLE.len() as u64);

        let line = r#"{"type":"user","message":{"role":"user","content":"more"},"timestamp":"2026-03-05T11:00:00.000Z"}"#;
        let (head, rest) = line.split_at(20);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut file, head.as_bytes()).unwrap();
        let partial = index.read(&path).unwrap();
        assert_eq!(
            partial.message_count, full.message_count,
            "half a line is not a message yet"
        );
        std::io::Write::write_all(&mut file, format!("{rest}\n").as_bytes()).unwrap();
        let grown = index.read(&path).unwrap();
        assert_eq!(grown.message_count, full.message_count + 1);
        assert_eq!(
            grown.last_timestamp.as_deref(),
            Some("2026-03-05T11:00:00.000Z")
        );
        assert_eq!(index.bytes_read(), after_first + line.len() as u64 + 1);

        // Unchanged: nothing is read. Rewritten shorter: read again from the start.
        assert!(index.read(&path).is_some());
        assert_eq!(index.bytes_read(), after_first + line.len() as u64 + 1);
        std::fs::write(&path, "{\"type\":\"user\",\"timestamp\":\"t\"}\n").unwrap();
        assert_eq!(index.read(&path).unwrap().message_count, 1);
    }

    #[test]
    fn memory_stays_flat_on_long_transcripts_and_huge_lines() {
        let mut text = String::new();
        for n in 0..10_000 {
            // Two lines per response, as Claude Code writes them.
            for output in [1, 5] {
                text.push_str(&format!(
                    r#"{{"type":"assistant","message":{{"id":"msg_{n}","model":"m","usage":{{"output_tokens":{output}}}}}}}"#
                ));
                text.push('\n');
            }
        }
        let huge = "x".repeat(4 * 1024 * 1024);
        text.push_str(&format!(
            r#"{{"type":"user","message":{{"content":"{huge}"}}}}"#
        ));
        text.push('\n');
        let mut tail = Tail::default();
        tail.feed(text.as_bytes());
        let meta = tail.meta();
        assert_eq!(meta.message_count, 10_001);
        assert_eq!(
            meta.usage.output, 50_000.0,
            "each response counted once, last figures"
        );
        assert!(tail.recent.ids.len() <= RECENT_MESSAGES);
        assert!(
            tail.pending.capacity() < 64 * 1024,
            "a 4 MiB line left a {} byte buffer behind",
            tail.pending.capacity()
        );
    }
}
