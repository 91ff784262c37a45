//! The schema: its migrations, in order, and the step that applies the missing ones, tracked
//! with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::sql_error;
use crate::AppError;

/// The schema version this build writes (`PRAGMA user_version`): one per migration.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Migrations, in order: entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: the original board's flow-db schema, with RFC 3339 UTC timestamps.
    "CREATE TABLE IF NOT EXISTS features (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        priority INTEGER NOT NULL DEFAULT 0,
        category TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        steps TEXT NOT NULL DEFAULT '[]',
        passes INTEGER NOT NULL DEFAULT 0,
        in_progress INTEGER NOT NULL DEFAULT 0,
        dependencies TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE IF NOT EXISTS change_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        feature_id INTEGER NOT NULL,
        event_type TEXT NOT NULL,
        field TEXT,
        old_value TEXT,
        new_value TEXT,
        agent TEXT,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        FOREIGN KEY (feature_id) REFERENCES features(id) ON DELETE CASCADE
    );
    CREATE INDEX IF NOT EXISTS ix_feature_status ON features(passes, in_progress);
    CREATE INDEX IF NOT EXISTS ix_feature_priority ON features(priority);
    CREATE INDEX IF NOT EXISTS ix_change_events_feature ON change_events(feature_id);",
    // v2: saved flows. The graphs live in `templates/<slug>.flow.json`; these tables hold what
    // files cannot: collections, memberships (only for non-Default placement), the kept
    // revisions (with the sha256 of the exact JSON bytes written, to spot external edits) and a
    // summary cache keyed by file fingerprint so listing does not parse every file.
    "CREATE TABLE IF NOT EXISTS template_collections (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_system INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS template_membership (
        template_slug TEXT PRIMARY KEY,
        collection_slug TEXT NOT NULL
            REFERENCES template_collections(slug) ON DELETE CASCADE
    );
    CREATE INDEX IF NOT EXISTS ix_template_membership_collection
        ON template_membership(collection_slug);
    CREATE TABLE IF NOT EXISTS flow_revisions (
        slug TEXT NOT NULL,
        revision INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        name TEXT NOT NULL,
        node_count INTEGER NOT NULL,
        edge_count INTEGER NOT NULL,
        graph_json TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        PRIMARY KEY (slug, revision)
    );
    CREATE TABLE IF NOT EXISTS flow_index (
        slug TEXT PRIMARY KEY,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        description TEXT,
        node_count INTEGER NOT NULL,
        edge_count INTEGER NOT NULL
    );",
    // v3: run history, written while runs go by the history writer thread. No foreign keys on
    // purpose: every event insert would pay for the check, and retention deletes a run's rows
    // from every table itself. `run_events.line` holds a `node_log` line so text search can
    // LIKE it without decoding JSON.
    "CREATE TABLE IF NOT EXISTS runs (
        execution_id TEXT PRIMARY KEY,
        flow_name TEXT NOT NULL,
        flow_slug TEXT,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        duration_ms REAL,
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        graph_json TEXT
    );
    CREATE INDEX IF NOT EXISTS ix_runs_started ON runs(started_at);
    CREATE INDEX IF NOT EXISTS ix_runs_flow ON runs(flow_slug, started_at);
    CREATE INDEX IF NOT EXISTS ix_runs_status ON runs(status, started_at);
    CREATE INDEX IF NOT EXISTS ix_runs_trigger ON runs(trigger, started_at);
    CREATE TABLE IF NOT EXISTS run_steps (
        execution_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        duration_ms REAL,
        output_json TEXT,
        error TEXT,
        reason TEXT,
        log_lines INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (execution_id, node_id, iteration)
    );
    CREATE TABLE IF NOT EXISTS run_events (
        execution_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node_id TEXT,
        at TEXT NOT NULL,
        json TEXT NOT NULL,
        line TEXT,
        PRIMARY KEY (execution_id, seq)
    );
    CREATE INDEX IF NOT EXISTS ix_run_events_node ON run_events(execution_id, node_id, seq);
    CREATE TABLE IF NOT EXISTS interceptions (
        execution_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        action TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        resolved_at TEXT,
        approved INTEGER
    );
    CREATE INDEX IF NOT EXISTS ix_interceptions_run ON interceptions(execution_id);",
    // v4: schedules, one per saved flow. Times are UTC text `YYYY-MM-DDTHH:MM:SSZ` so text order
    // is time order; `next_run_at` is NULL when the schedule does not fire (disabled/finished).
    "CREATE TABLE IF NOT EXISTS flow_schedules (
        slug TEXT PRIMARY KEY,
        spec_json TEXT NOT NULL,
        next_run_at TEXT,
        run_count INTEGER NOT NULL DEFAULT 0,
        last_run_at TEXT,
        last_status TEXT,
        last_execution_id TEXT,
        finished_reason TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ix_flow_schedules_next ON flow_schedules(next_run_at);
    CREATE INDEX IF NOT EXISTS ix_flow_schedules_execution ON flow_schedules(last_execution_id);",
    // v5: connections' metadata. Their secrets are never here: they live in the credential store
    // named by `secret_store`, keyed by the connection id. `oauth_json` holds what a client may
    // see of an OAuth grant (times, scopes), never a token.
    "CREATE TABLE IF NOT EXISTS connections (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        service TEXT NOT NULL,
        auth TEXT NOT NULL,
        config_json TEXT NOT NULL,
        has_secret INTEGER NOT NULL DEFAULT 0,
        secret_store TEXT,
        oauth_json TEXT,
        needs_reconnect INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_used_at TEXT
    );",
    // v6: Template Hub installs: which saved flow each installed hub entry became, at which hub
    // version, and the sha256 of the JSON the hub wrote, so an edit by the user (a different
    // current content hash) is told apart from an untouched copy whatever the files' mtimes say.
    "CREATE TABLE IF NOT EXISTS template_hub_installs (
        hub_id TEXT PRIMARY KEY,
        flow_slug TEXT NOT NULL UNIQUE,
        hub_version TEXT NOT NULL,
        installed_at TEXT NOT NULL,
        revision INTEGER NOT NULL,
        content_hash TEXT NOT NULL
    );",
    // v7: the AI audit log: every model invocation, review and agent edit, per flow, run and
    // agentic job, with its details as JSON (snapshots of the flow before and after an edit).
    "CREATE TABLE IF NOT EXISTS ai_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        flow_slug TEXT,
        execution_id TEXT,
        node_id TEXT,
        job_id TEXT,
        summary TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ix_ai_audit_flow ON ai_audit(flow_slug, id);
    CREATE INDEX IF NOT EXISTS ix_ai_audit_run ON ai_audit(execution_id, id);
    CREATE INDEX IF NOT EXISTS ix_ai_audit_job ON ai_audit(job_id, id);",
    // v8: a monitor's interceptions of failed runs, each kept whole as JSON (with the flow's
    // DSL before and after its fix, for revert), found by run and flow.
    "CREATE TABLE IF NOT EXISTS agentic_interceptions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        execution_id TEXT NOT NULL,
        flow_slug TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ix_agentic_interceptions_run ON agentic_interceptions(execution_id, seq);
    CREATE INDEX IF NOT EXISTS ix_agentic_interceptions_flow ON agentic_interceptions(flow_slug, seq);",
];

/// Brings the schema up to [`SCHEMA_VERSION`], one `BEGIN IMMEDIATE` transaction per step (the
/// version is read inside it, so two processes opening the same file migrate once).
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), AppError> {
    let context = format!("migrating {}", path.display());
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_error(&context))?;
        let version: i32 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(sql_error(&context))?;
        if version > SCHEMA_VERSION {
            return Err(AppError::Unavailable(format!(
                "{} has schema version {version}, newer than this Flow understands ({SCHEMA_VERSION})",
                path.display()
            )));
        }
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|step| MIGRATIONS.get(step))
        else {
            return Ok(());
        };
        tx.execute_batch(sql).map_err(sql_error(&context))?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql_error(&context))?;
        tx.commit().map_err(sql_error(&context))?;
        tracing::info!(db = %path.display(), schema_version = version + 1, "database migrated");
    }
}
