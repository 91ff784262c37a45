//! Flow's HTTP transport: the core's command table behind `POST /api/invoke/{cmd}`, the event bus
//! as SSE (`/api/events`) and WebSocket (`/api/ws`), REST routes over the same core functions,
//! a bearer-token gate, and the UI with SPA fallback.
//!
//! No behaviour lives here: every route calls a core command.

mod api_error;
mod auth;
mod events_sse;
mod events_ws;
mod invoke;
mod json_body;
mod listener;
mod oauth_callback;
mod openai;
mod rest;
mod route_table;
mod router;
mod static_ui;

use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use auth::AccessToken;
/// Every command the invoke bridge serves, in table order: the core's own list.
pub use flow_core::commands::COMMAND_NAMES;
pub use route_table::ListedRoute;
pub use router::{route_table, router};
pub use static_ui::StaticUi;

/// How the HTTP transport is put together.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The token every `/api/*` request must carry (header or session cookie).
    pub token: AccessToken,
    /// Where the UI comes from.
    pub ui: StaticUi,
    /// Largest accepted request body, in bytes (413 above it).
    pub body_limit: usize,
    /// Interval of SSE keep-alive comments and WebSocket pings.
    pub keep_alive: Duration,
    /// Cancelled on shutdown: ends every open stream so the server can drain.
    pub shutdown: CancellationToken,
}

impl HttpOptions {
    /// Defaults: 2 MiB bodies, 15 s keep-alive.
    pub fn new(token: AccessToken, ui: StaticUi, shutdown: CancellationToken) -> Self {
        Self {
            token,
            ui,
            body_limit: 2 * 1024 * 1024,
            keep_alive: Duration::from_secs(15),
            shutdown,
        }
    }
}

/// Serves `app` on `listener` until `options.shutdown` is cancelled, then drains connections.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: flow_core::App,
    options: HttpOptions,
) -> std::io::Result<()> {
    let shutdown = options.shutdown.clone();
    let state = router::state(app, options);
    let (routes, _) = router::routes(state.clone());
    let listener = listener::SplitListener::new(listener, state)?;
    axum::serve(listener, routes)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}
