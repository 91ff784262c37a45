//! The bare route: a minimal axum server answering each benchmarked path with the bytes the
//! real server gave for it, with the same `Content-Type`, so a ratio to it measures the real
//! server's path (auth, layers, the board's work) and not the payload's size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::board::{BenchError, io_error};

/// What the bare server answers, handed over in a JSON file.
#[derive(Debug, Serialize, Deserialize, Default)]
pub struct Manifest {
    /// One entry per path.
    pub routes: Vec<Route>,
}

/// One canned answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Route {
    /// The request target, query included (`/api/sessions?limit=all`).
    pub path_and_query: String,
    /// The real server's `Content-Type`.
    pub content_type: String,
    /// A file holding the real server's body.
    pub body_file: PathBuf,
}

impl Manifest {
    /// Writes the manifest to `path`.
    pub fn save(&self, path: &Path) -> Result<(), BenchError> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| BenchError::Setup(format!("bare manifest: {e}")))?;
        std::fs::write(path, json).map_err(io_error("write the bare manifest"))
    }
}

type Routes = HashMap<String, (HeaderValue, Bytes)>;

/// Serves the manifest's routes on `127.0.0.1:0` until killed; prints
/// `bare server listening on http://<addr>` once bound.
#[allow(
    clippy::print_stdout,
    reason = "the address is how the parent finds the server"
)]
pub async fn serve(manifest: &Path) -> Result<(), BenchError> {
    let text = std::fs::read(manifest).map_err(io_error("read the bare manifest"))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| BenchError::Setup(format!("bare manifest: {e}")))?;
    let mut routes = Routes::new();
    for route in manifest.routes {
        let content_type = HeaderValue::from_str(&route.content_type)
            .map_err(|e| BenchError::Setup(format!("content type: {e}")))?;
        let body = std::fs::read(&route.body_file).map_err(io_error("read a canned body"))?;
        routes.insert(route.path_and_query, (content_type, Bytes::from(body)));
    }
    let routes = Arc::new(routes);
    let app = Router::new().fallback(move |uri: Uri| answer(routes.clone(), uri));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(io_error("bind the bare server"))?;
    let addr = listener
        .local_addr()
        .map_err(io_error("bare server address"))?;
    // TCP_NODELAY as the real server sets it, so both answer alike on the wire.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            eprintln!("could not set TCP_NODELAY: {err}");
        }
    });
    println!("bare server listening on http://{addr}");
    axum::serve(listener, app)
        .await
        .map_err(io_error("bare server"))
}

async fn answer(routes: Arc<Routes>, uri: Uri) -> Response {
    let found = uri
        .path_and_query()
        .and_then(|target| routes.get(target.as_str()));
    match found {
        Some((content_type, body)) => {
            ([(header::CONTENT_TYPE, content_type.clone())], body.clone()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
