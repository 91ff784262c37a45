//! Template Hub commands: the starter catalog with install state, install and update. A change
//! publishes [`FlowEvent::FlowsChanged`](crate::FlowEvent::FlowsChanged), since it is a saved
//! flow that appears or changes.
#![allow(
    missing_docs,
    reason = "a command's doc comment is its line in the table"
)]

use crate::flows::hub::{self, TemplateHubInstalled, TemplateHubListing};
use crate::{App, AppError, FlowEvent};

fn published(app: &App, done: TemplateHubInstalled, change: &str) -> TemplateHubInstalled {
    app.publish(FlowEvent::FlowsChanged {
        slug: Some(done.flow.slug.clone()),
        revision: Some(done.flow.revision),
        change: change.to_owned(),
    });
    done
}

pub async fn template_hub_list(app: &App) -> Result<Vec<TemplateHubListing>, AppError> {
    hub::list(app.flows(), &app.config().data_dir).await
}

pub async fn template_hub_install(
    app: &App,
    id: String,
    collection: Option<String>,
) -> Result<TemplateHubInstalled, AppError> {
    let done = hub::install(app.flows(), &app.config().data_dir, id, collection).await?;
    Ok(published(app, done, "hub-installed"))
}

pub async fn template_hub_update(
    app: &App,
    id: String,
    force: Option<bool>,
) -> Result<TemplateHubInstalled, AppError> {
    let (done, changed) = hub::update(
        app.flows(),
        &app.config().data_dir,
        id,
        force.unwrap_or(false),
    )
    .await?;
    Ok(if changed {
        published(app, done, "hub-updated")
    } else {
        done
    })
}
