//! `GET /api/events`: the event bus as Server-Sent Events with `Last-Event-ID` replay.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::sse::KeepAlive;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use flow_core::{BusItem, FlowEvent};
use futures_util::{StreamExt, stream};
use serde::Deserialize;

use crate::router::HttpState;

/// `?since=<seq>`: a first connection's equivalent of `Last-Event-ID`.
#[derive(Deserialize)]
pub(crate) struct Since {
    since: Option<u64>,
}

/// A control event (`connected`, `resync`) as an SSE frame; these are per client, so built here.
fn control_frame(event: &FlowEvent, id: u64) -> Bytes {
    let data = serde_json::to_string(event).unwrap_or_else(|_| String::from("{}"));
    Bytes::from(format!("id: {id}\ndata: {data}\n\n"))
}

/// The comment sent while idle, so proxies keep the stream open (as axum's keep-alive writes it).
const PING: &[u8] = b":ping\n\n";

/// Opens a stream: `connected` first, then any replay (or `resync`), then live events.
///
/// Events go out as the bus's own frames ([`flow_core::Envelope::frame`]): every client sends
/// the same bytes, serialised once at publish, instead of building its own copy per event.
pub(crate) async fn events(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<Since>,
) -> Response {
    let last_seen = last_event_id(&headers).or(query.since);
    let subscription = state.app.bus().subscribe(last_seen);
    let connected = control_frame(&FlowEvent::Connected, subscription.start());
    let bus = state.app.bus().clone();
    let idle = state.options.keep_alive;

    let live = stream::unfold(subscription, move |mut subscription| {
        let bus = bus.clone();
        async move {
            let frame = match tokio::time::timeout(idle, subscription.next()).await {
                Err(_idle) => Bytes::from_static(PING),
                Ok(item) => match item? {
                    BusItem::Event(envelope) => envelope.frame.clone(),
                    BusItem::Resync => control_frame(&FlowEvent::Resync, bus.head()),
                },
            };
            Some((Ok::<_, Infallible>(frame), subscription))
        }
    });
    let frames = stream::once(async move { Ok(connected) })
        .chain(live)
        .take_until(state.options.shutdown.clone().cancelled_owned());
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(frames),
    )
        .into_response()
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
