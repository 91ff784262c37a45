//! The event bus: every published event gets a sequence number, lands in a bounded ring for
//! replay and goes to live subscribers through a broadcast channel.
//!
//! Publishing never waits for subscribers: a slow subscriber lags, then catches up from the ring,
//! or is told to resync when the ring no longer holds what it missed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::broadcast;

use crate::FlowEvent;

/// How many recent events the ring keeps for replay by default.
pub const DEFAULT_RING_CAPACITY: usize = 1024;
/// How many events a live subscriber may fall behind before it is switched to ring replay.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 256;

/// A published event with its sequence number and its JSON, serialised once for every client.
#[derive(Debug)]
pub struct Envelope {
    /// Monotonic sequence number, starting at 1.
    pub seq: u64,
    /// The event itself.
    pub event: FlowEvent,
    /// `event` as JSON, shared by every subscriber.
    pub json: String,
    /// The event as one Server-Sent Events frame (`id: <seq>`, `data: <json>`), built once so
    /// that a thousand streams send the same bytes without copying them.
    pub frame: bytes::Bytes,
    /// Where `json` sits inside `frame`, so message transports can share those bytes too.
    json_range: std::ops::Range<usize>,
}

impl Envelope {
    fn new(seq: u64, event: FlowEvent, json: String) -> Self {
        let head = format!("id: {seq}\ndata: ");
        let mut frame = Vec::with_capacity(head.len() + json.len() + 2);
        frame.extend_from_slice(head.as_bytes());
        frame.extend_from_slice(json.as_bytes());
        frame.extend_from_slice(b"\n\n");
        Self {
            seq,
            event,
            json_range: head.len()..head.len() + json.len(),
            json,
            frame: frame.into(),
        }
    }

    /// `json` as shared bytes (a view into `frame`, no copy).
    pub fn json_bytes(&self) -> bytes::Bytes {
        self.frame.slice(self.json_range.clone())
    }
}

/// What a subscription yields.
#[derive(Debug, Clone)]
pub enum BusItem {
    /// The next event in sequence.
    Event(Arc<Envelope>),
    /// Events were lost to this subscriber; it must refetch state.
    Resync,
}

struct Ring {
    next_seq: u64,
    events: VecDeque<Arc<Envelope>>,
    capacity: usize,
}

impl Ring {
    /// The events after `seq`, or `None` when some of them have already been dropped.
    fn after(&self, seq: u64) -> Option<Vec<Arc<Envelope>>> {
        let oldest = self.events.front().map_or(self.next_seq, |e| e.seq);
        if seq + 1 < oldest {
            return None;
        }
        Some(
            self.events
                .iter()
                .filter(|e| e.seq > seq)
                .cloned()
                .collect(),
        )
    }
}

/// The one event bus of an [`crate::App`].
pub struct EventBus {
    ring: Mutex<Ring>,
    tx: broadcast::Sender<Arc<Envelope>>,
}

impl EventBus {
    /// A bus keeping the last `ring_capacity` events for replay; live subscribers that fall more
    /// than `channel_capacity` events behind continue from the ring.
    pub fn new(ring_capacity: usize, channel_capacity: usize) -> Self {
        let capacity = ring_capacity.max(1);
        let (tx, _) = broadcast::channel(channel_capacity.max(1));
        Self {
            ring: Mutex::new(Ring {
                next_seq: 1,
                events: VecDeque::with_capacity(capacity),
                capacity,
            }),
            tx,
        }
    }

    fn ring(&self) -> MutexGuard<'_, Ring> {
        // A panic while holding this lock cannot leave the ring inconsistent (every mutation is a
        // single push/pop), so a poisoned lock is safe to keep using.
        self.ring
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Publishes an event to the ring and every live subscriber; returns its sequence number.
    pub fn publish(&self, event: FlowEvent) -> u64 {
        let json = match serde_json::to_string(&event) {
            Ok(json) => json,
            Err(err) => {
                tracing::error!(%err, "event could not be serialised; dropped");
                return 0;
            }
        };
        let mut ring = self.ring();
        let seq = ring.next_seq;
        ring.next_seq += 1;
        // serde_json never writes a raw newline, so the JSON is one SSE `data:` line.
        let envelope = Arc::new(Envelope::new(seq, event, json));
        if ring.events.len() == ring.capacity {
            ring.events.pop_front();
        }
        ring.events.push_back(envelope.clone());
        // Sending under the ring lock keeps channel order equal to sequence order. An error only
        // means nobody is listening right now, which is normal.
        if self.tx.send(envelope).is_err() {
            tracing::trace!(seq, "event published with no live subscribers");
        }
        seq
    }

    /// The sequence number of the newest event (0 before the first).
    pub fn head(&self) -> u64 {
        self.ring().next_seq - 1
    }

    /// Subscribes to events after `last_seen` (or only new ones when `None`).
    ///
    /// Subscribing and reading the ring happen under one lock, so nothing published in between
    /// is lost or delivered twice.
    pub fn subscribe(self: &Arc<Self>, last_seen: Option<u64>) -> Subscription {
        let ring = self.ring();
        let rx = self.tx.subscribe();
        let head = ring.next_seq - 1;
        let (pending, resync) = match last_seen {
            None => (VecDeque::new(), false),
            Some(seq) if seq == head => (VecDeque::new(), false),
            // Ahead of us: the client saw an earlier instance of this server.
            Some(seq) if seq > head => (VecDeque::new(), true),
            Some(seq) => match ring.after(seq) {
                Some(events) => (events.into_iter().map(BusItem::Event).collect(), false),
                None => (VecDeque::new(), true),
            },
        };
        drop(ring);
        let mut pending = pending;
        let start = match last_seen {
            Some(seq) if !resync => seq,
            _ => head,
        };
        if resync {
            pending.push_back(BusItem::Resync);
        }
        Subscription {
            bus: self.clone(),
            rx,
            pending,
            last: head.max(start),
            start,
        }
    }
}

/// A live view of the bus for one client.
pub struct Subscription {
    bus: Arc<EventBus>,
    rx: broadcast::Receiver<Arc<Envelope>>,
    pending: VecDeque<BusItem>,
    last: u64,
    start: u64,
}

impl Subscription {
    /// The sequence number the client is at once it has applied any replay or resync: the id
    /// to give a stream's opening frame so a reconnect resumes from the right place.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The next item; `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<BusItem> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if let BusItem::Event(e) = &item {
                    self.last = self.last.max(e.seq);
                }
                return Some(item);
            }
            match self.rx.recv().await {
                Ok(envelope) if envelope.seq <= self.last => continue,
                Ok(envelope) => {
                    self.last = envelope.seq;
                    return Some(BusItem::Event(envelope));
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        after = self.last,
                        "subscriber lagged; replaying from the ring"
                    );
                    // Bound first: the ring guard must be released before `head()` locks it again.
                    let replay = self.bus.ring().after(self.last);
                    match replay {
                        Some(events) => self.pending.extend(events.into_iter().map(BusItem::Event)),
                        None => {
                            self.last = self.bus.head();
                            return Some(BusItem::Resync);
                        }
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn ev(n: u32) -> FlowEvent {
        FlowEvent::SettingsChanged {
            settings: Settings {
                max_parallel_nodes: n,
                ..Default::default()
            },
        }
    }

    fn seq_of(item: Option<BusItem>) -> u64 {
        match item {
            Some(BusItem::Event(e)) => e.seq,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn live_subscriber_sees_events_in_order() {
        let bus = Arc::new(EventBus::new(8, 8));
        let mut sub = bus.subscribe(None);
        assert_eq!(bus.publish(ev(1)), 1);
        assert_eq!(bus.publish(ev(2)), 2);
        assert_eq!(seq_of(sub.next().await), 1);
        assert_eq!(seq_of(sub.next().await), 2);
        assert_eq!(bus.head(), 2);
    }

    #[tokio::test]
    async fn replays_after_last_seen_then_goes_live() {
        let bus = Arc::new(EventBus::new(8, 8));
        for n in 1..=5 {
            bus.publish(ev(n));
        }
        let mut sub = bus.subscribe(Some(3));
        assert_eq!(seq_of(sub.next().await), 4);
        assert_eq!(seq_of(sub.next().await), 5);
        bus.publish(ev(6));
        assert_eq!(seq_of(sub.next().await), 6);
    }

    #[tokio::test]
    async fn asks_for_resync_when_the_ring_lost_events() {
        let bus = Arc::new(EventBus::new(4, 4));
        for n in 1..=10 {
            bus.publish(ev(n));
        }
        let mut sub = bus.subscribe(Some(2));
        assert!(matches!(sub.next().await, Some(BusItem::Resync)));
        bus.publish(ev(11));
        assert_eq!(seq_of(sub.next().await), 11);
    }

    #[tokio::test]
    async fn a_client_ahead_of_the_bus_came_from_an_earlier_instance_and_must_resync() {
        let bus = Arc::new(EventBus::new(8, 8));
        bus.publish(ev(1));
        let mut sub = bus.subscribe(Some(500));
        assert_eq!(sub.start(), 1);
        assert!(matches!(sub.next().await, Some(BusItem::Resync)));
        bus.publish(ev(2));
        assert_eq!(seq_of(sub.next().await), 2);
    }

    #[tokio::test]
    async fn lagging_subscriber_catches_up_from_the_ring_without_duplicates() {
        let bus = Arc::new(EventBus::new(64, 4));
        let mut slow = bus.subscribe(None);
        for n in 1..=40 {
            bus.publish(ev(n));
        }
        let mut seen = Vec::new();
        for _ in 0..40 {
            seen.push(seq_of(slow.next().await));
        }
        assert_eq!(seen, (1..=40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_subscriber_that_lags_past_the_ring_gets_resync() {
        let bus = Arc::new(EventBus::new(4, 4));
        let mut slow = bus.subscribe(None);
        for n in 1..=20 {
            bus.publish(ev(n));
        }
        assert!(matches!(slow.next().await, Some(BusItem::Resync)));
        bus.publish(ev(21));
        assert_eq!(seq_of(slow.next().await), 21);
    }
}
