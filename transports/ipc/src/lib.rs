//! Flow's IPC transport: the core's command table mounted as Tauri commands through
//! tauri-specta, the run follow over a Tauri channel, and the event bus forwarded to the webview
//! as Tauri events.
//!
//! No behaviour lives here: every command is a one-line call into `flow_core::commands`.

pub mod bindings;
#[allow(
    clippy::let_underscore_must_use,
    reason = "inside the code `#[tauri::command]` generates"
)]
pub mod follow;

use tauri::{Emitter, Manager, Runtime};

/// The Tauri event every bus event is emitted as; its payload is a `FlowEvent`.
pub const EVENT_NAME: &str = "flow-event";

macro_rules! ipc_commands {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// The core's commands as Tauri commands (generated from the command table).
        #[allow(clippy::let_underscore_must_use, reason = "inside the code `#[tauri::command]` generates")]
        pub mod commands {
            use flow_core::commands::signature::*;
            $(
                $(#[$meta])*
                #[tauri::command]
                #[specta::specta]
                pub async fn $name(
                    app: tauri::State<'_, flow_core::App>,
                    $($arg: $ty),*
                ) -> Result<$ret, flow_core::AppError> {
                    flow_core::commands::$name(&app, $($arg),*).await
                }
            )*
        }

        /// The tauri-specta builder holding every command (the table's and the run follow's):
        /// the invoke handler of the desktop app and of the `MockRuntime` tests, and the metadata
        /// the TypeScript bindings come from.
        pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
            tauri_specta::Builder::<R>::new()
                .commands(tauri_specta::collect_commands![
                    $(commands::$name,)*
                    follow::run_follow,
                    follow::run_follow_stop,
                ])
                .typ::<flow_core::FlowEvent>()
                .typ::<flow_core::AppError>()
        }
    };
}
flow_core::for_each_command!(ipc_commands);

/// Puts `core` in the app's state (commands reach it from there) and starts forwarding bus
/// events to every webview.
pub fn attach<R: Runtime>(handle: &tauri::AppHandle<R>, core: flow_core::App) {
    let mut subscription = core.bus().subscribe(None);
    handle.manage(core);
    handle.manage(follow::Follows::default());
    let emitter = handle.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(item) = subscription.next().await {
            let event = match item {
                flow_core::BusItem::Event(envelope) => envelope.event.clone(),
                flow_core::BusItem::Resync => flow_core::FlowEvent::Resync,
            };
            if let Err(err) = emitter.emit(EVENT_NAME, &event) {
                tracing::warn!(%err, "could not forward an event to the webview");
            }
        }
    });
}
