//! REST routes kept for existing clients; each one calls the same core command as the bridge.

mod board;
mod features;
mod flows;
mod llm;
mod models;
mod nodes;
mod runs;
mod theme;

use crate::route_table::Table;

/// Every REST route, relative to `/api`.
pub(crate) fn routes() -> Table {
    Table::new()
        .merge(theme::routes())
        .merge(board::routes())
        .merge(features::routes())
        .merge(flows::routes())
        .merge(nodes::routes())
        .merge(runs::routes())
        .merge(llm::routes())
        .merge(models::routes())
}
