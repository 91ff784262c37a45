//! Flow's core: every behaviour of the product, with no transport.
//!
//! Transports (`flow-ipc`, `flow-http`) expand [`for_each_command!`] into their own wrappers, so a
//! command is written once here and reached identically over Tauri IPC, HTTP and WebSocket.

pub mod agentic;
pub mod app;
pub mod atomic_file;
pub mod board;
pub mod bus;
pub mod commands;
pub mod credentials;
pub mod db;
pub mod engine;
pub mod error;
pub mod event;
pub mod flows;
pub mod fresh_id;
pub mod history;
pub mod http_body;
pub mod json;
pub mod llm;
pub mod logging;
pub mod models;
pub mod nodes;
pub mod privacy;
pub mod scheduler;
pub mod services;
pub mod settings;
pub mod slug;
pub mod theme;
pub mod timestamp;

pub use app::{App, AppConfig, AppInfo, Edition};
pub use bus::{BusItem, Envelope, EventBus, Subscription};
pub use error::AppError;
pub use event::{FileChange, FlowEvent};
pub use json::JsonValue;
