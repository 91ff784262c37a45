//! `flow-server`: Flow Server, the private-cloud edition.

mod config;
mod token;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use flow_core::{App, AppConfig, Edition};
use flow_http::{HttpOptions, StaticUi};
use tokio_util::sync::CancellationToken;

use crate::config::Config;

static EMBEDDED_UI: include_dir::Dir<'static> = include_dir::include_dir!("$OUT_DIR/ui");

/// mimalloc gives freed memory back to the system: after ten thousand streams close, or a
/// multi-megabyte answer is sent, the server shrinks again (glibc's allocator keeps it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
enum ServerError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Core(#[from] flow_core::AppError),
    #[error("{0}: point --data-dir (FLOW_STUDIO_DIR) at a writable folder")]
    DataDir(flow_core::AppError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("PUBLIC_DIR {} has no index.html: point it at a built UI such as frontend/dist", .0.display())]
    PublicDir(std::path::PathBuf),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

fn main() -> ExitCode {
    let config = Config::parse();
    flow_core::logging::init_stderr();
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run(config)),
        Err(e) => Err(ServerError::Runtime(e)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("flow-server: {err}");
            ExitCode::from(2)
        }
    }
}

/// Each event stream is a socket: the usual soft limit of 1,024 open files would refuse the
/// thousand-and-first browser tab. Raise it to the hard limit, and say what it is.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) if limit < 10_000 => tracing::warn!(
            limit,
            "the open-file limit is low: at most about this many clients at once (raise the hard limit, e.g. `ulimit -Hn`)"
        ),
        Ok(limit) => tracing::info!(limit, "open-file limit"),
        Err(err) => tracing::warn!(%err, "cannot raise the open-file limit"),
    }
}

async fn run(config: Config) -> Result<(), ServerError> {
    let paths = config.resolve()?;
    flow_core::app::prepare_data_dir(&paths.data_dir).map_err(ServerError::DataDir)?;
    let app = App::open(AppConfig {
        data_dir: paths.data_dir.clone(),
        edition: Edition::Server,
        tasks_dir: paths.tasks_dir,
        projects_dir: paths.projects_dir,
        secret_store: config.secret_store,
        secret_key: config
            .secret_key
            .clone()
            .filter(|k| !k.is_empty())
            .map(flow_core::credentials::SecretKey),
        model_runtime: Some(flow_llama::runtime()),
    })?;
    let token = token::load_or_create(config.token.as_deref(), &app.config().data_dir)?;
    let ui = match &config.public_dir {
        Some(dir) if dir.join("index.html").is_file() => StaticUi::Dir(dir.clone()),
        Some(dir) => return Err(ServerError::PublicDir(dir.clone())),
        None => StaticUi::Embedded(&EMBEDDED_UI),
    };
    let shutdown = CancellationToken::new();
    let options = HttpOptions::new(token.access.clone(), ui, shutdown.clone());

    let addr = config.listen_addr();
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.clone(),
            source,
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr, source })?;
    let url = browser_url(local);
    announce(&url, &token);
    if config.open_browser {
        open_browser(token.login_url(&url));
    }
    tokio::spawn(wait_for_signal(shutdown.clone()));
    flow_http::serve(listener, app, options)
        .await
        .map_err(ServerError::Serve)?;
    tracing::info!("server stopped");
    Ok(())
}

/// A URL a browser on this machine can open, even when bound to every interface.
fn browser_url(local: SocketAddr) -> String {
    let ip = local.ip();
    let host = if ip.is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        ip.to_string()
    };
    let host = if local.is_ipv6() && !ip.is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}", local.port())
}

/// Prints where the server is, once, on stdout (logs go to stderr and never hold the token).
#[allow(
    clippy::print_stdout,
    reason = "the URL is the program's output, not a log line"
)]
fn announce(url: &str, token: &token::ServerToken) {
    println!(
        "Flow Server {} listening on {url}",
        env!("CARGO_PKG_VERSION")
    );
    match token.login_url(url) {
        Some(login) => println!("Login URL: {login}"),
        None => println!("Sign in at {url}/ with the token from FLOW_SERVER_TOKEN"),
    }
}

fn open_browser(url: Option<String>) {
    let Some(url) = url else { return };
    tokio::task::spawn_blocking(move || {
        if let Err(err) = open::that_detached(&url) {
            tracing::warn!(%err, "could not open a browser");
        }
    });
}

async fn wait_for_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        result = interrupt => if let Err(err) = result { tracing::warn!(%err, "cannot listen for Ctrl-C") },
        () = terminate => {},
    }
    tracing::info!("shutting down: closing listeners and streams");
    shutdown.cancel();
}
