//! `GET /api/events`: the event bus as Server-Sent Events with `Last-Event-ID` replay.

use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use flow_core::{BusItem, FlowEvent};
use futures_util::{Stream, StreamExt, stream};
use serde::Deserialize;

use crate::router::HttpState;

/// `?since=<seq>`: a first connection's equivalent of `Last-Event-ID`.
#[derive(Deserialize)]
pub(crate) struct Since {
    since: Option<u64>,
}

fn control_frame(event: &FlowEvent, id: u64) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| String::from("{}"));
    Event::default().id(id.to_string()).data(data)
}

/// Opens a stream: `connected` first, then any replay (or `resync`), then live events.
pub(crate) async fn events(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<Since>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let last_seen = last_event_id(&headers).or(query.since);
    let subscription = state.app.bus().subscribe(last_seen);
    let connected = control_frame(&FlowEvent::Connected, subscription.start());
    let bus = state.app.bus().clone();

    let live = stream::unfold(subscription, move |mut subscription| {
        let bus = bus.clone();
        async move {
            let frame = match subscription.next().await? {
                BusItem::Event(envelope) => Event::default()
                    .id(envelope.seq.to_string())
                    .data(envelope.json.as_str()),
                BusItem::Resync => control_frame(&FlowEvent::Resync, bus.head()),
            };
            Some((Ok(frame), subscription))
        }
    });
    let stream = stream::once(async move { Ok(connected) })
        .chain(live)
        .take_until(state.options.shutdown.clone().cancelled_owned());

    Sse::new(stream).keep_alive(keep_alive(&state))
}

/// The `Last-Event-ID` header as a number, if it is one.
pub(crate) fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// The keep-alive comment every event stream sends while idle, so proxies keep it open.
///
/// No compression setting is needed on these streams: tower-http's default compression
/// predicate never compresses `text/event-stream`, so frames are flushed as they are written.
pub(crate) fn keep_alive(state: &HttpState) -> KeepAlive {
    KeepAlive::new()
        .interval(state.options.keep_alive)
        .text("ping")
}
