//! Test harness shared by Flow's cross-transport and end-to-end tests: a real `flow-server`
//! process on a free loopback port, and an SSE reader.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test harness: a failed step must fail the test that called it"
)]

pub mod claude_fixture;
pub mod in_process;
pub mod json_files;
pub mod oauth_provider;
pub mod rest_server;
pub mod secret_grep;
pub mod secret_service;
pub mod server;
pub mod sockets;
pub mod sse;
pub mod test_model;
