//! Spawns the real `flow-server` binary on `127.0.0.1:0` with temporary directories.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The server binary: `FLOW_SERVER_BIN`, or the workspace's own build, brought up to date once
/// per test process (a plain `cargo test` does not rebuild another package's binary, and a
/// stale one would test old code).
pub fn server_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(locate_or_build).clone()
}

fn locate_or_build() -> PathBuf {
    if let Some(path) = std::env::var_os("FLOW_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // <target>/<profile>/deps/<test executable>
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps layout");
    let target_dir = profile_dir.parent().expect("target directory");
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        // `--workspace` resolves features as `cargo test --workspace` does, so the binary reuses
        // the test build's dependencies; `-p flow-server` unifies them differently and would
        // rebuild llama.cpp (minutes).
        .args(["build", "--quiet", "--workspace", "--bin", "flow-server"])
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build for flow-server");
    assert!(status.success(), "building flow-server failed");
    let bin = profile_dir.join(format!("flow-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing after cargo build",
        bin.display()
    );
    bin
}

/// How to start a server.
#[derive(Default, Clone)]
pub struct ServerOptions {
    /// `FLOW_SERVER_TOKEN`; `None` lets the server create one.
    pub token: Option<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// `FLOW_STUDIO_DIR` to use instead of a fresh `<temp>/studio`, e.g. a stopped server's
    /// (see [`ServerProcess::studio_dir`]) to check what persists across a restart.
    pub studio_dir: Option<PathBuf>,
    /// A command the server is started under, the server's path and no arguments appended
    /// (e.g. `unshare` into a namespace with lower limits); it must `exec` the server, so the
    /// process id stays the server's.
    pub wrapper: Vec<String>,
}

/// A running `flow-server`, killed on drop.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The token clients must send.
    pub token: String,
    /// The login URL, when the server printed one.
    pub login_url: Option<String>,
    /// The data directory (deleted on drop).
    pub data_dir: tempfile::TempDir,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts a server and waits until it prints where it listens.
    pub fn start(options: ServerOptions) -> Self {
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let claude = data_dir.path().join("claude");
        let mut command = match options.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(server_binary());
                command
            }
            None => Command::new(server_binary()),
        };
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", data_dir.path())
            .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
            .env(
                "FLOW_STUDIO_DIR",
                options
                    .studio_dir
                    .clone()
                    .unwrap_or_else(|| data_dir.path().join("studio")),
            )
            .env("TASKS_DIR", claude.join("tasks"))
            .env("PROJECTS_DIR", claude.join("projects"))
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = &options.token {
            command.env("FLOW_SERVER_TOKEN", token);
        }
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn flow-server");

        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let err_pipe = child.stderr.take().expect("stderr pipe");
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut log = sink.lock().expect("stderr log");
                log.push_str(&line);
                log.push('\n');
            }
        });

        let (tx, rx) = std::sync::mpsc::channel();
        let out_pipe = child.stdout.take().expect("stdout pipe");
        let stdout = Arc::new(Mutex::new(String::new()));
        let out_sink = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                {
                    let mut log = out_sink.lock().expect("stdout log");
                    log.push_str(&line);
                    log.push('\n');
                }
                if tx.send(line).is_err() {
                    // Start-up has read what it needs; later lines are kept in `stdout` only.
                    continue;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut url = None;
        let mut login_url = None;
        let mut printed = Vec::new();
        while url.is_none() || (options.token.is_none() && login_url.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(line) => line,
                Err(_) => panic!(
                    "flow-server did not announce itself; stdout: {printed:?}; stderr:\n{}",
                    stderr.lock().expect("stderr log")
                ),
            };
            if let Some(rest) = line.split(" listening on ").nth(1) {
                url = Some(rest.trim().to_owned());
            }
            if let Some(rest) = line.strip_prefix("Login URL: ") {
                login_url = Some(rest.trim().to_owned());
            }
            printed.push(line);
        }
        let url = url.expect("listening line");
        let token = match (&options.token, &login_url) {
            (Some(token), _) => token.clone(),
            (None, Some(login)) => login
                .split("token=")
                .nth(1)
                .expect("token in login URL")
                .to_owned(),
            (None, None) => unreachable!("loop waits for the login URL"),
        };
        Self {
            child,
            url,
            token,
            login_url,
            data_dir,
            stderr,
            stdout,
        }
    }

    /// The default `FLOW_STUDIO_DIR` under the temporary directory (used unless
    /// [`ServerOptions::studio_dir`] was given).
    pub fn studio_dir(&self) -> PathBuf {
        self.data_dir.path().join("studio")
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr log").clone()
    }

    /// Everything the server wrote to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout log").clone()
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the process to exit; its exit code if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Opens `/api/ws` with the bearer token.
    pub async fn websocket(
        &self,
    ) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>
    {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("{}/api/ws", self.url.replace("http://", "ws://"))
            .into_client_request()
            .expect("WebSocket request");
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.token)
                .parse()
                .expect("header value"),
        );
        tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects")
            .0
    }

    /// `GET <path>` with the bearer token; the status and the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// `POST <path>` with a JSON body and the bearer token; the status and the JSON body.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("POST request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// `POST /api/invoke/{command}` with the bearer token; the status and the JSON body.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> (u16, serde_json::Value) {
        self.post_json(&format!("/api/invoke/{command}"), &args)
            .await
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Err(err) = self.child.kill() {
            eprintln!("could not kill flow-server: {err}");
        }
        if let Err(err) = self.child.wait() {
            eprintln!("could not reap flow-server: {err}");
        }
    }
}
