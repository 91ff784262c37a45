//! Following one run: its recorded events from the history, page by page, then its live events
//! from the bus, until `done`. Every transport streams a run through this (SSE, the Tauri
//! channel), so replay-then-follow is written once.
//!
//! The bus is subscribed to *before* the history is read, and the reporter records an event
//! before it publishes it, so nothing falls between the two; events are deduplicated by `seq`.
//! When the bus cannot deliver something (a subscriber lagging past the bus ring, or a `seq`
//! gap), the follow goes back to the history for it. At most one history page is held.

use std::collections::VecDeque;

use futures_util::Stream;
use futures_util::stream;

use super::RunEventsPage;
use crate::bus::{BusItem, Subscription};
use crate::engine::{ExecutionEvent, ExecutionEventKind};
use crate::{App, AppError, FlowEvent};

/// Events read from the history per page while replaying.
pub const FOLLOW_PAGE: u32 = 1000;

/// One run followed: history replay, then live events, until `done` (or the recorded end of a
/// run that stopped without one).
pub struct RunFollow {
    app: App,
    id: String,
    subscription: Subscription,
    /// The last `seq` handed out (`None` before the first event).
    last: Option<u32>,
    /// Events read but not handed out yet (at most one history page).
    pending: VecDeque<ExecutionEvent>,
    /// Reading history pages rather than the bus.
    replaying: bool,
    /// The history says the run ended and every event was read.
    complete: bool,
    finished: bool,
}

impl RunFollow {
    /// Follows a live or ended run from its events after `after` (all of them when `None`).
    /// An unknown run is `NotFound` here, before any event.
    pub async fn attach(
        app: &App,
        execution_id: String,
        after: Option<u32>,
    ) -> Result<Self, AppError> {
        let subscription = app.bus().subscribe(None);
        // Flushed first, so a run that has just started is known and its events are recorded.
        app.history().flush().await;
        let first = app
            .history()
            .events(execution_id.clone(), after, Some(FOLLOW_PAGE), None)
            .await?;
        let mut follow = Self::new(app, execution_id, after, subscription);
        follow.take_page(first);
        Ok(follow)
    }

    /// Follows a run that started after `subscription` was taken: the bus holds every one of its
    /// events from `seq` 0, so it streams live without a history read (a gap or a resync still
    /// falls back to the history).
    pub fn from_start(app: &App, execution_id: String, subscription: Subscription) -> Self {
        let mut follow = Self::new(app, execution_id, None, subscription);
        follow.replaying = false;
        follow
    }

    fn new(app: &App, id: String, after: Option<u32>, subscription: Subscription) -> Self {
        Self {
            app: app.clone(),
            id,
            subscription,
            last: after,
            pending: VecDeque::new(),
            replaying: true,
            complete: false,
            finished: false,
        }
    }

    /// The run followed.
    pub fn execution_id(&self) -> &str {
        &self.id
    }

    fn take_page(&mut self, page: RunEventsPage) {
        if page.events.is_empty() && !page.complete {
            // Caught up with what is recorded: the rest comes from the bus.
            self.replaying = false;
        }
        self.complete = page.complete;
        self.pending.extend(page.events);
    }

    /// The next event in `seq` order; `None` once the run is over (after `done`), when the
    /// history cannot be read, or when the bus is gone.
    pub async fn next(&mut self) -> Option<ExecutionEvent> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                if self.last.is_some_and(|last| event.seq <= last) {
                    continue;
                }
                self.last = Some(event.seq);
                if matches!(event.kind, ExecutionEventKind::Done { .. }) {
                    self.finished = true;
                }
                return Some(event);
            }
            if self.complete {
                // Ended without a `done` (an interrupted run): nothing more will come.
                return None;
            }
            if self.replaying {
                let page = self
                    .app
                    .history()
                    .events(self.id.clone(), self.last, Some(FOLLOW_PAGE), None)
                    .await;
                match page {
                    Ok(page) => self.take_page(page),
                    Err(err) => {
                        tracing::warn!(execution_id = %self.id, %err, "run follow ended: history read failed");
                        return None;
                    }
                }
                continue;
            }
            match self.subscription.next().await? {
                BusItem::Resync => {
                    // The bus dropped events for this subscriber; the history has every one.
                    self.app.history().flush().await;
                    self.replaying = true;
                }
                BusItem::Event(envelope) => {
                    let FlowEvent::Execution(event) = &envelope.event else {
                        continue;
                    };
                    if event.execution_id != self.id {
                        continue;
                    }
                    let expected = self.last.map_or(0, |last| last.saturating_add(1));
                    if event.seq < expected {
                        continue;
                    }
                    if event.seq > expected {
                        // A gap: each event is recorded before it is published, so after a
                        // flush the history holds the missing ones (and this one).
                        self.app.history().flush().await;
                        self.replaying = true;
                        continue;
                    }
                    self.pending.push_back(event.clone());
                }
            }
        }
    }

    /// The follow as a stream of events.
    pub fn into_stream(self) -> impl Stream<Item = ExecutionEvent> + Send + 'static {
        stream::unfold(self, |mut follow| async move {
            let event = follow.next().await?;
            Some((event, follow))
        })
    }
}
