//! Flow Desktop: the Tauri 2 shell around the shared UI (`frontend/dist`, embedded at build
//! time) and the core's command table (mounted by `flow-ipc`).
//!
//! Environment:
//! - `FLOW_STUDIO_DIR`: the data directory (default `~/.flow-studio`).
//! - `TASKS_DIR`, `PROJECTS_DIR`: Claude Code's task lists and transcripts
//!   (default `~/.claude/tasks` and `~/.claude/projects`).
//! - `RUST_LOG`: the tracing filter (default `info`); `flow_desktop::ipc=debug` logs every
//!   command the webview invokes.
//!
//! The UI is always the built `frontend/dist` (embedded by `generate_context!`, rebuilt when
//! `dist` changes): `tauri.conf.json` deliberately has no `devUrl`, so a plain
//! `cargo build -p flow-desktop` works without a dev server. Build the UI first
//! (`cd frontend && npm ci && npm run build`); `app-desktop/smoke.sh` checks the result.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when the core cannot be opened (bad data directory, unreadable settings...).
const EXIT_CORE: u8 = 2;
/// Exit code when the Tauri app fails to build or run.
const EXIT_TAURI: u8 = 1;

fn main() -> ExitCode {
    flow_core::logging::init_stderr();

    let config = match config_from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("flow-desktop: {message}");
            return ExitCode::from(EXIT_CORE);
        }
    };
    // Opened inside Tauri's async runtime so the core's background tasks (the scheduler loop)
    // start on the runtime that serves the commands and lives as long as the app.
    let core = match tauri::async_runtime::block_on(async { flow_core::App::open(config) }) {
        Ok(core) => core,
        Err(err) => {
            eprintln!("flow-desktop: could not open the Flow core: {err}");
            return ExitCode::from(EXIT_CORE);
        }
    };

    let builder = flow_ipc::specta_builder::<tauri::Wry>();
    let commands = builder.invoke_handler();
    let app = tauri::Builder::default()
        .invoke_handler(move |invoke| {
            tracing::debug!(target: "flow_desktop::ipc", command = invoke.message.command(), "invoke");
            commands(invoke)
        })
        .setup(move |app| {
            builder.mount_events(app);
            flow_ipc::attach(app.handle(), core);
            tracing::info!("desktop shell ready");
            Ok(())
        })
        .run(tauri::generate_context!());

    match app {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("flow-desktop: the desktop app failed: {err}");
            ExitCode::from(EXIT_TAURI)
        }
    }
}

/// The core's configuration from the environment; the home directory is needed only for the
/// defaults that are not overridden.
fn config_from_env() -> Result<flow_core::AppConfig, String> {
    let home = flow_core::app::home_dir();
    let dir =
        |var: &str, default: &dyn Fn(&std::path::Path) -> PathBuf| -> Result<PathBuf, String> {
            match std::env::var_os(var).filter(|v| !v.is_empty()) {
                Some(value) => Ok(PathBuf::from(value)),
                None => home.as_deref().map(default).ok_or_else(|| {
                    format!("{var} is not set and the home directory is unknown (set HOME)")
                }),
            }
        };
    Ok(flow_core::AppConfig {
        data_dir: dir("FLOW_STUDIO_DIR", &flow_core::app::default_data_dir)?,
        edition: flow_core::Edition::Desktop,
        tasks_dir: dir("TASKS_DIR", &|h| h.join(".claude").join("tasks"))?,
        projects_dir: dir("PROJECTS_DIR", &|h| h.join(".claude").join("projects"))?,
        secret_store: std::env::var("FLOW_SECRET_STORE")
            .unwrap_or_default()
            .parse()?,
        secret_key: std::env::var("FLOW_SECRET_KEY")
            .ok()
            .filter(|k| !k.is_empty())
            .map(flow_core::credentials::SecretKey),
        model_runtime: Some(flow_llama::runtime()),
    })
}
