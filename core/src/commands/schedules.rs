//! Schedule commands: one schedule per saved flow, with a preview of the next firings.

use crate::scheduler::{Schedule, ScheduleDeleted, ScheduleSpec};
use crate::{App, AppError};

fn pending() -> AppError {
    AppError::Unavailable("schedules are not available yet".to_owned())
}

/// Every schedule, by next firing.
pub async fn schedules_list(app: &App) -> Result<Vec<Schedule>, AppError> {
    let _ = app;
    Err(pending())
}

/// Creates or replaces a saved flow's schedule.
pub async fn schedule_set(
    app: &App,
    slug: String,
    spec: ScheduleSpec,
) -> Result<Schedule, AppError> {
    let _ = (app, slug, spec);
    Err(pending())
}

/// Turns a schedule on or off (its settings and counts stay).
pub async fn schedule_set_enabled(
    app: &App,
    slug: String,
    enabled: bool,
) -> Result<Schedule, AppError> {
    let _ = (app, slug, enabled);
    Err(pending())
}

/// Removes a saved flow's schedule.
pub async fn schedule_delete(app: &App, slug: String) -> Result<ScheduleDeleted, AppError> {
    let _ = (app, slug);
    Err(pending())
}

/// The next `count` firings (default 5, at most 100) of a schedule, without saving it.
pub async fn schedule_preview(
    app: &App,
    spec: ScheduleSpec,
    count: Option<u32>,
) -> Result<Vec<String>, AppError> {
    let _ = (app, spec, count);
    Err(pending())
}
