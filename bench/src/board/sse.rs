//! Many `/api/events` clients at once, each a bare TCP stream (a task and a 1 KiB buffer, so
//! 10,000 fit in the benchmark), timing when each one receives the `update` for a written file.
//!
//! Frames are found line by line: hyper writes each SSE event as one chunk, so a `data:` line
//! never straddles a chunk boundary, and lines are carried across reads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::board::{BenchError, io_error};

/// Connections opening at once, so the server's accept backlog is never overrun (a dropped
/// SYN costs a one-second retransmit and would be measured as a slow client).
const OPENING_AT_ONCE: usize = 200;

/// Counters the clients and the writer share.
struct Shared {
    /// The write in progress (1-based; 0 before the first).
    generation: AtomicU32,
    /// Clients that have received the current write's event.
    received: AtomicUsize,
    /// Clients that got the `connected` frame.
    connected: AtomicUsize,
    /// Clients whose stream failed or closed.
    failed: AtomicUsize,
    /// Of those, clients that had been connected.
    lost: AtomicUsize,
    /// What an `update` frame for the written file contains.
    markers: [Vec<u8>; 2],
}

/// One delivery: the write's generation and when the client read it.
type Delivery = (u32, Instant);

/// Open event streams.
pub struct SseClients {
    shared: Arc<Shared>,
    stop: CancellationToken,
    clients: JoinSet<Result<Vec<Delivery>, BenchError>>,
    /// How many were asked for.
    pub wanted: usize,
    /// The first error a client hit, if any did.
    first_error: Arc<std::sync::Mutex<Option<String>>>,
}

/// The timings of a series of writes.
#[derive(Debug, Clone, Default)]
pub struct FanOut {
    /// Per write: from just before the write to the last client's receipt (writes every client
    /// received).
    pub to_last: Vec<Duration>,
    /// Per write: from the first client's receipt to the last one's.
    pub spread: Vec<Duration>,
    /// Every delivery: from just before the write to the client's receipt.
    pub deliveries: Vec<Duration>,
    /// Deliveries that never came (a client that missed a write).
    pub missed: usize,
}

impl SseClients {
    /// Opens `n` streams and waits (up to `timeout`) until each got its `connected` frame or
    /// failed. `session` and `file` name the task file whose `update` events are timed.
    pub async fn open(
        addr: SocketAddr,
        token: &str,
        n: usize,
        session: &str,
        file: &str,
        timeout: Duration,
    ) -> Result<Self, BenchError> {
        let shared = Arc::new(Shared {
            generation: AtomicU32::new(0),
            received: AtomicUsize::new(0),
            connected: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            lost: AtomicUsize::new(0),
            markers: [
                format!("\"sessionId\":\"{session}\"").into_bytes(),
                format!("\"file\":\"{file}\"").into_bytes(),
            ],
        });
        let request: Arc<[u8]> = format!(
            "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Accept: text/event-stream\r\n\r\n"
        )
        .into_bytes()
        .into();
        let stop = CancellationToken::new();
        let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
        let first_error = Arc::new(std::sync::Mutex::new(None));
        let mut clients = JoinSet::new();
        for _ in 0..n {
            let permit = opening
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| BenchError::Setup(format!("connect semaphore: {e}")))?;
            let (shared, request, stop, first_error) = (
                shared.clone(),
                request.clone(),
                stop.clone(),
                first_error.clone(),
            );
            clients.spawn(async move {
                let result = client(addr, &request, &shared, &stop, permit).await;
                if let Err(err) = &result {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                    let mut first = first_error
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    first.get_or_insert_with(|| err.to_string());
                }
                result
            });
        }
        let clients = Self {
            shared,
            stop,
            clients,
            wanted: n,
            first_error,
        };
        let deadline = Instant::now() + timeout;
        while clients.connected() + clients.failed() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(clients)
    }

    /// Clients that got their `connected` frame.
    pub fn connected(&self) -> usize {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// Clients whose stream failed.
    pub fn failed(&self) -> usize {
        self.shared.failed.load(Ordering::Relaxed)
    }

    /// Clients connected now.
    pub fn live(&self) -> usize {
        self.connected()
            .saturating_sub(self.shared.lost.load(Ordering::SeqCst))
    }

    /// The first client error, if any.
    pub fn first_error(&self) -> Option<String> {
        self.first_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Starts write number `generation` (1, 2, ...): the clock starts, then `write` runs; waits
    /// until every connected client received the file's `update` or `timeout` passed. Returns
    /// when the write started.
    pub async fn timed_write(
        &self,
        generation: u32,
        write: impl FnOnce() -> Result<(), BenchError>,
        timeout: Duration,
    ) -> Result<Instant, BenchError> {
        self.shared.received.store(0, Ordering::SeqCst);
        let started = Instant::now();
        self.shared.generation.store(generation, Ordering::SeqCst);
        write()?;
        let deadline = started + timeout;
        while self.shared.received.load(Ordering::SeqCst) < self.live() && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(started)
    }

    /// Closes every stream; the timings of the writes that started at `starts` (in order, the
    /// first being generation 1).
    pub async fn close(mut self, starts: &[Instant]) -> Result<FanOut, BenchError> {
        let connected = self.live();
        self.stop.cancel();
        let mut per_write: Vec<Vec<Instant>> = vec![Vec::new(); starts.len()];
        while let Some(joined) = self.clients.join_next().await {
            let Ok(deliveries) = joined.map_err(|e| BenchError::Setup(format!("client: {e}")))?
            else {
                // Counted in `failed`; its error is in `first_error`.
                continue;
            };
            for (generation, at) in deliveries {
                if let Some(slot) = (generation as usize)
                    .checked_sub(1)
                    .and_then(|i| per_write.get_mut(i))
                {
                    slot.push(at);
                }
            }
        }
        let mut fan_out = FanOut::default();
        for (start, mut arrivals) in starts.iter().zip(per_write) {
            arrivals.sort();
            fan_out.missed += connected.saturating_sub(arrivals.len());
            fan_out.deliveries.extend(
                arrivals
                    .iter()
                    .map(|at| at.saturating_duration_since(*start)),
            );
            if let (Some(first), Some(last)) = (arrivals.first(), arrivals.last())
                && arrivals.len() >= connected
            {
                fan_out.to_last.push(last.saturating_duration_since(*start));
                fan_out.spread.push(last.saturating_duration_since(*first));
            }
        }
        fan_out.to_last.sort();
        fan_out.spread.sort();
        fan_out.deliveries.sort();
        Ok(fan_out)
    }
}

async fn client(
    addr: SocketAddr,
    request: &[u8],
    shared: &Shared,
    stop: &CancellationToken,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Result<Vec<Delivery>, BenchError> {
    let mut permit = Some(permit);
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(io_error("connect an event stream"))?;
    stream
        .write_all(request)
        .await
        .map_err(io_error("send the event stream request"))?;
    let mut buf = vec![0u8; 1024];
    let mut carry: Vec<u8> = Vec::new();
    let mut deliveries = Vec::new();
    let mut last_generation = 0;
    loop {
        let read = tokio::select! {
            read = stream.read(&mut buf) => read,
            () = stop.cancelled() => return Ok(deliveries),
        };
        let read = match read {
            Ok(0) | Err(_) if permit.is_none() => {
                shared.lost.fetch_add(1, Ordering::SeqCst);
                read.map_err(io_error("read an event stream"))?
            }
            read => read.map_err(io_error("read an event stream"))?,
        };
        if read == 0 {
            return Err(BenchError::Http("the server closed an event stream".into()));
        }
        let now = Instant::now();
        carry.extend_from_slice(&buf[..read]);
        let mut consumed = 0;
        while let Some(end) = carry[consumed..].iter().position(|&b| b == b'\n') {
            let line = &carry[consumed..consumed + end];
            consumed += end + 1;
            if !line.starts_with(b"data:") {
                continue;
            }
            if contains(line, b"\"type\":\"connected\"") {
                shared.connected.fetch_add(1, Ordering::SeqCst);
                drop(permit.take());
            } else if contains(line, b"\"type\":\"update\"")
                && shared.markers.iter().all(|m| contains(line, m))
            {
                let generation = shared.generation.load(Ordering::SeqCst);
                // Only the first event per write counts: a write can give several.
                if generation > last_generation {
                    last_generation = generation;
                    deliveries.push((generation, now));
                    shared.received.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        carry.drain(..consumed);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
