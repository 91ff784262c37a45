//! The `fs` adapter: file operations confined to the workspace (see [`jail`]).
//!
//! The jail root is `data.workspaceRoot` when given (it must be absolute), else the run's
//! workspace. Actions and their output:
//!
//! - `read-file` (`path`) → `{path, content, bytes}`; UTF-8 text of at most 10 MiB.
//! - `write-file` (`path`, `content`) → `{path, bytes}`; parent directories are created, the
//!   write is atomic and an existing file keeps its permissions.
//! - `edit-file` (`path`, `oldString`, `newString`, `replaceAll`) → `{path, replacements}`;
//!   `oldString` must occur exactly once unless `replaceAll`.
//! - `delete-file` (`path`) → `{path, deleted}`; one regular file, never a directory.
//! - `glob` (`pattern`, relative, `**` crosses directories, `*` does not) →
//!   `{files, count, truncated}`: sorted relative paths of files (symlinks are not followed; a
//!   symlink is listed only when it resolves to a file inside the jail).
//! - `grep` (`pattern`, `path` file or directory, `regex`) → `{matches: [{path, line, text}],
//!   count, truncated}`; literal unless `regex`, binary files skipped.
//! - `list-dir` (`path`) → `{path, entries: [{name, kind, bytes}]}` sorted by name, `kind`
//!   being `file`, `dir` or `symlink`.
//!
//! `path` in single-file results is the resolved absolute path; listings are relative to the
//! jail root. Lists stop at 10,000 items with `truncated: true`.

pub mod jail;

use std::io::Read;
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use self::jail::{PathEscape, confine_path};
use crate::engine::{Adapter, AdapterCtx, AdapterError, ExecutionEventKind, NodeInvocation};

/// Largest file `read-file`, `edit-file` and `grep` read.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Most items `glob` and `grep` return.
pub const MAX_RESULTS: usize = 10_000;
/// `grep` keeps at most this many characters of a matching line.
const MAX_MATCH_TEXT_CHARS: usize = 1_000;
/// Bytes inspected for a NUL when deciding a file is binary.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// Runs `fs` nodes.
#[derive(Debug, Default)]
pub struct FsAdapter;

impl Adapter for FsAdapter {
    fn name(&self) -> &'static str {
        "fs"
    }

    fn execute<'a>(
        &'a self,
        node: &'a NodeInvocation,
        ctx: &'a AdapterCtx,
    ) -> BoxFuture<'a, Result<Value, AdapterError>> {
        Box::pin(async move {
            ctx.reporter.emit(ExecutionEventKind::ToolCall {
                node_id: node.node_id.clone(),
                name: format!("fs__{}", node.action_id),
                summary: summary(node),
            });
            if ctx.cancel.is_cancelled() {
                return Err(AdapterError::Cancelled);
            }
            let root = jail_root(&node.data, &ctx.workspace_root)?;
            let action = node.action_id.clone();
            let data = node.data.clone();
            let cancel = ctx.cancel.clone();
            // Walks and reads block; keep them off the async workers.
            tokio::task::spawn_blocking(move || dispatch(&action, &data, &root, &cancel))
                .await
                .map_err(|err| failed(format!("the fs worker stopped: {err}")))?
        })
    }
}

fn summary(node: &NodeInvocation) -> String {
    let field = |name: &str| node.data.get(name).and_then(Value::as_str).unwrap_or("");
    match node.action_id.as_str() {
        "glob" => field("pattern").to_owned(),
        "grep" => format!("{:?} in {}", field("pattern"), or_dot(field("path"))),
        "list-dir" => or_dot(field("path")).to_owned(),
        _ => field("path").to_owned(),
    }
}

fn or_dot(path: &str) -> &str {
    if path.trim().is_empty() { "." } else { path }
}

fn jail_root(data: &Map<String, Value>, workspace: &Path) -> Result<PathBuf, AdapterError> {
    match data.get("workspaceRoot") {
        None | Some(Value::Null) => Ok(workspace.to_path_buf()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(workspace.to_path_buf()),
        Some(Value::String(s)) if Path::new(s).is_absolute() => Ok(PathBuf::from(s)),
        Some(other) => Err(rejected(format!(
            "workspaceRoot must be an absolute path, got {other}"
        ))),
    }
}

fn dispatch(
    action: &str,
    data: &Map<String, Value>,
    root: &Path,
    cancel: &CancellationToken,
) -> Result<Value, AdapterError> {
    let root = root.canonicalize().map_err(|err| {
        rejected(format!(
            "workspace root {} is not usable: {err}",
            root.display()
        ))
    })?;
    let jail = Jail { root: &root };
    match action {
        "read-file" => read_file(&jail, data),
        "write-file" => write_file(&jail, data),
        "edit-file" => edit_file(&jail, data),
        "delete-file" => delete_file(&jail, data),
        "glob" => glob(&jail, data, cancel),
        "grep" => grep(&jail, data, cancel),
        "list-dir" => list_dir(&jail, data),
        other => Err(rejected(format!(
            "unknown fs action '{other}' (expected read-file, write-file, edit-file, \
             delete-file, glob, grep or list-dir)"
        ))),
    }
}

/// The canonical root and the helpers every action needs.
struct Jail<'a> {
    root: &'a Path,
}

impl Jail<'_> {
    fn confine(&self, candidate: &str) -> Result<PathBuf, AdapterError> {
        confine_path(self.root, candidate).map_err(|err| match err {
            PathEscape::Io { .. } => failed(err.to_string()),
            _ => rejected(err.to_string()),
        })
    }

    /// `path` relative to the root with `/` separators (`.` for the root itself).
    fn relative(&self, path: &Path) -> String {
        match path.strip_prefix(self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => path.display().to_string(),
        }
    }
}

fn rejected(reason: String) -> AdapterError {
    AdapterError::Rejected(reason)
}

fn failed(reason: String) -> AdapterError {
    AdapterError::Failed {
        reason,
        output: None,
    }
}

fn required_str<'a>(data: &'a Map<String, Value>, field: &str) -> Result<&'a str, AdapterError> {
    match data.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(rejected(format!("{field} is required")))
        }
        Some(other) => Err(rejected(format!("{field} must be a string, got {other}"))),
    }
}

fn optional_str<'a>(
    data: &'a Map<String, Value>,
    field: &str,
    default: &'a str,
) -> Result<&'a str, AdapterError> {
    match data.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(default),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(rejected(format!("{field} must be a string, got {other}"))),
    }
}

fn flag(data: &Map<String, Value>, field: &str) -> Result<bool, AdapterError> {
    match data.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        // Template resolution yields strings; accept their spelling of a boolean.
        Some(Value::String(s)) if s == "true" => Ok(true),
        Some(Value::String(s)) if s == "false" || s.is_empty() => Ok(false),
        Some(other) => Err(rejected(format!(
            "{field} must be true or false, got {other}"
        ))),
    }
}

fn io_failure(what: &str, shown: &str, err: &std::io::Error) -> AdapterError {
    match err.kind() {
        std::io::ErrorKind::NotFound => failed(format!("{what} not found: {shown}")),
        _ => failed(format!("{shown}: {err}")),
    }
}

/// Reads a UTF-8 text file of at most [`MAX_FILE_BYTES`].
fn read_text(path: &Path, shown: &str) -> Result<String, AdapterError> {
    let meta = std::fs::metadata(path).map_err(|e| io_failure("file", shown, &e))?;
    if meta.is_dir() {
        return Err(rejected(format!("{shown} is a directory, not a file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(failed(format!(
            "{shown} is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| io_failure("file", shown, &e))?;
    let mut bytes = Vec::new();
    // Bounded even if the file grows between the size check and the read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_failure("file", shown, &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(failed(format!(
            "{shown} is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|_| failed(format!("{shown} is not UTF-8 text")))
}

/// Replaces `path` atomically, keeping an existing file's permissions (new files get 0644).
fn write_text(path: &Path, shown: &str, content: &str) -> Result<(), AdapterError> {
    if path.is_dir() {
        return Err(rejected(format!("{shown} is a directory, not a file")));
    }
    let previous = std::fs::metadata(path).ok().map(|m| m.permissions());
    crate::atomic_file::write(path, content.as_bytes())
        .map_err(|err| failed(format!("writing {shown}: {err}")))?;
    // The temp file behind the atomic write is created 0600; restore what people expect.
    let restored = match previous {
        Some(permissions) => std::fs::set_permissions(path, permissions),
        None => set_new_file_mode(path),
    };
    if let Err(err) = restored {
        tracing::warn!(%err, path = %path.display(), "could not restore file permissions");
    }
    Ok(())
}

#[cfg(unix)]
fn set_new_file_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_path: &Path) -> std::io::Result<()> {
    // No mode bits to fix: a new file's default ACL is what people expect.
    Ok(())
}

fn read_file(jail: &Jail<'_>, data: &Map<String, Value>) -> Result<Value, AdapterError> {
    let shown = required_str(data, "path")?;
    let path = jail.confine(shown)?;
    let content = read_text(&path, shown)?;
    Ok(json!({
        "path": path.display().to_string(),
        "bytes": content.len(),
        "content": content,
    }))
}

fn write_file(jail: &Jail<'_>, data: &Map<String, Value>) -> Result<Value, AdapterError> {
    let shown = required_str(data, "path")?;
    let content = match data.get("content") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(rejected(format!("content must be a string, got {other}"))),
    };
    let path = jail.confine(shown)?;
    write_text(&path, shown, content)?;
    Ok(json!({ "path": path.display().to_string(), "bytes": content.len() }))
}

fn edit_file(jail: &Jail<'_>, data: &Map<String, Value>) -> Result<Value, AdapterError> {
    let shown = required_str(data, "path")?;
    let old = required_str(data, "oldString")?;
    let new = match data.get("newString") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(rejected(format!("newString must be a string, got {other}"))),
    };
    let replace_all = flag(data, "replaceAll")?;
    let path = jail.confine(shown)?;
    let content = read_text(&path, shown)?;
    let occurrences = content.matches(old).count();
    match occurrences {
        0 => return Err(failed("oldString not found".to_owned())),
        1 => {}
        n if !replace_all => {
            return Err(failed(format!(
                "oldString occurs {n} times; set replaceAll or give more context"
            )));
        }
        _ => {}
    }
    let edited = content.replace(old, new);
    write_text(&path, shown, &edited)?;
    Ok(json!({ "path": path.display().to_string(), "replacements": occurrences }))
}

fn delete_file(jail: &Jail<'_>, data: &Map<String, Value>) -> Result<Value, AdapterError> {
    let shown = required_str(data, "path")?;
    let path = jail.confine(shown)?;
    let meta = std::fs::symlink_metadata(&path).map_err(|e| io_failure("file", shown, &e))?;
    if meta.is_dir() {
        return Err(rejected(format!(
            "{shown} is a directory; delete-file removes single files"
        )));
    }
    if !meta.is_file() {
        return Err(rejected(format!("{shown} is not a regular file")));
    }
    std::fs::remove_file(&path).map_err(|e| io_failure("file", shown, &e))?;
    Ok(json!({ "path": path.display().to_string(), "deleted": true }))
}

fn glob(
    jail: &Jail<'_>,
    data: &Map<String, Value>,
    cancel: &CancellationToken,
) -> Result<Value, AdapterError> {
    let pattern = required_str(data, "pattern")?;
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    if Path::new(pattern).is_absolute() || pattern.split(['/', '\\']).any(|seg| seg == "..") {
        return Err(rejected(format!(
            "glob pattern must be relative to the workspace without '..': {pattern}"
        )));
    }
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|err| rejected(format!("invalid glob pattern: {err}")))?
        .compile_matcher();
    let mut files = Vec::new();
    let mut truncated = false;
    for entry in walkdir::WalkDir::new(jail.root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        if cancel.is_cancelled() {
            return Err(AdapterError::Cancelled);
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                tracing::debug!(%err, "glob skipped an unreadable entry");
                continue;
            }
        };
        let rel = jail.relative(entry.path());
        if !matcher.is_match(&rel) {
            continue;
        }
        let kind = entry.file_type();
        let wanted = kind.is_file()
            || (kind.is_symlink()
                && confine_path(jail.root, &rel).is_ok_and(|target| target.is_file()));
        if !wanted {
            continue;
        }
        if files.len() == MAX_RESULTS {
            truncated = true;
            break;
        }
        files.push(rel);
    }
    files.sort();
    Ok(json!({ "files": files, "count": files.len(), "truncated": truncated }))
}

fn grep(
    jail: &Jail<'_>,
    data: &Map<String, Value>,
    cancel: &CancellationToken,
) -> Result<Value, AdapterError> {
    let pattern = required_str(data, "pattern")?;
    let shown = optional_str(data, "path", ".")?;
    let matcher = if flag(data, "regex")? {
        regex::Regex::new(pattern)
            .map_err(|err| rejected(format!("pattern is not a valid regex: {err}")))?
    } else {
        regex::Regex::new(&regex::escape(pattern))
            .map_err(|err| rejected(format!("pattern cannot be searched for: {err}")))?
    };
    let start = jail.confine(shown)?;
    let meta = std::fs::metadata(&start).map_err(|e| io_failure("path", shown, &e))?;
    let files: Box<dyn Iterator<Item = PathBuf>> = if meta.is_dir() {
        Box::new(
            walkdir::WalkDir::new(&start)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(walkdir::DirEntry::into_path),
        )
    } else {
        Box::new(std::iter::once(start))
    };
    let mut matches = Vec::new();
    let mut truncated = false;
    'files: for file in files {
        if cancel.is_cancelled() {
            return Err(AdapterError::Cancelled);
        }
        let Some(text) = searchable_text(&file) else {
            continue;
        };
        let rel = jail.relative(&file);
        for (index, line) in text.lines().enumerate() {
            if !matcher.is_match(line) {
                continue;
            }
            if matches.len() == MAX_RESULTS {
                truncated = true;
                break 'files;
            }
            let shown_text: String = line.chars().take(MAX_MATCH_TEXT_CHARS).collect();
            matches.push(json!({ "path": rel, "line": index + 1, "text": shown_text }));
        }
    }
    Ok(json!({ "matches": matches, "count": matches.len(), "truncated": truncated }))
}

/// The file's text, or None when it is too large, unreadable or binary (a NUL near its start).
fn searchable_text(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.iter().take(BINARY_SNIFF_BYTES).any(|&b| b == 0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn list_dir(jail: &Jail<'_>, data: &Map<String, Value>) -> Result<Value, AdapterError> {
    let shown = optional_str(data, "path", ".")?;
    let dir = jail.confine(shown)?;
    let meta = std::fs::metadata(&dir).map_err(|e| io_failure("directory", shown, &e))?;
    if !meta.is_dir() {
        return Err(rejected(format!("{shown} is not a directory")));
    }
    let reader = std::fs::read_dir(&dir).map_err(|e| io_failure("directory", shown, &e))?;
    let mut entries = Vec::new();
    for entry in reader {
        let entry = entry.map_err(|e| io_failure("directory", shown, &e))?;
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            // Deleted while we listed it.
            continue;
        };
        let kind = if meta.file_type().is_symlink() {
            "symlink"
        } else if meta.is_dir() {
            "dir"
        } else {
            "file"
        };
        entries.push((
            entry.file_name().to_string_lossy().into_owned(),
            kind,
            meta.len(),
        ));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(name, kind, bytes)| json!({ "name": name, "kind": kind, "bytes": bytes }))
        .collect();
    Ok(json!({ "path": jail.relative(&dir), "entries": entries }))
}
