//! Stamps a run's events (sequence number, time) and sends each to the history and the bus.

use std::sync::Mutex;

use super::adapter::NodeReporter;
use super::events::{ExecutionEvent, ExecutionEventKind};
use crate::{App, FlowEvent};

/// RFC 3339 UTC with milliseconds, e.g. `2025-01-31T12:00:00.123Z`.
const AT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// The current time as an event's `at`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(AT)
        .unwrap_or_else(|err| {
            tracing::error!(%err, "formatting the current time failed");
            String::new()
        })
}

/// One run's event sink.
pub struct RunReporter {
    app: App,
    execution_id: String,
    /// The next `seq`; held while recording and publishing so both see events in `seq` order.
    next_seq: Mutex<u32>,
}

impl RunReporter {
    /// A sink for `execution_id`'s events, starting at `seq` 0.
    pub fn new(app: App, execution_id: String) -> Self {
        Self {
            app,
            execution_id,
            next_seq: Mutex::new(0),
        }
    }

    /// Stamps, records and publishes one event, with every known secret masked first: this is
    /// the one path from a run to history and to clients.
    pub fn send(&self, kind: ExecutionEventKind) {
        let kind = redact(self.app.credentials().redactor(), kind);
        let mut seq = self
            .next_seq
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let event = ExecutionEvent {
            execution_id: self.execution_id.clone(),
            at: now_rfc3339(),
            seq: *seq,
            kind,
        };
        *seq = seq.saturating_add(1);
        self.app.history().record(&event);
        self.app.publish(FlowEvent::Execution(event));
    }
}

/// `kind` with every secret the redactor knows replaced by `***` (untouched when none is known).
fn redact(redactor: &crate::credentials::Redactor, kind: ExecutionEventKind) -> ExecutionEventKind {
    if redactor.is_empty() {
        return kind;
    }
    let Ok(mut value) = serde_json::to_value(&kind) else {
        return kind;
    };
    if !redactor.redact_json(&mut value) {
        return kind;
    }
    match serde_json::from_value(value) {
        Ok(masked) => masked,
        Err(err) => {
            // A masked event that no longer decodes still must not carry the secret.
            tracing::error!(%err, "a redacted run event no longer decodes; its text is dropped");
            ExecutionEventKind::NodeLog {
                node_id: String::new(),
                stream: super::events::LogStream::Stderr,
                line: crate::credentials::redact::MASK.to_owned(),
            }
        }
    }
}

impl NodeReporter for RunReporter {
    fn emit(&self, kind: ExecutionEventKind) {
        self.send(kind);
    }
}

impl std::fmt::Debug for RunReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunReporter")
            .field("execution_id", &self.execution_id)
            .finish_non_exhaustive()
    }
}
