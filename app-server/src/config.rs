//! Configuration: every setting is a flag and an environment variable of the same meaning.

use std::path::PathBuf;

use clap::Parser;
use clap::builder::BoolishValueParser;

/// Flow Server: the Flow workspace (flows, runs, models, agent board) served over HTTP, SSE and
/// WebSocket behind a bearer token.
#[derive(Debug, Parser)]
#[command(name = "flow-server", version, about, long_about = None)]
pub struct Config {
    /// Port to listen on (used when FLOW_SERVER_ADDR is not set).
    #[arg(long, env = "PORT", default_value_t = 3456)]
    pub port: u16,
    /// Address to listen on, host:port [default: 127.0.0.1:$PORT]. Use 0.0.0.0:PORT to accept
    /// other machines (behind TLS), and port 0 for any free port.
    #[arg(long, env = "FLOW_SERVER_ADDR")]
    pub addr: Option<String>,
    /// Access token clients must send (at least 16 characters). Without it a token is created,
    /// kept in <data dir>/server-token, and the login URL is printed.
    #[arg(long, env = "FLOW_SERVER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Data directory shared by both editions [default: ~/.flow-studio].
    #[arg(long, env = "FLOW_STUDIO_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Serve the UI from this directory instead of the copy embedded in the binary.
    #[arg(long, env = "PUBLIC_DIR")]
    pub public_dir: Option<PathBuf>,
    /// Claude Code task lists for the agent board [default: ~/.claude/tasks].
    #[arg(long, env = "TASKS_DIR")]
    pub tasks_dir: Option<PathBuf>,
    /// Claude Code session transcripts for the agent board [default: ~/.claude/projects].
    #[arg(long, env = "PROJECTS_DIR")]
    pub projects_dir: Option<PathBuf>,
    /// Open the default browser on the login URL once listening (true/false).
    #[arg(long, env = "OPEN_BROWSER", value_parser = BoolishValueParser::new(), default_value_t = false,
          num_args = 0..=1, default_missing_value = "true")]
    pub open_browser: bool,

    /// Where secrets are kept: `auto` (the OS keyring when it answers, else the encrypted file),
    /// `keyring` (fail to start without one) or `file`.
    #[arg(long, env = "FLOW_SECRET_STORE", default_value = "auto")]
    pub secret_store: flow_core::credentials::SecretStoreChoice,

    /// Passphrase the encrypted secret store's key is derived from (16+ characters); unset, a
    /// random key file is kept in the data directory.
    #[arg(long, env = "FLOW_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No home directory to put the defaults under.
    #[error("cannot find the home directory (HOME is unset): set {0} explicitly")]
    NoHome(&'static str),
}

/// The directories the core is opened on.
pub struct Paths {
    pub data_dir: PathBuf,
    pub tasks_dir: PathBuf,
    pub projects_dir: PathBuf,
}

impl Config {
    /// The address to bind.
    pub fn listen_addr(&self) -> String {
        self.addr
            .clone()
            .unwrap_or_else(|| format!("127.0.0.1:{}", self.port))
    }

    /// Fills in the home-relative defaults.
    pub fn resolve(&self) -> Result<Paths, ConfigError> {
        let home = flow_core::app::home_dir();
        let under_home = |explicit: &Option<PathBuf>,
                          var: &'static str,
                          default: fn(&std::path::Path) -> PathBuf| {
            match explicit {
                Some(path) => Ok(path.clone()),
                None => home.as_deref().map(default).ok_or(ConfigError::NoHome(var)),
            }
        };
        Ok(Paths {
            data_dir: under_home(
                &self.data_dir,
                "FLOW_STUDIO_DIR",
                flow_core::app::default_data_dir,
            )?,
            tasks_dir: under_home(&self.tasks_dir, "TASKS_DIR", |h| {
                h.join(".claude").join("tasks")
            })?,
            projects_dir: under_home(&self.projects_dir, "PROJECTS_DIR", |h| {
                h.join(".claude").join("projects")
            })?,
        })
    }
}
