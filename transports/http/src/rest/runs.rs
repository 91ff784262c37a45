//! Flow Studio's run routes: `POST|GET /api/run` (start a run, stream its events),
//! `GET /api/runs/{id}/events` (attach to a live or ended run) and `GET /api/history`.
//!
//! A run stream's frames are `id: <seq>` and `data: <ExecutionEvent JSON>` (kind-tagged, not
//! wrapped in the bus's `type: execution`), and the stream ends after `done`. The core's run
//! follow (`commands::run_follow`) does the replay-then-follow; this file frames it.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flow_core::AppError;
use flow_core::commands;
use flow_core::engine::{ExecutionEvent, RunOptions, RunSource, RunStatus, RunTrigger};
use flow_core::flows::FlowGraph;
use flow_core::history::{RunFilter, RunFollow, RunSummary};
use futures_util::StreamExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;
use crate::events_sse::{keep_alive, last_event_id};
use crate::json_body::JsonBody;
use crate::route_table::Table;
use crate::router::HttpState;

pub(super) fn routes() -> Table {
    Table::new()
        .route("/run", get(run_get).post(run_post))
        .route("/runs/{id}/events", get(run_attach))
        .route("/history", get(history))
}

/// `POST /api/run`: exactly one of `graph`, `template` (or `slug`) and `dsl`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunBody {
    #[serde(default)]
    graph: Option<FlowGraph>,
    #[serde(default, alias = "slug")]
    template: Option<String>,
    #[serde(default)]
    dsl: Option<String>,
    /// The run's `{{input}}` (wins over `options.input`).
    #[serde(default)]
    input: Option<serde_json::Value>,
    #[serde(default)]
    options: Option<RunOptions>,
}

/// `GET /api/run?template=<slug>` or `?dsl=<text>`; other parameters are ignored.
#[derive(Deserialize)]
struct RunParams {
    template: Option<String>,
    slug: Option<String>,
    dsl: Option<String>,
}

/// An SSE response (built before any frame, so errors can still be JSON).
type RunSse = Response;

async fn run_post(
    State(state): State<HttpState>,
    JsonBody(body): JsonBody<RunBody>,
) -> Result<RunSse, ApiError> {
    let mut options = body.options.unwrap_or_default();
    if body.input.is_some() {
        options.input = body.input;
    }
    let source = RunSource {
        graph: body.graph,
        slug: body.template,
        dsl: body.dsl,
    };
    start_and_stream(state, source, options).await
}

async fn run_get(
    State(state): State<HttpState>,
    Query(params): Query<RunParams>,
) -> Result<RunSse, ApiError> {
    if params.template.is_some() && params.slug.is_some() {
        return Err(AppError::InvalidInput("give template or slug, not both".into()).into());
    }
    let source = RunSource {
        graph: None,
        slug: params.template.or(params.slug),
        dsl: params.dsl,
    };
    start_and_stream(state, source, RunOptions::default()).await
}

/// Starts a run (trigger `api`) and streams its events; errors come back as JSON before any
/// stream starts.
async fn start_and_stream(
    state: HttpState,
    source: RunSource,
    options: RunOptions,
) -> Result<RunSse, ApiError> {
    let (started, run) =
        commands::run_start_follow(&state.app, source, Some(options), Some(RunTrigger::Api))
            .await?;
    tracing::info!(execution_id = %started.execution_id, flow = %started.flow_name, "run started over HTTP");
    Ok(sse(&state, run))
}

/// `?after=<seq>`: a first connection's equivalent of `Last-Event-ID`.
#[derive(Deserialize)]
struct AttachParams {
    after: Option<String>,
}

async fn run_attach(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AttachParams>,
) -> Result<RunSse, ApiError> {
    let after = match last_event_id(&headers) {
        Some(seq) => Some(seq_u32(seq)?),
        None => parse_param::<u32>("after", params.after.as_deref())?,
    };
    // An unknown run is a 404 here, before the stream starts.
    let run = commands::run_follow(&state.app, id, after).await?;
    Ok(sse(&state, run))
}

fn seq_u32(seq: u64) -> Result<u32, AppError> {
    u32::try_from(seq).map_err(|_| AppError::InvalidInput(format!("event id {seq} is too large")))
}

fn sse(state: &HttpState, run: RunFollow) -> RunSse {
    let frames = run
        .into_stream()
        .map(|event| Ok::<_, Infallible>(frame(&event)))
        .take_until(state.options.shutdown.clone().cancelled_owned());
    Sse::new(frames)
        .keep_alive(keep_alive(state))
        .into_response()
}

fn frame(event: &ExecutionEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|err| {
        tracing::error!(%err, "execution event could not be serialised");
        String::from("{}")
    });
    Event::default().id(event.seq.to_string()).data(data)
}

/// `GET /api/history` parameters, parsed by hand so a bad value is a JSON 400.
#[derive(Deserialize)]
struct HistoryParams {
    limit: Option<String>,
    flow: Option<String>,
    status: Option<String>,
    trigger: Option<String>,
    search: Option<String>,
    before: Option<String>,
}

async fn history(
    State(state): State<HttpState>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<Vec<RunSummary>>, ApiError> {
    let filter = RunFilter {
        flow: params.flow.filter(|s| !s.is_empty()),
        status: parse_enum::<RunStatus>("status", params.status.as_deref())?,
        trigger: parse_enum::<RunTrigger>("trigger", params.trigger.as_deref())?,
        search: params.search.filter(|s| !s.is_empty()),
        limit: parse_param::<u32>("limit", params.limit.as_deref())?,
        before: params.before.filter(|s| !s.is_empty()),
    };
    Ok(Json(commands::runs_list(&state.app, Some(filter)).await?))
}

fn parse_param<T: std::str::FromStr>(
    name: &str,
    value: Option<&str>,
) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| AppError::InvalidInput(format!("{name} must be a number, not {text:?}"))),
    }
}

fn parse_enum<T: DeserializeOwned>(name: &str, value: Option<&str>) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .map(Some)
            .map_err(|_| AppError::InvalidInput(format!("unknown {name} {text:?}"))),
    }
}
