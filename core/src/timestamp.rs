//! Times as the RFC 3339 UTC text that files, the database and the wire carry.

use std::time::SystemTime;

/// RFC 3339 UTC text of a time (the epoch's when the time cannot be formatted).
pub fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}
