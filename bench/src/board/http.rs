//! One keep-alive HTTP/1.1 client connection (hyper's, no pool in between) sending bearer GETs.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::board::{BenchError, io_error};

/// A whole response.
pub struct Fetched {
    /// The status code.
    pub status: StatusCode,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, read to the end.
    pub body: Bytes,
}

/// An open connection to one server.
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    host: String,
    authorization: String,
}

fn http_error(what: &'static str) -> impl FnOnce(hyper::Error) -> BenchError {
    move |e| BenchError::Http(format!("{what}: {e}"))
}

impl Connection {
    /// Connects (with `TCP_NODELAY`, as the server sets it) and completes the handshake.
    pub async fn open(addr: SocketAddr, token: &str) -> Result<Self, BenchError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(io_error(format!("connect to {addr}")))?;
        stream
            .set_nodelay(true)
            .map_err(io_error("set TCP_NODELAY"))?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(http_error("handshake"))?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                eprintln!("client connection ended: {err}");
            }
        });
        Ok(Self {
            sender,
            host: addr.to_string(),
            authorization: format!("Bearer {token}"),
        })
    }

    /// `GET path_and_query`, the body read to the end.
    pub async fn get(&mut self, path_and_query: &str) -> Result<Fetched, BenchError> {
        let request = Request::get(path_and_query)
            .header(HOST, &self.host)
            .header(AUTHORIZATION, &self.authorization)
            .body(Empty::<Bytes>::new())
            .map_err(|e| BenchError::Http(format!("request for {path_and_query}: {e}")))?;
        self.sender
            .ready()
            .await
            .map_err(http_error("connection not ready"))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(http_error("send"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(http_error("read the body"))?
            .to_bytes();
        Ok(Fetched {
            status: parts.status,
            content_type: parts
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body,
        })
    }
}

/// One GET on a fresh connection.
pub async fn get_once(
    addr: SocketAddr,
    token: &str,
    path_and_query: &str,
) -> Result<Fetched, BenchError> {
    Connection::open(addr, token)
        .await?
        .get(path_and_query)
        .await
}
