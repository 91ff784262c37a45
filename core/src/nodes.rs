//! The node catalog: the built-in entries shipped with Flow, the entries installed under
//! `<data dir>/nodes/`, and CLI version probes.

mod catalog;
mod entry;

pub use catalog::NodeCatalog;
pub use entry::{CatalogEntry, CatalogListing, CliProbe, CliTool, NodeUninstalled};
