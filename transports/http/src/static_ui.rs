//! The UI: from `PUBLIC_DIR` or embedded in the binary, with SPA fallback to `index.html`.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::router::HttpState;

/// Where the UI's files come from.
#[derive(Debug, Clone)]
pub enum StaticUi {
    /// A directory on disk (`PUBLIC_DIR`).
    Dir(PathBuf),
    /// Files compiled into the binary.
    Embedded(&'static include_dir::Dir<'static>),
}

impl StaticUi {
    async fn read(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            Self::Embedded(dir) => dir.get_file(path).map(|f| Cow::Borrowed(f.contents())),
            Self::Dir(root) => {
                let relative = Path::new(path);
                // Only plain names: `..`, roots and prefixes could walk out of the directory.
                if !relative
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
                {
                    return None;
                }
                let full = root.join(relative);
                match tokio::fs::metadata(&full).await {
                    Ok(meta) if meta.is_file() => tokio::fs::read(&full).await.ok().map(Cow::Owned),
                    _ => None,
                }
            }
        }
    }
}

/// Serves a UI file; unknown paths without a file extension get `index.html` (client routes).
pub(crate) async fn serve(State(state): State<HttpState>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let ui = &state.options.ui;
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(bytes) = ui.read(path).await {
        return file_response(path, bytes);
    }
    let looks_like_file = path
        .rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.'));
    if looks_like_file {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match ui.read("index.html").await {
        Some(bytes) => file_response("index.html", bytes),
        None => (
            StatusCode::NOT_FOUND,
            "the UI is not built: run `npm run build` in frontend/",
        )
            .into_response(),
    }
}

fn file_response(path: &str, bytes: Cow<'static, [u8]>) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Vite fingerprints everything under assets/, so those never change; index.html must be
    // revalidated so a new build is picked up.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
