//! Flow Studio's run routes: `POST|GET /api/run` (start a run, stream its events),
//! `GET /api/runs/{id}/events` (attach to a live or ended run) and `GET /api/history`.
//!
//! A run stream's frames are `id: <seq>` and `data: <ExecutionEvent JSON>` (kind-tagged, not
//! wrapped in the bus's `type: execution`), and the stream ends after `done`. Replay reads the
//! history store page by page (memory stays bounded whatever the run printed), then follows the
//! bus. The bus is subscribed to *before* history is read, and the reporter records an event
//! before it publishes it, so nothing falls between the two; frames are deduplicated by `seq`.
//! When the bus cannot deliver something (a lagging client past the bus ring, or a `seq` gap),
//! the stream goes back to the history for it.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use flow_core::bus::{BusItem, Subscription};
use flow_core::commands;
use flow_core::engine::{
    ExecutionEvent, ExecutionEventKind, RunOptions, RunSource, RunStatus, RunTrigger,
};
use flow_core::flows::FlowGraph;
use flow_core::history::{RunEventsPage, RunFilter, RunSummary};
use flow_core::{App, AppError, FlowEvent};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;
use crate::events_sse::{keep_alive, last_event_id};
use crate::json_body::JsonBody;
use crate::router::HttpState;

/// Events read from the history per page while replaying.
const REPLAY_PAGE: u32 = 1000;

pub(super) fn routes() -> Router<HttpState> {
    Router::new()
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
    // Subscribed before the run exists, so its first events cannot be missed.
    let subscription = state.app.bus().subscribe(None);
    let started =
        flow_core::engine::start_run(&state.app, source, Some(options), RunTrigger::Api).await?;
    tracing::info!(execution_id = %started.execution_id, flow = %started.flow_name, "run started over HTTP");
    // The subscription predates the run, so the bus holds every event from seq 0: stream live
    // without a round trip to the history writer (a gap or a resync still falls back to it).
    let mut run = RunStream::new(state.app.clone(), started.execution_id, None, subscription);
    run.replaying = false;
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
    let subscription = state.app.bus().subscribe(None);
    // Through the command (which flushes the writer first): an unknown run is a 404 here,
    // before the stream starts.
    let first =
        commands::run_events(&state.app, id.clone(), after, Some(REPLAY_PAGE), None).await?;
    let mut run = RunStream::new(state.app.clone(), id, after, subscription);
    run.take_page(first);
    Ok(sse(&state, run))
}

fn seq_u32(seq: u64) -> Result<u32, AppError> {
    u32::try_from(seq).map_err(|_| AppError::InvalidInput(format!("event id {seq} is too large")))
}

fn sse(state: &HttpState, run: RunStream) -> RunSse {
    let frames = stream::unfold(run, |mut run| async move {
        let frame = run.next_frame().await?;
        Some((Ok::<_, Infallible>(frame), run))
    })
    .take_until(state.options.shutdown.clone().cancelled_owned());
    Sse::new(frames)
        .keep_alive(keep_alive(state))
        .into_response()
}

/// One client's view of one run: history replay, then live events, until `done`.
struct RunStream {
    app: App,
    id: String,
    subscription: Subscription,
    /// The last `seq` sent (`None` before the first frame).
    last: Option<u32>,
    /// Events read but not sent yet (at most one history page).
    pending: VecDeque<ExecutionEvent>,
    /// Reading history pages rather than the bus.
    replaying: bool,
    /// The history says the run ended and every event was read.
    complete: bool,
    finished: bool,
}

impl RunStream {
    fn new(app: App, id: String, after: Option<u32>, subscription: Subscription) -> Self {
        Self {
            app,
            id,
            subscription,
            last: after,
            pending: VecDeque::new(),
            replaying: true,
            complete: false,
            finished: false,
        }
    }

    fn take_page(&mut self, page: RunEventsPage) {
        if page.events.is_empty() && !page.complete {
            // Caught up with what is recorded: the rest comes from the bus.
            self.replaying = false;
        }
        self.complete = page.complete;
        self.pending.extend(page.events);
    }

    async fn next_frame(&mut self) -> Option<Event> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                if self.last.is_some_and(|last| event.seq <= last) {
                    continue;
                }
                self.last = Some(event.seq);
                if matches!(event.kind, ExecutionEventKind::Done { .. }) {
                    self.finished = true;
                }
                return Some(frame(&event));
            }
            if self.complete {
                // Ended without a `done` (an interrupted run): nothing more will come.
                return None;
            }
            if self.replaying {
                let page = self
                    .app
                    .history()
                    .events(self.id.clone(), self.last, Some(REPLAY_PAGE), None)
                    .await;
                match page {
                    Ok(page) => self.take_page(page),
                    Err(err) => {
                        tracing::warn!(execution_id = %self.id, %err, "run stream ended: history read failed");
                        return None;
                    }
                }
                continue;
            }
            match self.subscription.next().await? {
                BusItem::Resync => {
                    // The bus dropped events for this client; the history has every one.
                    self.app.history().flush().await;
                    self.replaying = true;
                }
                BusItem::Event(envelope) => {
                    let FlowEvent::Execution(event) = &envelope.event else {
                        continue;
                    };
                    if event.execution_id != self.id {
                        continue;
                    }
                    let expected = self.last.map_or(0, |last| last.saturating_add(1));
                    if event.seq < expected {
                        continue;
                    }
                    if event.seq > expected {
                        // A gap: each event is recorded before it is published, so after a
                        // flush the history holds the missing ones (and this one).
                        self.app.history().flush().await;
                        self.replaying = true;
                        continue;
                    }
                    self.pending.push_back(event.clone());
                }
            }
        }
    }
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
