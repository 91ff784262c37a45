//! The node catalog: the built-in entries shipped with Flow, the entries installed under
//! `<data dir>/nodes/`, and CLI version probes.

mod builtin;
mod catalog;
mod entry;
mod installed;
mod probe;
pub mod schema;

pub use builtin::{builtin_entries, builtin_entry};
pub use catalog::{InstallChange, NodeCatalog};
pub use entry::{CatalogEntry, CatalogListing, CliProbe, CliTool, NodeUninstalled};
pub use probe::{PROBE_TIMEOUT, probe};
