//! Listing, installing and updating hub entries inside one store transaction.

use std::collections::HashMap;
use std::time::SystemTime;

use super::catalog::TemplateHubEntry;
use super::installs::{self, InstallRow};
use super::listing::{TemplateHubInstalled, TemplateHubListing, is_newer, listing, unreadable};
use crate::AppError;
use crate::flows::store::{CurrentFlow, StoreTx};

fn entry<'c>(catalog: &'c [TemplateHubEntry], id: &str) -> Result<&'c TemplateHubEntry, AppError> {
    catalog
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no Template Hub entry `{id}`")))
}

/// The flow `row` points at, dropping the row when that flow is gone (deleted outside Flow).
fn installed_flow(tx: &StoreTx<'_>, row: &InstallRow) -> Result<Option<CurrentFlow>, AppError> {
    let current = tx.current(&row.flow_slug)?;
    if current.is_none() {
        installs::forget_flow(tx.conn(), &row.flow_slug)?;
    }
    Ok(current)
}

fn record(entry: &TemplateHubEntry, written: &CurrentFlow) -> InstallRow {
    InstallRow {
        hub_id: entry.id.clone(),
        flow_slug: written.document.slug.clone(),
        hub_version: entry.version.clone(),
        installed_at: crate::timestamp::rfc3339(SystemTime::now()),
        revision: written.document.revision,
        content_hash: written.content_hash.clone(),
    }
}

/// Every catalog entry with its install state, in catalog order.
pub(super) fn listings(
    tx: &StoreTx<'_>,
    catalog: &[TemplateHubEntry],
) -> Result<Vec<TemplateHubListing>, AppError> {
    // Rows of entries a custom catalog no longer offers are kept: the entry may come back.
    let mut rows: HashMap<String, InstallRow> = installs::all(tx.conn())?
        .into_iter()
        .map(|r| (r.hub_id.clone(), r))
        .collect();
    let mut out = Vec::with_capacity(catalog.len());
    for entry in catalog {
        let Some(row) = rows.remove(&entry.id) else {
            out.push(listing(entry, None));
            continue;
        };
        out.push(match installed_flow(tx, &row) {
            Ok(current) => listing(entry, current.as_ref().map(|c| (&row, c))),
            // One broken flow file must not hide the whole hub: it is the user's edit.
            Err(AppError::InvalidInput(err)) => {
                tracing::warn!(id = %entry.id, %err, "an installed template's flow file is not a flow");
                unreadable(entry, &row)
            }
            Err(err) => return Err(err),
        });
    }
    Ok(out)
}

/// Saves entry `id`'s graph as a new flow in `collection` and records the install.
pub(super) fn install(
    tx: &StoreTx<'_>,
    catalog: &[TemplateHubEntry],
    id: &str,
    collection: Option<&str>,
) -> Result<TemplateHubInstalled, AppError> {
    let entry = entry(catalog, id)?;
    if let Some(row) = installs::get(tx.conn(), id)?
        && installed_flow(tx, &row)?.is_some()
    {
        let next = if is_newer(&entry.version, &row.hub_version) {
            format!("; update it to get version {}", entry.version)
        } else {
            String::new()
        };
        return Err(AppError::Conflict(format!(
            "Template Hub entry `{id}` is already installed as flow `{}` (version {}){next}",
            row.flow_slug, row.hub_version
        )));
    }
    let written = tx.create(entry.graph.clone(), collection)?;
    let row = record(entry, &written);
    installs::put(tx.conn(), &row)?;
    tracing::info!(id, slug = %row.flow_slug, version = %row.hub_version, "template installed");
    Ok(TemplateHubInstalled {
        listing: listing(entry, Some((&row, &written))),
        flow: written.document,
    })
}

/// Overwrites the flow installed from entry `id` (see [`super::update`]).
pub(super) fn update(
    tx: &StoreTx<'_>,
    catalog: &[TemplateHubEntry],
    id: &str,
    force: bool,
) -> Result<(TemplateHubInstalled, bool), AppError> {
    let entry = entry(catalog, id)?;
    let not_installed = || {
        AppError::NotFound(format!(
            "Template Hub entry `{id}` is not installed; install it first"
        ))
    };
    let row = installs::get(tx.conn(), id)?.ok_or_else(not_installed)?;
    let current = installed_flow(tx, &row)?.ok_or_else(not_installed)?;
    let edited = current.content_hash != row.content_hash;
    if edited && !force {
        return Err(AppError::Conflict(format!(
            "flow `{}` was edited after the Template Hub installed it (hub revision {}, now \
             revision {}); updating would overwrite that edit. Update with force to replace it: \
             the edited version stays in the flow's revision history",
            row.flow_slug, row.revision, current.document.revision
        )));
    }
    if !edited && row.hub_version == entry.version {
        // An untouched copy of this very version: nothing to write.
        return Ok((
            TemplateHubInstalled {
                listing: listing(entry, Some((&row, &current))),
                flow: current.document,
            },
            false,
        ));
    }
    let written = tx.replace(
        &row.flow_slug,
        current.document.revision,
        entry.graph.clone(),
    )?;
    let updated = record(entry, &written);
    installs::put(tx.conn(), &updated)?;
    tracing::info!(
        id,
        slug = %updated.flow_slug,
        from = %row.hub_version,
        to = %updated.hub_version,
        overwrote_edit = edited,
        "template updated"
    );
    Ok((
        TemplateHubInstalled {
            listing: listing(entry, Some((&updated, &written))),
            flow: written.document,
        },
        true,
    ))
}
