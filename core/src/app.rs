//! The app handle: one data directory, its settings and the event bus, shared by every transport.

mod schedule_host;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::board::features::FeatureStore;
use crate::bus::{DEFAULT_CHANNEL_CAPACITY, DEFAULT_RING_CAPACITY, EventBus};
use crate::settings::SettingsStore;
use crate::{AppError, FlowEvent};

/// Which edition is serving the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Flow Server: HTTP, SSE and WebSocket.
    Server,
    /// Flow Desktop: Tauri IPC.
    Desktop,
}

/// What an [`App`] is opened on.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The data directory (`FLOW_STUDIO_DIR`).
    pub data_dir: PathBuf,
    /// The edition in front of the core.
    pub edition: Edition,
    /// Claude Code's task lists (`TASKS_DIR`).
    pub tasks_dir: PathBuf,
    /// Claude Code's session transcripts (`PROJECTS_DIR`).
    pub projects_dir: PathBuf,
    /// Which credential store holds secrets (`FLOW_SECRET_STORE`).
    pub secret_store: crate::credentials::SecretStoreChoice,
    /// The encrypted file store's passphrase (`FLOW_SECRET_KEY`).
    pub secret_key: Option<crate::credentials::SecretKey>,
    /// Builds the model runtime (`flow_llama::runtime()`); without one every model call
    /// answers "unavailable".
    pub model_runtime: Option<crate::llm::ModelRuntimeFactory>,
}

impl AppConfig {
    /// A config with the default Claude Code directories under `home`.
    pub fn new(data_dir: impl Into<PathBuf>, edition: Edition, home: &Path) -> Self {
        Self {
            data_dir: data_dir.into(),
            edition,
            tasks_dir: home.join(".claude").join("tasks"),
            projects_dir: home.join(".claude").join("projects"),
            secret_store: crate::credentials::SecretStoreChoice::Auto,
            secret_key: None,
            model_runtime: None,
        }
    }

    /// The same config with a model runtime.
    pub fn with_model_runtime(self, factory: crate::llm::ModelRuntimeFactory) -> Self {
        Self {
            model_runtime: Some(factory),
            ..self
        }
    }
}

/// The user's home directory, from `HOME` (or `USERPROFILE` on Windows).
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The default data directory, `~/.flow-studio`, shared by both editions.
pub fn default_data_dir(home: &Path) -> PathBuf {
    home.join(".flow-studio")
}

/// Name, version, edition and data directory of a running instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// Version of the core.
    pub version: String,
    /// Which edition is serving.
    pub edition: Edition,
    /// Absolute path of the data directory.
    pub data_dir: String,
    /// The credential store holding this instance's secrets.
    pub secret_store: crate::credentials::SecretStoreInfo,
}

struct Inner {
    config: AppConfig,
    bus: Arc<EventBus>,
    settings: SettingsStore,
    features: FeatureStore,
    flows: crate::flows::store::FlowStore,
    nodes: crate::nodes::NodeCatalog,
    engine: crate::engine::Engine,
    history: crate::history::HistoryStore,
    schedules: crate::scheduler::ScheduleStore,
    board: crate::board::Board,
    models: crate::models::ModelHub,
    llm: Arc<dyn crate::llm::ModelRuntime>,
    credentials: crate::credentials::Credentials,
    agentic: crate::agentic::Agentic,
}

/// Creates the data directory if needed, proves it takes a new file, and resolves it.
///
/// A read-only or foreign-owned data directory would otherwise let the app start and then fail
/// every save; this says so at start, naming the folder.
pub fn prepare_data_dir(data_dir: &Path) -> Result<PathBuf, AppError> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        AppError::io(
            format!("creating the data directory {}", data_dir.display()),
            e,
        )
    })?;
    let probe = tempfile::Builder::new()
        .prefix(".flow-write-check")
        .tempfile_in(data_dir)
        .map_err(|err| {
            let why = match err.kind() {
                std::io::ErrorKind::ReadOnlyFilesystem => "is on a read-only file system",
                std::io::ErrorKind::PermissionDenied => "is not writable by this user",
                _ => "cannot be written",
            };
            AppError::Unavailable(format!(
                "the data directory {} {why} ({err}); Flow keeps its flows, run history and \
                 settings there and must be able to write them",
                data_dir.display()
            ))
        })?;
    probe.close().map_err(|e| {
        AppError::io(
            format!("removing the write check in {}", data_dir.display()),
            e,
        )
    })?;
    data_dir
        .canonicalize()
        .map_err(|e| AppError::io(format!("resolving {}", data_dir.display()), e))
}

/// The core, opened on a data directory. Cheap to clone; every clone is the same instance.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    /// Opens (creating if needed) the data directory and loads its settings.
    pub fn open(config: AppConfig) -> Result<Self, AppError> {
        let data_dir = prepare_data_dir(&config.data_dir)?;
        let settings = SettingsStore::open(&data_dir)?;
        let db = crate::db::Db::open(&data_dir)?;
        let features = FeatureStore::on(&db);
        let flows = crate::flows::store::FlowStore::on(&db, &data_dir)?;
        let nodes = crate::nodes::NodeCatalog::open(&data_dir)?;
        let engine = crate::engine::Engine::new()?;
        let history =
            crate::history::HistoryStore::on(&db, crate::history::store::DEFAULT_RETENTION)?;
        let schedules = crate::scheduler::ScheduleStore::on(&db)?;
        let credentials = crate::credentials::Credentials::on(
            &db,
            &data_dir,
            config.secret_store,
            config.secret_key.as_ref().map(|k| k.0.as_str()),
        )?;
        let agentic = crate::agentic::Agentic::on(&db);
        let config = AppConfig { data_dir, ..config };
        tracing::info!(data_dir = %config.data_dir.display(), edition = ?config.edition, "core opened");
        let bus = Arc::new(EventBus::new(
            DEFAULT_RING_CAPACITY,
            DEFAULT_CHANNEL_CAPACITY,
        ));
        let board = crate::board::Board::open(
            bus.clone(),
            config.tasks_dir.clone(),
            config.projects_dir.clone(),
        );
        let models = crate::models::ModelHub::open(&config.data_dir, bus.clone())?;
        let llm: Arc<dyn crate::llm::ModelRuntime> = match &config.model_runtime {
            Some(factory) => factory.build(crate::llm::RuntimeSetup {
                llms_dir: models.llms_dir().to_path_buf(),
                bus: bus.clone(),
            }),
            None => Arc::new(crate::llm::NoModelRuntime),
        };
        let app = Self(Arc::new(Inner {
            config,
            bus,
            settings,
            features,
            flows,
            nodes,
            engine,
            history,
            schedules,
            board,
            models,
            llm,
            credentials,
            agentic,
        }));
        app.engine()
            .set_monitor(Arc::new(crate::agentic::monitor::AgenticMonitor::new(
                app.downgrade(),
            )));
        crate::scheduler::runner::start_background(&app);
        Ok(app)
    }

    /// A reference that does not keep the app open (background tasks hold one).
    pub fn downgrade(&self) -> WeakApp {
        WeakApp(Arc::downgrade(&self.0))
    }

    /// What the core was opened on.
    pub fn config(&self) -> &AppConfig {
        &self.0.config
    }

    /// The event bus every transport streams from.
    pub fn bus(&self) -> &Arc<EventBus> {
        &self.0.bus
    }

    /// The settings document.
    pub fn settings(&self) -> &SettingsStore {
        &self.0.settings
    }

    /// The agent board's features database.
    pub fn features(&self) -> &FeatureStore {
        &self.0.features
    }

    /// Saved flows, collections and revisions.
    pub fn flows(&self) -> &crate::flows::store::FlowStore {
        &self.0.flows
    }

    /// The node catalog (built-in and installed entries).
    pub fn nodes(&self) -> &crate::nodes::NodeCatalog {
        &self.0.nodes
    }

    /// The engine: live runs and their controls.
    pub fn engine(&self) -> &crate::engine::Engine {
        &self.0.engine
    }

    /// Run history.
    pub fn history(&self) -> &crate::history::HistoryStore {
        &self.0.history
    }

    /// Saved flows' schedules.
    pub fn schedules(&self) -> &crate::scheduler::ScheduleStore {
        &self.0.schedules
    }

    /// The agent board: its in-memory index and per-file write locks.
    pub fn board(&self) -> &crate::board::Board {
        &self.0.board
    }

    /// The Model Hub: catalog, installed models and downloads.
    pub fn models(&self) -> &crate::models::ModelHub {
        &self.0.models
    }

    /// The model runtime the app was opened with.
    pub fn llm(&self) -> &dyn crate::llm::ModelRuntime {
        self.0.llm.as_ref()
    }

    /// Credential custody: connections and their secrets.
    pub fn credentials(&self) -> &crate::credentials::Credentials {
        &self.0.credentials
    }

    /// Agentic proposals and the AI audit log.
    pub fn agentic(&self) -> &crate::agentic::Agentic {
        &self.0.agentic
    }

    /// Publishes an event to every client.
    pub fn publish(&self, event: FlowEvent) -> u64 {
        self.0.bus.publish(event)
    }
}

/// An [`App`] held without keeping it open.
#[derive(Clone)]
pub struct WeakApp(std::sync::Weak<Inner>);

impl WeakApp {
    /// The app, while it is still open.
    pub fn upgrade(&self) -> Option<App> {
        self.0.upgrade().map(App)
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}
