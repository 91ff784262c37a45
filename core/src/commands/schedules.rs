//! Schedule commands: one schedule per saved flow, with a preview of the next firings.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::scheduler::runner::{self, Clock, SystemClock};
use crate::scheduler::{Schedule, ScheduleDeleted, ScheduleSpec};
use crate::{App, AppError};

pub async fn schedules_list(app: &App) -> Result<Vec<Schedule>, AppError> {
    runner::list_schedules(app).await
}

pub async fn schedule_set(
    app: &App,
    slug: String,
    spec: ScheduleSpec,
) -> Result<Schedule, AppError> {
    runner::set_schedule(app, slug, spec, SystemClock.now()).await
}

pub async fn schedule_set_enabled(
    app: &App,
    slug: String,
    enabled: bool,
) -> Result<Schedule, AppError> {
    runner::set_schedule_enabled(app, slug, enabled, SystemClock.now()).await
}

pub async fn schedule_delete(app: &App, slug: String) -> Result<ScheduleDeleted, AppError> {
    runner::delete_schedule(app, slug.clone()).await?;
    Ok(ScheduleDeleted { slug })
}

pub async fn schedule_preview(
    _app: &App,
    spec: ScheduleSpec,
    count: Option<u32>,
) -> Result<Vec<String>, AppError> {
    crate::scheduler::preview(&spec, SystemClock.now(), count)
}
