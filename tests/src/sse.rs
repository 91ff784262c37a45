//! Reads an SSE stream with `eventsource-stream`, bounding every wait.

use std::time::Duration;

use eventsource_stream::{Event, EventStream, Eventsource};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};

/// An open `GET /api/events` stream.
pub struct SseStream {
    inner: EventStream<BoxStream<'static, reqwest::Result<bytes::Bytes>>>,
    /// The response's `content-encoding`, if any.
    pub content_encoding: Option<String>,
}

/// Opens the event stream; `last_event_id` is sent as `Last-Event-ID`.
pub async fn connect(
    base: &str,
    token: &str,
    last_event_id: Option<&str>,
    gzip: bool,
) -> SseStream {
    let mut request = reqwest::Client::new()
        .get(format!("{base}/api/events"))
        .bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    if gzip {
        request = request.header("Accept-Encoding", "gzip");
    }
    let response = request.send().await.expect("events request");
    assert_eq!(response.status(), 200, "events stream refused");
    let content_encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let stream: BoxStream<'static, reqwest::Result<bytes::Bytes>> = response.bytes_stream().boxed();
    SseStream {
        inner: stream.eventsource(),
        content_encoding,
    }
}

/// Wraps any `text/event-stream` response (e.g. `POST /api/run`'s) for reading.
pub fn from_response(response: reqwest::Response) -> SseStream {
    let content_encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let stream: BoxStream<'static, reqwest::Result<bytes::Bytes>> = response.bytes_stream().boxed();
    SseStream {
        inner: stream.eventsource(),
        content_encoding,
    }
}

impl SseStream {
    /// The next event, or `None` once the server ended the stream; fails the test after 10 s.
    pub async fn next_or_end(&mut self) -> Option<Event> {
        match tokio::time::timeout(Duration::from_secs(10), self.inner.next()).await {
            Ok(Some(Ok(event))) => Some(event),
            Ok(Some(Err(err))) => panic!("event stream failed: {err:?}"),
            Ok(None) => None,
            Err(_) => panic!("no event and no end within 10 s"),
        }
    }

    /// The next event, failing the test after 10 s.
    pub async fn next_event(&mut self) -> Event {
        next_within(&mut self.inner, Duration::from_secs(10)).await
    }

    /// The next event's data as JSON, with its id.
    pub async fn next_json(&mut self) -> (String, serde_json::Value) {
        let event = self.next_event().await;
        let json = serde_json::from_str(&event.data).expect("event data is JSON");
        (event.id, json)
    }
}

async fn next_within<S, T, E>(stream: &mut S, timeout: Duration) -> T
where
    S: Stream<Item = Result<T, E>> + Unpin,
    E: std::fmt::Debug,
{
    match tokio::time::timeout(timeout, stream.next()).await {
        Ok(Some(Ok(item))) => item,
        Ok(Some(Err(err))) => panic!("event stream failed: {err:?}"),
        Ok(None) => panic!("event stream ended"),
        Err(_) => panic!("no event within {timeout:?}"),
    }
}
