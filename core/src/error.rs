//! The one error type every command returns.

use serde::{Deserialize, Serialize};

/// A command failure: a machine-readable `kind` and a message meant for people.
///
/// On the wire it is `{"kind": "...", "error": "message"}` on every transport; the `error` key
/// keeps the original board API's clients working.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", content = "error")]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request was malformed or a value was out of range.
    #[error("{0}")]
    InvalidInput(String),
    /// The request conflicts with the current state (for example a stale revision).
    #[error("{0}")]
    Conflict(String),
    /// Missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The request body was larger than the server accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A dependency (disk, model runtime, child process) cannot serve the request now.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; the message says what failed.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The kind as its wire name, for logs and status mapping.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NotFound",
            Self::InvalidInput(_) => "InvalidInput",
            Self::Conflict(_) => "Conflict",
            Self::Unauthorized(_) => "Unauthorized",
            Self::PayloadTooLarge(_) => "PayloadTooLarge",
            Self::Unavailable(_) => "Unavailable",
            Self::Internal(_) => "Internal",
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Self::NotFound(m)
            | Self::InvalidInput(m)
            | Self::Conflict(m)
            | Self::Unauthorized(m)
            | Self::PayloadTooLarge(m)
            | Self::Unavailable(m)
            | Self::Internal(m) => m,
        }
    }

    /// Wraps an I/O failure with what was being done, so the message names the file; the kind
    /// follows the cause (a bad path is the caller's, a full or read-only disk is unavailable).
    pub fn io(context: impl std::fmt::Display, err: std::io::Error) -> Self {
        let message = format!("{context}: {err}");
        match err.kind() {
            // The path itself is unusable (a NUL byte, a bad name): the caller's input, not a
            // failure of ours.
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidFilename => {
                Self::InvalidInput(message)
            }
            // A full disk or a read-only folder: the disk cannot serve the write now.
            std::io::ErrorKind::StorageFull
            | std::io::ErrorKind::ReadOnlyFilesystem
            | std::io::ErrorKind::QuotaExceeded => Self::Unavailable(message),
            _ => Self::Internal(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_from_bad_paths_are_the_callers_and_a_full_disk_is_unavailable() {
        let nul = std::fs::File::open("a\0b").unwrap_err();
        assert_eq!(AppError::io("opening", nul).kind(), "InvalidInput");
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(AppError::io("writing", full).kind(), "Unavailable");
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(AppError::io("reading", other).kind(), "Internal");
    }

    #[test]
    fn wire_shape_is_kind_and_error() {
        let json = serde_json::to_value(AppError::NotFound("no such flow".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "NotFound", "error": "no such flow"})
        );
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, AppError::NotFound("no such flow".into()));
        assert_eq!(back.kind(), "NotFound");
    }
}
