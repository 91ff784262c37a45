//! Opening a connection: the first one creates and migrates the database, later ones (readers,
//! the history writer's) only set the pragmas.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::{schema, sql_error};
use crate::AppError;

/// How long a statement waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Reads and writes.
    ReadWrite,
    /// Reads only: SQLite refuses any write on it (`PRAGMA query_only`).
    ReadOnly,
}

/// Opens (creating if needed) the database, sets the pragmas and migrates the schema.
pub(crate) fn open(path: &Path) -> Result<Connection, AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::io(format!("creating {}", dir.display()), e))?;
    }
    let context = format!("opening {}", path.display());
    let mut conn = Connection::open(path).map_err(sql_error(&context))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql_error(&context))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(sql_error(&context))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(db = %path.display(), journal_mode = %mode, "database is not in WAL mode");
    }
    configure(&conn, Access::ReadWrite).map_err(sql_error(&context))?;
    schema::migrate(&mut conn, path)?;
    Ok(conn)
}

/// Opens another connection to a database [`open`] already created and migrated (the journal
/// mode is a property of the file, so only the per-connection pragmas are set).
pub(super) fn connect(path: &Path, access: Access) -> Result<Connection, AppError> {
    let context = format!("connecting to {}", path.display());
    let conn = Connection::open(path).map_err(sql_error(&context))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql_error(&context))?;
    configure(&conn, access).map_err(sql_error(&context))?;
    Ok(conn)
}

/// Each connection's page cache, in KiB. The server holds up to six connections (the writer,
/// the history writer and four idle readers), and SQLite fills a cache before it evicts: at
/// 64 MB each, a run printing a million lines left ~380 MB resident. The files stay in the
/// system's page cache either way, so a smaller cache costs little.
const CACHE_KIB: i64 = 8 * 1024;

fn configure(conn: &Connection, access: Access) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    if access == Access::ReadOnly {
        conn.pragma_update(None, "query_only", true)?;
    }
    Ok(())
}
