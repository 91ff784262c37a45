//! `GET /api/events`: the event bus as Server-Sent Events with `Last-Event-ID` replay.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::sse::KeepAlive;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use flow_core::{BusItem, FlowEvent};
use futures_util::{Stream, StreamExt, stream};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::router::HttpState;

/// `?since=<seq>`: a first connection's equivalent of `Last-Event-ID`.
#[derive(Deserialize)]
pub(crate) struct Since {
    pub(crate) since: Option<u64>,
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
/// Most streams never get here: [`crate::listener`] serves a plain, authorised
/// `GET /api/events` straight on its socket with [`serve_direct`]; this is the same stream for
/// the rest (a request head split over several packets, HTTP/2).
pub(crate) async fn events(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Query(query): Query<Since>,
) -> Response {
    let last_seen = last_event_id(&headers).or(query.since);
    let body = Body::from_stream(frames(&state, last_seen).map(Ok::<_, Infallible>));
    (
        [
            (header::CONTENT_TYPE, EVENT_STREAM),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

const EVENT_STREAM: &str = "text/event-stream";

/// The response head of a directly served stream; the body ends when the connection does.
const DIRECT_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
cache-control: no-cache\r\nconnection: close\r\n\r\n";

/// Serves one event stream on its own socket, its request head already read and authorised.
///
/// Behind hyper every idle stream keeps two 8 KiB connection buffers, most of its memory;
/// here a stream holds its socket and its subscription, and goes as soon as the client does.
pub(crate) async fn serve_direct(mut socket: TcpStream, state: HttpState, last_seen: Option<u64>) {
    if socket.write_all(DIRECT_HEAD).await.is_err() {
        return;
    }
    let frames = frames(&state, last_seen);
    let mut frames = std::pin::pin!(frames);
    let mut probe = [0u8; 16];
    loop {
        tokio::select! {
            frame = frames.next() => match frame {
                Some(frame) => {
                    if socket.write_all(&frame).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            // Only a close is expected from the client; it ends the stream at once.
            read = socket.read(&mut probe) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
        }
    }
}

/// One stream's frames: `connected`, any replay (or `resync`), then live events as the bus's
/// own frames ([`flow_core::Envelope::frame`], serialised once for every client), with a ping
/// while idle; it ends on shutdown.
fn frames(state: &HttpState, last_seen: Option<u64>) -> impl Stream<Item = Bytes> + Send + use<> {
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
            Some((frame, subscription))
        }
    });
    stream::once(async move { connected })
        .chain(live)
        .take_until(state.options.shutdown.clone().cancelled_owned())
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
