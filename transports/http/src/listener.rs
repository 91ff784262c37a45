//! The accept loop: a plain, authorised `GET /api/events` is served straight on its socket
//! ([`events_sse::serve_direct`]), every other connection goes to axum untouched.
//!
//! Event streams are the one kind of request held open by the thousand; behind hyper each
//! keeps two 8 KiB buffers for a request that never comes. The request head is looked at with
//! `peek`, so a connection that is not taken reaches hyper byte for byte: anything unusual (a
//! head split over packets, a body, a bad token, HTTP/2) gets the ordinary route and its
//! ordinary answers, the 401 included.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::events_sse;
use crate::router::HttpState;

/// The most of a request head looked at; a longer head goes to hyper.
const PEEK_BYTES: usize = 8 * 1024;
/// How long a new connection may take to send its first bytes before hyper takes it as is.
const FIRST_BYTES_WITHIN: Duration = Duration::from_secs(5);
/// Connections accepted but not yet picked up by axum.
const HANDOFF_QUEUE: usize = 1024;

/// Hands axum the connections that are not event streams.
pub(crate) struct SplitListener {
    handoff: mpsc::Receiver<(TcpStream, SocketAddr)>,
    local: SocketAddr,
}

impl SplitListener {
    /// Starts accepting on `listener`; event streams are served with `state`.
    pub(crate) fn new(listener: TcpListener, state: HttpState) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, handoff) = mpsc::channel(HANDOFF_QUEUE);
        tokio::spawn(accept_loop(listener, state, tx));
        Ok(Self { handoff, local })
    }
}

impl axum::serve::Listener for SplitListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        match self.handoff.recv().await {
            Some(connection) => connection,
            // The accept loop has stopped (shutdown): axum stops asking soon after.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: HttpState,
    handoff: mpsc::Sender<(TcpStream, SocketAddr)>,
) {
    let shutdown = state.options.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return,
            () = handoff.closed() => return,
        };
        let (socket, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // As axum's own loop: a refused handshake is the peer's problem; anything else
                // (out of descriptors) is ours, so back off instead of spinning.
                if !is_connection_error(&err) {
                    tracing::warn!(%err, "accept failed; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        // Event streams write many small frames; with Nagle's algorithm on, each small write
        // after another waits for a delayed ACK (40 ms on Linux).
        if let Err(err) = socket.set_nodelay(true) {
            tracing::debug!(%err, "could not set TCP_NODELAY on an accepted connection");
        }
        let state = state.clone();
        let handoff = handoff.clone();
        tokio::spawn(async move {
            match take_event_stream(&socket, &state).await {
                Some(taken) => {
                    let mut socket = socket;
                    let mut head = vec![0u8; taken.head_len];
                    if socket.read_exact(&mut head).await.is_ok() {
                        drop(head);
                        tracing::debug!(%peer, "event stream opened");
                        events_sse::serve_direct(socket, state, taken.last_seen).await;
                    }
                }
                None => {
                    if handoff.send((socket, peer)).await.is_err() {
                        tracing::debug!(%peer, "connection after shutdown; closed");
                    }
                }
            }
        });
    }
}

fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// An event stream this loop serves itself.
#[derive(Debug, PartialEq)]
struct TakenStream {
    /// Bytes of the request head, to consume before answering.
    head_len: usize,
    /// `Last-Event-ID`, else `?since=`.
    last_seen: Option<u64>,
}

/// Whether `socket`'s request is one to serve directly; nothing is read from it.
async fn take_event_stream(socket: &TcpStream, state: &HttpState) -> Option<TakenStream> {
    let mut buf = vec![0u8; PEEK_BYTES];
    let n = tokio::time::timeout(FIRST_BYTES_WITHIN, socket.peek(&mut buf))
        .await
        .ok()?
        .ok()?;
    classify(&buf[..n], |headers| state.options.token.authorizes(headers))
}

/// The decision on a peeked head: a complete `GET /api/events` over HTTP/1.1 without a body,
/// with valid `since`, from an authorised client. `None` means "let hyper answer it".
fn classify(bytes: &[u8], authorized: impl Fn(&HeaderMap) -> bool) -> Option<TakenStream> {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut slots);
    let httparse::Status::Complete(head_len) = request.parse(bytes).ok()? else {
        return None;
    };
    if request.method != Some("GET") || request.version != Some(1) {
        return None;
    }
    let (path, query) = match request.path?.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (request.path?, None),
    };
    if path != "/api/events" {
        return None;
    }
    let mut headers = HeaderMap::new();
    for header in request.headers.iter() {
        headers.append(
            HeaderName::from_bytes(header.name.as_bytes()).ok()?,
            HeaderValue::from_bytes(header.value).ok()?,
        );
    }
    let has_body = headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || headers
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    if has_body || !authorized(&headers) {
        return None;
    }
    let since = match query {
        None => None,
        Some(query) => {
            let mut since = None;
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                if key == "since" {
                    // A bad number is the extractor's 400 to give, on the ordinary route.
                    since = Some(value.parse::<u64>().ok()?);
                }
            }
            since
        }
    };
    Some(TakenStream {
        head_len,
        last_seen: events_sse::last_event_id(&headers).or(since),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes(_: &HeaderMap) -> bool {
        true
    }

    #[test]
    fn only_complete_plain_event_stream_requests_are_taken() {
        let head = b"GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n";
        assert_eq!(
            classify(head, yes),
            Some(TakenStream {
                head_len: head.len(),
                last_seen: None
            })
        );
        let resumed = b"GET /api/events?since=7 HTTP/1.1\r\nLast-Event-ID: 9\r\n\r\n";
        assert_eq!(classify(resumed, yes).unwrap().last_seen, Some(9));
        let since = b"GET /api/events?since=7 HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(classify(since, yes).unwrap().last_seen, Some(7));
        for other in [
            &b"GET /api/events HTTP/1.1\r\nHost: x\r\n"[..],
            b"GET /api/eve",
            b"GET /api/events?since=x HTTP/1.1\r\n\r\n",
            b"POST /api/events HTTP/1.1\r\n\r\n",
            b"GET /api/events HTTP/1.0\r\n\r\n",
            b"GET /api/events/x HTTP/1.1\r\n\r\n",
            b"GET /api/ws HTTP/1.1\r\n\r\n",
            b"GET /api/events HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            b"\x16\x03\x01 not http",
        ] {
            assert_eq!(
                classify(other, yes),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
        assert_eq!(classify(head, |_| false), None, "unauthorised: hyper's 401");
    }
}
