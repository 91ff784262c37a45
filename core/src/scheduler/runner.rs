//! Firing schedules: the clock, one `tick` over the due schedules, and the background loop.
//!
//! A tick, for each enabled schedule whose `next_run_at <= now`:
//! 1. loads the saved flow (a missing flow disables the schedule: "the flow was deleted");
//! 2. decides how many runs the missed firings get (catch-up, below), capped by `maxRuns`;
//! 3. advances `next_run_at` to the first firing after `now`, adds the runs to `run_count`, and
//!    disables the schedule with a `finished_reason` when `once` fired, `maxRuns` was reached or
//!    no firing is left before `until`. This is written with a compare-and-set on the old
//!    `next_run_at` BEFORE any run starts, so a crash, a slow run or a second process never
//!    fires the same time twice;
//! 4. starts the runs (trigger `scheduled`, the schedule's destructive-gate override) and records
//!    the last run's id with status `running`, or `failed` when the engine refused it;
//! 5. publishes `SchedulesChanged`.
//!
//! Catch-up, over the due firings `next_run_at ≤ f ≤ now`:
//! - `skip`: runs once only if the latest due firing is at most [`skip_window`] old (a loop
//!   that is running normally sees every firing within one poll); older firings were missed
//!   while Flow was down and are dropped.
//! - `run_once`: one run however many firings were missed.
//! - `run_all`: one run per missed firing, at most [`RUN_ALL_CAP`] per tick; the rest are
//!   dropped (with a warning).
//!
//! A firing that could not start still counts as a run (status `failed`), so `maxRuns` ends a
//! schedule even while its flow cannot run.
//!
//! Run outcomes: the background loop subscribes to the bus and, on an execution `done` event
//! whose id is a schedule's `last_execution_id`, stores its status and publishes
//! `SchedulesChanged`. A run that ends before its id is recorded is remembered briefly so the
//! recording picks its final status up.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

use super::host::ScheduleHost;
use super::next_fire::{Plan, format_in};
use super::store::Row;
use super::types::{CatchUp, Schedule, ScheduleSpec};
use crate::engine::{
    ExecutionEvent, ExecutionEventKind, RunOptions, RunRequest, RunStatus, RunTrigger,
};
use crate::{AppError, BusItem, FlowEvent};

/// The most runs one `run_all` catch-up starts in one tick.
pub const RUN_ALL_CAP: u32 = 100;

/// What the scheduler reads the time from.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told (tests).
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut now) = self.0.lock() {
            *now = at;
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|now| *now)
            .unwrap_or_else(|poisoned| *poisoned.into_inner())
    }
}

/// What one schedule did in a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The saved flow.
    pub slug: String,
    /// Runs attempted (0 when catch-up skipped stale firings).
    pub runs: u32,
    /// The runs the engine accepted.
    pub execution_ids: Vec<String>,
    /// Why a run could not start, if one could not.
    pub error: Option<String>,
    /// The next firing (UTC), if any.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Set when the schedule disabled itself.
    pub finished_reason: Option<String>,
}

/// How old the latest missed firing may be for `skip` to still run it: two poll intervals, at
/// least a minute.
pub fn skip_window(poll_secs: u32) -> Duration {
    Duration::seconds(i64::from(poll_secs).saturating_mul(2).max(60))
}

/// Why a schedule with `run_count` runs has no firing after `now`, or its next firing.
fn next_or_reason(
    plan: &Plan,
    spec: &ScheduleSpec,
    run_count: u32,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let tz = plan.timezone();
    if let Some(max) = spec.max_runs
        && run_count >= max
    {
        return Err(format!("maxRuns ({max}) reached"));
    }
    plan.next_after(now).ok_or_else(|| match plan.until() {
        _ if plan.is_once() => format!(
            "its one firing ({}) is in the past",
            format_in(tz, plan.anchor())
        ),
        Some(until) if until <= now => format!("until ({}) has passed", format_in(tz, until)),
        Some(until) => format!("no firing is left before until ({})", format_in(tz, until)),
        _ => "no firing is left".to_owned(),
    })
}

fn publish(host: &impl ScheduleHost, slug: &str) {
    host.bus().publish(FlowEvent::SchedulesChanged {
        slug: slug.to_owned(),
    });
}

/// Creates or replaces a flow's schedule as of `now`, keeping its run count and last run.
pub async fn set_schedule(
    host: &impl ScheduleHost,
    slug: String,
    spec: ScheduleSpec,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let plan = Plan::compile(&spec)?;
    host.flows().get(slug.clone()).await?;
    let run_count = host
        .schedules()
        .get(slug.clone())
        .await?
        .map_or(0, |row| row.run_count);
    let next = if spec.enabled {
        Some(next_or_reason(&plan, &spec, run_count, now).map_err(|why| {
            AppError::InvalidInput(format!("this schedule would never fire: {why}"))
        })?)
    } else {
        None
    };
    let row = host
        .schedules()
        .upsert(slug.clone(), spec, next, None, now)
        .await?;
    tracing::info!(%slug, next_run_at = ?row.next_run_at, "schedule set");
    publish(host, &slug);
    Ok(row.to_schedule())
}

/// Turns a flow's schedule on or off as of `now`. Turning on a schedule whose end condition
/// holds is a conflict: its settings have to change first.
pub async fn set_schedule_enabled(
    host: &impl ScheduleHost,
    slug: String,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let row = host
        .schedules()
        .get(slug.clone())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("flow {slug:?} has no schedule")))?;
    let mut spec = row.spec.clone();
    spec.enabled = enabled;
    let (next, finished) = if enabled {
        let plan = Plan::compile(&spec)?;
        let next = next_or_reason(&plan, &spec, row.run_count, now).map_err(|why| {
            AppError::Conflict(format!(
                "the schedule cannot be turned on: {why}; change its settings instead"
            ))
        })?;
        (Some(next), None)
    } else {
        (None, row.finished_reason.clone())
    };
    let row = host
        .schedules()
        .upsert(slug.clone(), spec, next, finished, now)
        .await?;
    tracing::info!(%slug, enabled, "schedule switched");
    publish(host, &slug);
    Ok(row.to_schedule())
}

/// Removes a flow's schedule.
pub async fn delete_schedule(host: &impl ScheduleHost, slug: String) -> Result<(), AppError> {
    if !host.schedules().delete(slug.clone()).await? {
        return Err(AppError::NotFound(format!("flow {slug:?} has no schedule")));
    }
    tracing::info!(%slug, "schedule deleted");
    publish(host, &slug);
    Ok(())
}

/// Every schedule, firing ones by next firing, then the disabled ones.
pub async fn list_schedules(host: &impl ScheduleHost) -> Result<Vec<Schedule>, AppError> {
    Ok(host
        .schedules()
        .list()
        .await?
        .iter()
        .map(Row::to_schedule)
        .collect())
}

/// How many runs the firings due at `now` get under the schedule's catch-up policy.
fn runs_for(
    plan: &Plan,
    row: &Row,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> u32 {
    match row.spec.catch_up {
        CatchUp::RunOnce => 1,
        CatchUp::Skip => {
            // Any firing in [max(due, now − window), now] is recent enough; none is stale.
            let from = (now - window).max(due) - Duration::seconds(1);
            u32::from(plan.next_after(from).is_some_and(|at| at <= now))
        }
        CatchUp::RunAll => {
            let mut count = 1;
            let mut cursor = due;
            while let Some(at) = plan.next_after(cursor).filter(|at| *at <= now) {
                if count == RUN_ALL_CAP {
                    tracing::warn!(slug = %row.slug, cap = RUN_ALL_CAP, "more missed firings than run_all starts; the rest are dropped");
                    break;
                }
                count += 1;
                cursor = at;
            }
            count
        }
    }
}

/// Disables a schedule with a reason, if it is still due at `expected`.
async fn finish(
    host: &impl ScheduleHost,
    row: &Row,
    expected: DateTime<Utc>,
    reason: &str,
) -> Result<bool, AppError> {
    let mut next = row.clone();
    next.spec.enabled = false;
    next.next_run_at = None;
    next.finished_reason = Some(reason.to_owned());
    let won = host.schedules().claim(expected, next).await?;
    if won {
        tracing::info!(slug = %row.slug, %reason, "schedule finished");
        publish(host, &row.slug);
    }
    Ok(won)
}

/// Fires every schedule due at `now` (see the module docs); returns what each did.
pub async fn tick(host: &impl ScheduleHost, now: DateTime<Utc>) -> Result<Vec<Fired>, AppError> {
    let window = skip_window(host.settings().get().await.scheduler_poll_secs);
    let mut fired = Vec::new();
    for row in host.schedules().due(now).await? {
        let Some(due) = row.next_run_at else { continue };
        let slug = row.slug.clone();
        let plan = match Plan::compile(&row.spec) {
            Ok(plan) => plan,
            Err(err) => {
                let reason = format!("its settings are no longer valid: {}", err.message());
                finish(host, &row, due, &reason).await?;
                continue;
            }
        };
        let graph = match host.flows().get(slug.clone()).await {
            Ok(doc) => Ok(doc.graph),
            Err(AppError::NotFound(_)) => {
                if finish(host, &row, due, "the flow was deleted").await? {
                    fired.push(Fired {
                        slug,
                        runs: 0,
                        execution_ids: Vec::new(),
                        error: None,
                        next_run_at: None,
                        finished_reason: Some("the flow was deleted".into()),
                    });
                }
                continue;
            }
            Err(err) => Err(err),
        };

        let mut runs = runs_for(&plan, &row, due, now, window);
        if let Some(max) = row.spec.max_runs {
            runs = runs.min(max.saturating_sub(row.run_count));
        }
        let run_count = row.run_count.saturating_add(runs);
        let mut next = row.clone();
        next.run_count = run_count;
        if runs > 0 {
            next.last_run_at = Some(now);
            next.last_status = Some(RunStatus::Running);
        }
        let finished = if plan.is_once() {
            Some(if runs > 0 {
                "it ran once".to_owned()
            } else {
                "its one firing was missed while Flow was not running".to_owned()
            })
        } else {
            next_or_reason(&plan, &row.spec, run_count, now).err()
        };
        next.next_run_at = if finished.is_some() {
            None
        } else {
            plan.next_after(now)
        };
        if finished.is_some() {
            next.spec.enabled = false;
        }
        next.finished_reason = finished.clone().or(row.finished_reason.clone());
        if !host.schedules().claim(due, next.clone()).await? {
            tracing::debug!(%slug, "due firing already claimed elsewhere");
            continue;
        }

        let mut outcome = Fired {
            slug: slug.clone(),
            runs,
            execution_ids: Vec::new(),
            error: None,
            next_run_at: next.next_run_at,
            finished_reason: finished,
        };
        if runs > 0 {
            start_runs(host, &row.spec, graph, runs, &mut outcome).await?;
        } else {
            tracing::info!(%slug, due = %due, "stale firings skipped");
        }
        publish(host, &slug);
        fired.push(outcome);
    }
    Ok(fired)
}

/// Starts `runs` runs of a claimed firing and records the last one.
async fn start_runs(
    host: &impl ScheduleHost,
    spec: &ScheduleSpec,
    graph: Result<crate::flows::FlowGraph, AppError>,
    runs: u32,
    outcome: &mut Fired,
) -> Result<(), AppError> {
    let slug = outcome.slug.clone();
    let mut last: Result<String, AppError> = Err(AppError::Internal("no run started".into()));
    for _ in 0..runs {
        last = match &graph {
            Ok(graph) => {
                host.start_run(RunRequest {
                    graph: graph.clone(),
                    flow_slug: Some(slug.clone()),
                    trigger: RunTrigger::Scheduled,
                    options: RunOptions {
                        confirm_destructive: Some(spec.confirm_destructive),
                        ..RunOptions::default()
                    },
                    seed_outputs: HashMap::new(),
                })
                .await
            }
            Err(err) => Err(err.clone()),
        }
        .map(|started| started.execution_id);
        match &last {
            Ok(id) => {
                tracing::info!(%slug, execution_id = %id, "scheduled run started");
                outcome.execution_ids.push(id.clone());
            }
            Err(err) => {
                tracing::warn!(%slug, %err, "scheduled run could not start");
                outcome.error = Some(err.message().to_owned());
            }
        }
    }
    let (id, status) = match last {
        Ok(id) => (Some(id), RunStatus::Running),
        Err(_) => (None, RunStatus::Failed),
    };
    host.schedules().record_started(slug, id, status).await
}

/// The background loop's handle: stops the loop when shut down or dropped.
#[derive(Debug)]
pub struct SchedulerHandle {
    token: CancellationToken,
    join: Option<tokio::task::JoinHandle<()>>,
}

impl SchedulerHandle {
    /// Stops the loop and waits for it to end.
    pub async fn shutdown(mut self) {
        self.token.cancel();
        if let Some(join) = self.join.take()
            && let Err(err) = join.await
        {
            tracing::warn!(%err, "scheduler loop ended badly");
        }
    }
}

impl Drop for SchedulerHandle {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// Starts the background loop on the current tokio runtime: every `scheduler_poll_secs` it
/// ticks (when `scheduler_enabled`), and it records scheduled runs' outcomes from the bus. The
/// loop holds the host (the app) weakly, so it never keeps it open.
pub fn spawn<H: ScheduleHost>(host: &H, clock: Arc<dyn Clock>) -> SchedulerHandle {
    let token = CancellationToken::new();
    let join = tokio::spawn(run_loop::<H>(host.downgrade(), clock, token.clone()));
    SchedulerHandle {
        token,
        join: Some(join),
    }
}

/// Starts the loop with the system clock and keeps it in the app's schedule store, when a tokio
/// runtime is running (both editions open the app inside one).
pub(crate) fn start_background(host: &impl ScheduleHost) {
    if tokio::runtime::Handle::try_current().is_ok() {
        host.schedules().attach(spawn(host, Arc::new(SystemClock)));
    } else {
        tracing::debug!("no tokio runtime: the scheduler loop is not started");
    }
}

async fn run_loop<H: ScheduleHost>(weak: H::Weak, clock: Arc<dyn Clock>, token: CancellationToken) {
    let Some(mut events) = H::upgrade(&weak).map(|host| host.bus().subscribe(None)) else {
        return;
    };
    let mut next_tick = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = token.cancelled() => break,
            () = tokio::time::sleep_until(next_tick) => {
                let Some(host) = H::upgrade(&weak) else { break };
                let settings = host.settings().get().await;
                if settings.scheduler_enabled
                    && let Err(err) = tick(&host, clock.now()).await
                {
                    tracing::warn!(%err, "scheduler tick failed");
                }
                next_tick = tokio::time::Instant::now() + poll(settings.scheduler_poll_secs);
            }
            item = events.next() => match item {
                None => break,
                Some(BusItem::Event(envelope)) => match &envelope.event {
                    FlowEvent::Execution(ExecutionEvent {
                        execution_id,
                        kind: ExecutionEventKind::Done { status },
                        ..
                    }) => {
                        let Some(host) = H::upgrade(&weak) else { break };
                        match host.schedules().record_done(execution_id.clone(), *status).await {
                            Ok(Some(slug)) => publish(&host, &slug),
                            Ok(None) => {}
                            Err(err) => tracing::warn!(%err, "recording a scheduled run's end failed"),
                        }
                    }
                    // A shorter interval takes effect now rather than after the current wait.
                    FlowEvent::SettingsChanged { settings } => {
                        next_tick = next_tick.min(tokio::time::Instant::now() + poll(settings.scheduler_poll_secs));
                    }
                    _ => {}
                },
                // Missed events can only be `done`s; their runs keep `running` until the next one.
                Some(BusItem::Resync) => tracing::debug!("scheduler lagged behind the bus"),
            },
        }
    }
    tracing::debug!("scheduler loop stopped");
}

fn poll(secs: u32) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(secs.max(1)))
}
