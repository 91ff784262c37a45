//! The route table and the layers around it.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::http::header;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, delete, get, post};
use flow_core::{App, AppError};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::api_error::ApiError;
use crate::route_table::{ListedRoute, Table};
use crate::{
    HttpOptions, auth, events_sse, events_ws, invoke, oauth_callback, openai, rest, static_ui,
};

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct HttpState {
    pub app: App,
    pub options: Arc<HttpOptions>,
}

/// The whole HTTP surface of a Flow Server over `app`.
pub fn router(app: App, options: HttpOptions) -> Router {
    routes(state(app, options)).0
}

/// Every path the HTTP surface over `app` routes, as [`serve`](crate::serve) builds it (the
/// auth walk's table).
pub fn route_table(app: App, options: HttpOptions) -> Vec<ListedRoute> {
    routes(state(app, options)).1
}

/// What the routes share.
pub(crate) fn state(app: App, options: HttpOptions) -> HttpState {
    HttpState {
        app,
        options: Arc::new(options),
    }
}

/// The route table over `state`, with every path it routes.
pub(crate) fn routes(state: HttpState) -> (Router, Vec<ListedRoute>) {
    let body_limit = state.options.body_limit;

    let (api, api_paths) = Table::new()
        .route("/invoke", post(invoke::invoke_body))
        .route("/invoke/{cmd}", post(invoke::invoke_path))
        .route("/events", get(events_sse::events))
        .route("/ws", any(events_ws::upgrade))
        .route("/session", post(auth::open_session))
        .merge(rest::routes())
        .into_parts("/api");
    let api = api
        .fallback(api_not_found)
        .layer(from_fn_with_state(state.clone(), auth::require_auth))
        // Added after the gate on purpose: signing out must work with an expired session.
        .route("/session", delete(auth::close_session));
    let (v1, v1_paths) = openai::routes(state.clone());
    let (public, public_paths) = Table::new()
        .route("/health", get(health))
        // Public like `/health`: the provider's redirect carries no token or cookie; the
        // single-use `state` is what the route checks.
        .route(
            flow_core::credentials::oauth::CALLBACK_PATH,
            get(oauth_callback::callback),
        )
        .into_parts("");
    let listed = api_paths
        .into_iter()
        .chain(v1_paths)
        .map(|path| ListedRoute { path, gated: true })
        .chain(
            public_paths
                .into_iter()
                .map(|path| ListedRoute { path, gated: false }),
        )
        .collect();

    let router = public
        .nest("/api", api)
        .nest("/v1", v1)
        .fallback(static_ui::serve)
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                ]))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        // One line per request costs more than a cached board answer does;
                        // failures are still logged (as errors), and `RUST_LOG=tower_http=debug`
                        // gives the access line back.
                        .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(CompressionLayer::new())
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state);
    (router, listed)
}

/// Logs the path only: a query string may hold a login token.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("http", method = %request.method(), path = request.uri().path(), request_id)
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ApiError(AppError::Internal(
        "the server hit a bug while handling this request".into(),
    ))
    .into_response()
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn api_not_found(method: axum::http::Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError(AppError::NotFound(format!(
        "no API route {method} {}",
        uri.path()
    )))
}
