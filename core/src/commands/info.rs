//! Commands about the instance itself.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::{App, AppError, AppInfo};

pub async fn app_info(app: &App) -> Result<AppInfo, AppError> {
    let config = app.config();
    Ok(AppInfo {
        name: "Flow".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        edition: config.edition,
        data_dir: config.data_dir.display().to_string(),
        secret_store: app.credentials().store_info(),
    })
}
