//! The process audit log: one JSON line per `shell`/`cli` invocation, never its output.
//!
//! Files: `<data_dir>/logs/audit/<adapter>-YYYY-MM-DD.jsonl` (UTC date), e.g.
//! `shell-2025-01-31.jsonl`. Each line is one object:
//!
//! | field         | type                 | meaning                                                   |
//! |---------------|----------------------|-----------------------------------------------------------|
//! | `at`          | string (RFC 3339)    | when the invocation ended                                 |
//! | `adapter`     | `"shell"` \| `"cli"` | which adapter ran it                                      |
//! | `executionId` | string               | the run                                                   |
//! | `nodeId`      | string               | the node                                                  |
//! | `action`      | string               | `run-command`, `git`, …, `cli-tool`                       |
//! | `command`     | string               | `run-command` only: the line given to `sh -c`             |
//! | `argv`        | string array         | every other action: the exact argv (absent if unparsable) |
//! | `cwd`         | string \| null       | the resolved working directory (null if rejected before)  |
//! | `env`         | `"scrubbed"` \| `"inherit"` | the environment policy                             |
//! | `exitCode`    | integer \| null      | null unless the process exited by itself                  |
//! | `outcome`     | string               | `ok`, `failed`, `timeout`, `cancelled` or `rejected`      |
//! | `durationMs`  | integer              | wall time of the process (0 if it never started)          |
//! | `outputBytes` | integer              | stdout + stderr bytes read                                |
//!
//! Lines are written with one `write_all` on a file opened for append, so concurrent writers
//! (parallel nodes, several runs) never interleave within a line.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::engine::adapter::AdapterCtx;

/// One audit record, built up as the invocation proceeds.
#[derive(Debug, Clone)]
pub(super) struct AuditRecord {
    /// `shell` or `cli`: also the file name prefix.
    pub adapter: &'static str,
    /// The run.
    pub execution_id: String,
    /// The node.
    pub node_id: String,
    /// The action id.
    pub action: String,
    /// `sh -c` line (`run-command`).
    pub command: Option<String>,
    /// Exact argv (everything else).
    pub argv: Option<Vec<String>>,
    /// Resolved working directory.
    pub cwd: Option<PathBuf>,
    /// `scrubbed` or `inherit`.
    pub env: &'static str,
    /// Exit code, when it exited by itself.
    pub exit_code: Option<i32>,
    /// `ok`, `failed`, `timeout`, `cancelled`, `rejected`.
    pub outcome: &'static str,
    /// Wall time.
    pub duration_ms: u64,
    /// Output bytes read.
    pub output_bytes: u64,
}

impl AuditRecord {
    fn to_json(&self, at: &str) -> Value {
        let mut line = Map::new();
        line.insert("at".into(), json!(at));
        line.insert("adapter".into(), json!(self.adapter));
        line.insert("executionId".into(), json!(self.execution_id));
        line.insert("nodeId".into(), json!(self.node_id));
        line.insert("action".into(), json!(self.action));
        if let Some(command) = &self.command {
            line.insert("command".into(), json!(command));
        }
        if let Some(argv) = &self.argv {
            line.insert("argv".into(), json!(argv));
        }
        line.insert(
            "cwd".into(),
            json!(self.cwd.as_ref().map(|c| c.display().to_string())),
        );
        line.insert("env".into(), json!(self.env));
        line.insert("exitCode".into(), json!(self.exit_code));
        line.insert("outcome".into(), json!(self.outcome));
        line.insert("durationMs".into(), json!(self.duration_ms));
        line.insert("outputBytes".into(), json!(self.output_bytes));
        Value::Object(line)
    }
}

/// Appends `record` to today's audit file under the run's data directory, with every known
/// secret masked (a command line may carry one).
///
/// Failing to audit is logged, not fatal: the node already ran (or was refused), and failing it
/// afterwards would misreport what happened.
pub(super) async fn append(ctx: &AdapterCtx, record: AuditRecord) {
    let dir = ctx.data_dir.join("logs").join("audit");
    let redactor = ctx
        .app
        .as_ref()
        .and_then(crate::app::WeakApp::upgrade)
        .map(|app| app.credentials().redactor().clone());
    let outcome =
        tokio::task::spawn_blocking(move || write_line(&dir, &record, redactor.as_deref())).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::warn!(%err, "could not append to the audit log"),
        Err(err) => tracing::warn!(%err, "the audit writer stopped"),
    }
}

fn write_line(
    dir: &Path,
    record: &AuditRecord,
    redactor: Option<&crate::credentials::Redactor>,
) -> std::io::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    let at = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let day = now
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    let mut json = record.to_json(&at);
    if let Some(redactor) = redactor {
        redactor.redact_json(&mut json);
    }
    let mut line = json.to_string();
    line.push('\n');
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}-{day}.jsonl", record.adapter));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(line.as_bytes())
}
