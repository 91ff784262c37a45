//! The privacy sanitizer's preview: what a model would see of a text.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::privacy::{self, PrivacyPreview, PrivacyRule};
use crate::{App, AppError};

pub async fn privacy_preview(
    app: &App,
    text: String,
    rules: Option<Vec<PrivacyRule>>,
) -> Result<PrivacyPreview, AppError> {
    let rules = match rules {
        Some(rules) => rules,
        None => app.settings().get().await.privacy_rules,
    };
    // Up to 1 MiB through a dozen patterns: off the async workers.
    tokio::task::spawn_blocking(move || privacy::preview(&text, &rules))
        .await
        .map_err(|err| AppError::Internal(format!("the privacy preview failed: {err}")))?
}
