//! Service integrations as data: the REST descriptors (`serviceIntegration`) that catalog
//! entries carry, checked when an entry loads, and the shared HTTP client that service nodes,
//! cloud AI providers and connection tests send their requests with.
//!
//! Adding an integration is adding a JSON file under `<data dir>/nodes/`: a catalog entry of
//! node type `service` whose `serviceIntegration` [`descriptor`] names the base URL, the auth
//! kinds and the operations. No code knows any one service.

pub mod client;
pub mod descriptor;
pub mod entry;
pub mod template;

pub use client::http_client;
pub use descriptor::{
    ApiKeyDefaults, Fields, Headers, Method, OAuth2Defaults, Operation, ResponseSpec, ServiceAuth,
    ServiceIntegration,
};
pub use entry::{check_entry, integration_for};
