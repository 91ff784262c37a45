//! `<data dir>/db/flow.sqlite`: the one handle every store shares ([`Db`]), how its connections
//! are opened (pragmas: WAL, foreign keys, busy timeout) and the schema migrations, tracked with
//! `PRAGMA user_version`.

mod connection;
mod handle;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

use crate::AppError;

#[cfg(test)]
pub(crate) use connection::open;
pub use handle::Db;
pub use schema::SCHEMA_VERSION;

/// Where the database of a data directory lives.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("db").join("flow.sqlite")
}

/// Maps a SQLite failure to an [`AppError`], saying what was being done.
pub(crate) fn sql_error(
    context: impl std::fmt::Display,
) -> impl FnOnce(rusqlite::Error) -> AppError {
    move |err| match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            AppError::Unavailable(format!("{context}: the database is busy ({err})"))
        }
        // The disk, not the request: nothing was written, and a retry may succeed later. (A
        // read-only database is refused at start, and a write on a reader is our bug.)
        Some(ErrorCode::DiskFull) => {
            AppError::Unavailable(format!("{context}: the disk is full ({err})"))
        }
        _ => AppError::Internal(format!("{context}: {err}")),
    }
}
