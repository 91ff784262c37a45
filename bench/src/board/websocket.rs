//! Idle `/api/ws` clients: connected, reading (so pings are answered), sending nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;

use crate::board::BenchError;

/// Handshakes at once.
const OPENING_AT_ONCE: usize = 100;

/// Open WebSocket sessions.
pub struct WsClients {
    stop: CancellationToken,
    clients: JoinSet<()>,
    connected: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
}

impl WsClients {
    /// Opens `n` sessions and waits (up to `timeout`) until each got its `connected` message.
    pub async fn open(
        addr: SocketAddr,
        token: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Self, BenchError> {
        let stop = CancellationToken::new();
        let connected = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(AtomicUsize::new(0));
        let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
        let mut clients = JoinSet::new();
        for _ in 0..n {
            let mut request = format!("ws://{addr}/api/ws")
                .into_client_request()
                .map_err(|e| BenchError::Http(format!("WebSocket request: {e}")))?;
            let bearer = format!("Bearer {token}")
                .parse()
                .map_err(|e| BenchError::Http(format!("header: {e}")))?;
            request.headers_mut().insert("authorization", bearer);
            let permit = opening
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| BenchError::Setup(format!("connect semaphore: {e}")))?;
            let (stop, connected, failed) = (stop.clone(), connected.clone(), failed.clone());
            clients.spawn(async move {
                let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request).await else {
                    failed.fetch_add(1, Ordering::SeqCst);
                    return;
                };
                match socket.next().await {
                    Some(Ok(_)) => {
                        connected.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
                drop(permit);
                loop {
                    tokio::select! {
                        message = socket.next() => if !matches!(message, Some(Ok(_))) { break },
                        () = stop.cancelled() => break,
                    }
                }
            });
        }
        let clients = Self {
            stop,
            clients,
            connected,
            failed,
        };
        let deadline = Instant::now() + timeout;
        while clients.connected() + clients.failed() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(clients)
    }

    /// Sessions that got their `connected` message.
    pub fn connected(&self) -> usize {
        self.connected.load(Ordering::SeqCst)
    }

    /// Sessions whose handshake failed.
    pub fn failed(&self) -> usize {
        self.failed.load(Ordering::SeqCst)
    }

    /// Drops every session (without a close handshake, as a vanished client would).
    pub async fn close(mut self) {
        self.stop.cancel();
        while self.clients.join_next().await.is_some() {}
    }
}
