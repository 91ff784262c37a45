//! A Flow Server's HTTP surface served in this process over loopback, on a throwaway data
//! directory and home, with a small static UI: for tests that walk the server's own route table.

use std::path::PathBuf;

use flow_core::{App, AppConfig, Edition};
use tokio_util::sync::CancellationToken;

/// A served app; dropping it stops the server and removes its folders.
pub struct InProcessServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The app behind the server.
    pub app: App,
    /// Every path the server routes, from its own table.
    pub table: Vec<flow_http::ListedRoute>,
    /// The home whose `.claude/tasks` and `.claude/projects` the board reads.
    pub home: PathBuf,
    /// The data directory.
    pub data_dir: PathBuf,
    shutdown: CancellationToken,
    dir: tempfile::TempDir,
}

impl InProcessServer {
    /// The temporary folder holding the home, the data directory and the UI.
    pub fn root(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for InProcessServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Serves a fresh app with `token` as its access token.
pub async fn start(token: &str) -> InProcessServer {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let data_dir = dir.path().join("studio");
    std::fs::create_dir_all(home.join(".claude/tasks")).unwrap();
    std::fs::create_dir_all(home.join(".claude/projects")).unwrap();
    let mut config = AppConfig::new(data_dir.clone(), Edition::Server, &home);
    // Random connections must never land in the keyring of whoever runs the tests.
    config.secret_store = flow_core::credentials::SecretStoreChoice::File;
    let app = App::open(config).unwrap();
    let ui_dir = dir.path().join("ui");
    std::fs::create_dir_all(ui_dir.join("assets")).unwrap();
    std::fs::write(
        ui_dir.join("index.html"),
        "<!doctype html><title>Flow</title>",
    )
    .unwrap();
    std::fs::write(ui_dir.join("assets/app.js"), "export {};").unwrap();
    let shutdown = CancellationToken::new();
    let options = flow_http::HttpOptions::new(
        flow_http::AccessToken::new(token).unwrap(),
        flow_http::StaticUi::Dir(ui_dir),
        shutdown.clone(),
    );
    let table = flow_http::route_table(app.clone(), options.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(flow_http::serve(listener, app.clone(), options));
    InProcessServer {
        url,
        app,
        table,
        home,
        data_dir,
        shutdown,
        dir,
    }
}

/// A concrete path for a routed one: each `{param}` becomes `value(param)`.
pub fn concrete(path: &str, value: impl Fn(&str) -> String) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => value(param),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The methods the server routes `url` to, as its 405 for an unrouted method lists them (a
/// route that takes any method answers otherwise: GET stands for it).
pub async fn methods(client: &reqwest::Client, url: &str, token: &str) -> Vec<reqwest::Method> {
    let response = client
        .request(reqwest::Method::from_bytes(b"PROPFIND").unwrap(), url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if response.status() != 405 {
        return vec![reqwest::Method::GET];
    }
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    allow
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty() && *m != "HEAD")
        .map(|m| reqwest::Method::from_bytes(m.as_bytes()).unwrap())
        .collect()
}
