//! Every command in the core's table, called through Tauri IPC (`MockRuntime`) and through a
//! real HTTP server on loopback, gives the same JSON. The list of commands comes from the table
//! itself, so a new command is covered (or fails here) without editing this file, unless it
//! takes arguments, in which case `sample_args` must say what to send.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_core::{App, AppConfig, Edition};
use flow_tests::claude_fixture::{FixtureOptions, generate, session_uuid};
use flow_tests::test_model::{TEST_MODEL, install_test_model};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "parity-test-token-0123456789";

/// Each command with the names of its arguments, straight from the table.
macro_rules! table_commands {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        const TABLE: &[(&str, &[&str])] = &[$( (stringify!($name), &[$(stringify!($arg)),*]) ),*];
    };
}
flow_core::for_each_command!(table_commands);

/// Arguments for commands that take some; no-argument commands get `{}`.
fn sample_args(command: &str, arg_names: &[&str]) -> Value {
    match command {
        _ if arg_names.is_empty() => json!({}),
        "settings_update" => json!({"patch": {"max_parallel_nodes": 3, "allow_cloud_ai": true}}),
        // Unsaved rules beside the built-in detectors (`rules: null` would use the saved ones).
        "privacy_preview" => json!({
            "text": "PRJ-7 for ops@acme.io on db-01.corp (10.0.0.7), password=hunter2; PRJ-7 again",
            "rules": [{"name": "projects", "pattern": "PRJ-\\d+", "placeholder": "PROJECT"}],
        }),
        "theme_set" => json!({"theme": "aurora"}),
        "board_sessions" => json!({"limit": 3}),
        "board_session_tasks" => json!({"sessionId": session_uuid(0), "includeInternal": true}),
        "board_all_tasks" => json!({"includeInternal": false}),
        "board_add_note" => json!({"sessionId": session_uuid(0), "taskId": "4", "note": "parity"}),
        "board_delete_task" => json!({"sessionId": session_uuid(0), "taskId": "4"}),
        // Times are deterministic: the fixture's mtimes are fixed and older than any birth time.
        "board_task_times" => json!({"sessionId": session_uuid(0)}),
        "board_delete_session_tasks" => json!({"sessionId": session_uuid(1)}),
        "board_agent_status" => json!({"report": {"agent": "parity", "status": "working"}}),
        // The features commands run in table order on a fresh database on each side, so ids are
        // the same: `feature_create` makes 1, the bulk create 2 and 3 (3 depends on 2 and 1).
        "feature_create" => {
            json!({"input": {"name": "Login", "category": "auth", "steps": ["open the page"]}})
        }
        "features_create_bulk" => json!({"features": [
            {"name": "Sign-up", "priority": 7},
            {"name": "Profile", "description": "edit it", "dependencies": [{"index": 0}, 1]},
        ]}),
        "feature_update" => {
            json!({"id": 1, "patch": {"description": "with a password", "priority": 4}})
        }
        "feature_add_dependency" => json!({"id": 2, "dependencyId": 1}),
        "feature_remove_dependency" => json!({"id": 3, "dependencyId": 1}),
        "feature_delete" => json!({"id": 3}),
        "feature_get" | "feature_claim" | "feature_pass" | "feature_fail" | "feature_skip"
        | "feature_events" => json!({"id": 1}),
        // The flows commands also run in table order on a fresh data dir on each side:
        // collection `ops` is made, a flow saved into it (revision 1), renamed (2), restored (3).
        "collection_create" => json!({"name": "Ops"}),
        "collection_rename" => json!({"slug": "ops", "name": "Operations"}),
        "flow_save" => json!({"input": {"collection": "ops", "graph": parity_graph()}}),
        "flows_list" => json!({"query": {"search": "parity"}}),
        "flow_get" | "flow_revisions" => json!({"slug": "parity-flow"}),
        "flow_rename" => {
            json!({"slug": "parity-flow", "name": "Parity renamed", "baseRevision": 1})
        }
        "flow_duplicate" => json!({"slug": "parity-flow", "name": null}),
        "flow_move" => json!({"slug": "parity-flow", "collection": "default"}),
        "flow_import" => json!({
            "fileName": "imported.flow",
            "content": "flow \"Imported\" v2\nhello[utility: \"Hello\"] {\n  actionId: \"log\"\n  message: \"hi\"\n}\n",
            "collection": null,
        }),
        "flow_export" => json!({"slug": "parity-flow", "format": "dsl"}),
        "flow_revision_get" => json!({"slug": "parity-flow", "revision": 1}),
        "flow_revision_diff" => json!({"slug": "parity-flow", "from": 1, "to": 2}),
        "flow_revision_restore" => {
            json!({"slug": "parity-flow", "revision": 1, "baseRevision": 2})
        }
        "flow_delete" => json!({"slug": "parity-renamed-copy"}),
        "collection_delete" => json!({"slug": "ops"}),
        "dsl_parse" => {
            json!({"source": "flow \"P\"\na[action: \"A\"] { adapter: \"shell\" }\na.fail --> a"})
        }
        "dsl_serialize" | "flow_validate" => json!({"graph": parity_graph()}),
        // The Template Hub: a starter is installed into Default, then updated (a no-op: untouched).
        "template_hub_install" => json!({"id": "test-report", "collection": null}),
        "template_hub_update" => json!({"id": "test-report", "force": false}),
        "node_install" => json!({"slug": "utility-log"}),
        "node_uninstall" => json!({"slug": "shell-curl"}),
        "node_probe_cli" => json!({"slug": "cli-gh"}),
        // Runs: `run_start` begins a 30 s run (one slow mock node) on each side, and `$RUN`
        // stands for that side's execution id. It is paused, resumed and cancelled; confirming
        // a node of the cancelled run is the same NotFound on both sides (see EXPECTED_ERRORS).
        "run_start" => json!({"source": {"graph": {"name": "Parity run", "nodes": [
            {"id": "wait", "type": "action", "label": "Wait",
             "data": {"adapter": "mock", "delayMs": 30000}}]}}, "options": null}),
        "run_pause" | "run_resume" | "run_cancel" | "run_get" => json!({"executionId": "$RUN"}),
        "run_confirm" => json!({"executionId": "$RUN", "nodeId": "wait", "approve": true}),
        "runs_list" => json!({"filter": {"limit": 10}}),
        "run_events" => {
            json!({"executionId": "$RUN", "afterSeq": null, "limit": null, "nodeId": null})
        }
        "run_rerun" => json!({"executionId": "$RUN", "fromNode": null}),
        "schedule_set" => json!({"slug": "parity-flow", "spec": parity_schedule()}),
        "schedule_set_enabled" => json!({"slug": "parity-flow", "enabled": false}),
        "schedule_delete" => json!({"slug": "parity-flow"}),
        "schedule_preview" => json!({"spec": parity_schedule(), "count": 3}),
        // No download may leave loopback in a test: an unknown catalog id is the same NotFound
        // on both sides (see EXPECTED_ERRORS); `tests/model_downloads.rs` covers real downloads.
        "model_download_start"
        | "model_download_pause"
        | "model_download_resume"
        | "model_download_cancel" => json!({"id": "no-such-model"}),
        // The runtime on the real test model, present on both sides: the same greedy answer
        // over IPC and HTTP. `model_delete` removes a spare copy; importing a missing file is
        // the same NotFound on both sides (real imports: `llm_e2e.rs`).
        "model_delete" => json!({"fileName": "spare.gguf"}),
        "model_import_file" => json!({"path": "/nonexistent/parity.gguf"}),
        "llm_load" => json!({"model": TEST_MODEL, "params": {"contextSize": 1024}}),
        "llm_unload" => json!({"model": null}),
        "llm_chat" => json!({"request": {
            "model": TEST_MODEL, "requestId": "parity",
            "messages": [{"role": "user", "content": "The capital of France is"}],
            "maxTokens": 8, "temperature": 0}}),
        "llm_cancel" => json!({"requestId": "parity-none"}),
        // Connections, in table order: an API-key connection is saved (its secret goes to each
        // side's encrypted file store), disconnected (a no-op for a key), tested (refused the
        // same way on both sides: `allow_services` is off, so nothing leaves the machine), and
        // deleted last.
        "connection_save" => json!({"input": {"name": "Parity API", "service": "http",
            "auth": "apiKey", "config": {"baseUrl": "http://127.0.0.1:9", "keyName": "X-Key"},
            "secret": "parity-secret-value"}}),
        "connection_disconnect" | "connection_test" => json!({"id": "parity-api"}),
        "oauth_start" => json!({"id": "parity-api", "redirectBase": "http://127.0.0.1:9"}),
        "oauth_complete" => json!({"state": "no-such-state", "code": "x", "error": null}),
        "connection_delete" => json!({"id": "parity-api", "force": null}),
        // A real generation on each side for the parity flow's agentic node, grounded in one
        // workspace path both share (a path in the prompt that differed per side would change
        // the tokens, hence the text); then the same proposal is read, accepted and (already
        // decided) refused a rejection on both.
        "agentic_generate" => json!({"slug": "parity-flow", "nodeId": "agent", "options": {
            "seed": 3, "workspace": parity_workspace().display().to_string()}}),
        "agentic_proposals" => json!({"slug": "parity-flow"}),
        "agentic_proposal" | "agentic_accept" | "agentic_reject" => {
            json!({"proposalId": "$JOB"})
        }
        "agentic_audit" => json!({"query": {"flowSlug": "parity-flow"}}),
        // No parity run fails under a monitor, so there are no interceptions: the list is empty
        // and an unknown one is the same NotFound on both sides (real interceptions:
        // `core/llama/tests/interception.rs`, and in Chromium `agentic.e2e.test.mjs`).
        "agentic_interceptions" => json!({"query": {"flowSlug": "parity-flow"}}),
        "agentic_interception" | "agentic_interception_revert" => {
            json!({"interceptionId": "no-such-interception"})
        }
        "agentic_intercept_decide" => {
            json!({"interceptionId": "no-such-interception", "decision": "resume"})
        }
        other => panic!(
            "`{other}` takes {arg_names:?}: add sample arguments for it to tests/tests/parity.rs"
        ),
    }
}

/// Daily at 09:00 Berlin time from 2030: far enough ahead that previews never change.
fn parity_schedule() -> Value {
    json!({"cadence": {"kind": "daily"}, "anchor": "2030-01-07T09:00:00+01:00",
           "timezone": "Europe/Berlin", "catchUp": "skip"})
}

/// Commands whose sample call is meant to fail, the same way on both transports.
const EXPECTED_ERRORS: &[&str] = &[
    "run_confirm",
    "connection_test",
    "oauth_start",
    "oauth_complete",
    "model_download_start",
    "model_download_pause",
    "model_download_resume",
    "model_download_cancel",
    "model_import_file",
    "agentic_reject",
    "agentic_interception",
    "agentic_intercept_decide",
    "agentic_interception_revert",
];

/// Replaces every `"$RUN"` string in `args` with `run`, and every `"$JOB"` with `job`.
fn with_ids(args: Value, run: Option<&str>, job: Option<&str>) -> Value {
    match args {
        Value::String(s) if s == "$RUN" && run.is_some() => json!(run),
        Value::String(s) if s == "$JOB" && job.is_some() => json!(job),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, with_ids(v, run, job)))
                .collect(),
        ),
        other => other,
    }
}

/// The workspace both sides' agentic generation is grounded in (one path, so one prompt).
fn parity_workspace() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("flow-parity-agentic-workspace");
    std::fs::create_dir_all(&dir).expect("parity workspace");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name": "parity", "scripts": {"test": "node test.js"}}"#,
    )
    .expect("parity workspace file");
    dir
}

/// The execution id a call returned (`run_start`, `run_rerun`), if any.
fn started_run(result: &Result<Value, Value>) -> Option<String> {
    result
        .as_ref()
        .ok()?
        .get("executionId")?
        .as_str()
        .map(str::to_owned)
}

/// A three-node flow: a shell command whose failure is logged, then a final log.
fn parity_graph() -> Value {
    json!({
        "name": "Parity flow",
        "nodes": [
            {"id": "build", "type": "action", "label": "Build",
             "data": {"adapter": "shell", "actionId": "run-command", "command": "true"}},
            {"id": "oops", "type": "utility", "label": "Oops",
             "data": {"actionId": "log", "message": "failed", "level": "error"}},
            {"id": "done", "type": "utility", "label": "Done",
             "data": {"actionId": "log", "message": "{{build.stdout}}"}},
            {"id": "agent", "type": "agentic", "label": "Agent",
             "data": {"request": "Run the tests, then log that they passed."}},
        ],
        "edges": [
            {"source": "build", "target": "oops", "outcome": "fail"},
            {"source": "build", "target": "done", "outcome": "pass", "label": "ok"},
        ],
    })
}

/// A core on a fresh data dir, with a generated Claude Code tree in `<dir>/.claude`.
fn open_core(dir: &tempfile::TempDir) -> App {
    generate(&dir.path().join(".claude"), &FixtureOptions::default()).expect("claude fixture");
    let studio = dir.path().join("studio");
    install_test_model(&studio);
    std::fs::hard_link(
        studio.join("llms").join(TEST_MODEL),
        studio.join("llms/spare.gguf"),
    )
    .expect("spare model");
    let config = AppConfig::new(studio, Edition::Desktop, dir.path())
        .with_model_runtime(flow_llama::runtime());
    App::open(config).expect("open core")
}

struct Ipc {
    webview: tauri::WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
}

impl Ipc {
    fn new(core: App) -> Self {
        let builder = flow_ipc::specta_builder::<MockRuntime>();
        let app = mock_builder()
            .invoke_handler(builder.invoke_handler())
            .build(mock_context(noop_assets()))
            .expect("mock app");
        flow_ipc::attach(app.handle(), core);
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock webview");
        Self { webview, _app: app }
    }

    fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request)
            .map(|body| body.deserialize::<Value>().expect("JSON response"))
    }
}

struct Http {
    url: String,
    runtime: tokio::runtime::Runtime,
    shutdown: CancellationToken,
}

impl Http {
    fn new(core: App) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let shutdown = CancellationToken::new();
        let token = flow_http::AccessToken::new(TOKEN).expect("token");
        let ui = flow_http::StaticUi::Dir(std::env::temp_dir().join("flow-parity-no-ui"));
        let options = flow_http::HttpOptions::new(token, ui, shutdown.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        runtime.spawn(flow_http::serve(listener, core, options));
        Self {
            url,
            runtime,
            shutdown,
        }
    }

    fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        self.runtime.block_on(async {
            let response = reqwest::Client::new()
                .post(format!("{}/api/invoke/{command}", self.url))
                .bearer_auth(TOKEN)
                .json(&args)
                // An agentic generation answers after the model has written its flow.
                .timeout(Duration::from_secs(120))
                .send()
                .await
                .expect("HTTP invoke");
            let ok = response.status().is_success();
            let body: Value = response.json().await.expect("JSON body");
            if ok { Ok(body) } else { Err(body) }
        })
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Data directories and timestamps differ between the two cores; everything else must not.
fn normalize(value: Result<Value, Value>, data_dir: &str) -> Result<Value, Value> {
    let fix = |v: Value| -> Value {
        let text = mask_ids(
            &mask_ids(
                &mask_timestamps(
                    &mask_durations(v)
                        .to_string()
                        .replace(data_dir, "<DATA_DIR>"),
                ),
                "run-",
                "<RUN>",
            ),
            "agentic-",
            "<JOB>",
        );
        serde_json::from_str(&text).expect("re-parse")
    };
    value.map(fix).map_err(fix)
}

/// Replaces measured durations (`durationMs`, `duration_ms`) with `"<MS>"`: they are timings.
fn mask_durations(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "durationMs" | "duration_ms" | "timeToFirstTokenMs" | "tokensPerSecond"
                        if v.is_number() =>
                    {
                        (k, json!("<MS>"))
                    }
                    _ => (k, mask_durations(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_durations).collect()),
        other => other,
    }
}

/// Replaces every id `<prefix><millis>-<suffix>` (execution ids `run-…`, agentic jobs
/// `agentic-…`) with `mask`: ids differ per process.
fn mask_ids(text: &str, prefix: &str, mask: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + prefix.len()..];
        let millis = tail.bytes().take_while(u8::is_ascii_digit).count();
        let suffix = tail[millis..]
            .strip_prefix('-')
            .map(|s| s.bytes().take_while(u8::is_ascii_alphanumeric).count());
        match suffix {
            Some(len) if millis > 0 && len > 0 => {
                out.push_str(mask);
                rest = &tail[millis + 1 + len..];
            }
            _ => {
                out.push_str(prefix);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces every RFC 3339 timestamp (`2025-01-02T03:04:05[.678](Z|+01:00)`) with `<TIME>`.
fn mask_timestamps(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    let bytes = text.as_bytes();
    let fits = |at: usize| {
        bytes.len() >= at + SHAPE.len()
            && SHAPE
                .iter()
                .zip(&bytes[at..])
                .all(|(want, got)| match want {
                    b'd' => got.is_ascii_digit(),
                    other => other == got,
                })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if !fits(i) {
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let mut end = i + SHAPE.len();
        if bytes.get(end) == Some(&b'.') {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        match bytes.get(end) {
            Some(b'Z') => end += 1,
            Some(b'+' | b'-') if bytes.len() >= end + 6 => end += 6,
            _ => {}
        }
        out.push_str("<TIME>");
        i = end;
    }
    out
}

#[test]
fn timestamps_are_masked() {
    assert_eq!(
        mask_timestamps(
            r#"{"a":"2025-01-02T03:04:05.678Z","b":"2025-01-02T03:04:05+01:00 x","c":"é 2025"}"#
        ),
        r#"{"a":"<TIME>","b":"<TIME> x","c":"é 2025"}"#
    );
}

/// Polls a run's recorded events until its first node has started (10 s at most).
fn wait_for_node_start(events: impl Fn(Value) -> Result<Value, Value>, run: Option<&str>) {
    let run = run.expect("run_start returned an execution id");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let page =
            events(json!({"executionId": run, "afterSeq": null, "limit": null, "nodeId": null}));
        if page.is_ok_and(|p| p.to_string().contains("\"node_started\"")) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("run {run} did not start its node within 10 s");
}

#[test]
fn every_command_answers_the_same_over_ipc_and_http() {
    let ipc_dir = tempfile::tempdir().expect("tmp");
    let http_dir = tempfile::tempdir().expect("tmp");
    let ipc_core = open_core(&ipc_dir);
    let http_core = open_core(&http_dir);
    let ipc_data = ipc_core.config().data_dir.display().to_string();
    let http_data = http_core.config().data_dir.display().to_string();
    let ipc = Ipc::new(ipc_core);
    let http = Http::new(http_core);

    assert_eq!(
        flow_http::COMMAND_NAMES,
        flow_core::commands::COMMAND_NAMES,
        "HTTP bridge and table differ"
    );
    assert!(!TABLE.is_empty());
    let (mut ipc_run, mut http_run) = (None::<String>, None::<String>);
    let (mut ipc_job, mut http_job) = (None::<String>, None::<String>);
    for (command, arg_names) in TABLE {
        let args = sample_args(command, arg_names);
        let raw_ipc = ipc.call(
            command,
            with_ids(args.clone(), ipc_run.as_deref(), ipc_job.as_deref()),
        );
        let raw_http = http.call(
            command,
            with_ids(args, http_run.as_deref(), http_job.as_deref()),
        );
        if *command == "agentic_generate" {
            let id = |raw: &Result<Value, Value>| {
                raw.as_ref().ok()?.get("id")?.as_str().map(str::to_owned)
            };
            ipc_job = id(&raw_ipc);
            http_job = id(&raw_http);
        }
        if *command == "run_start" {
            ipc_run = started_run(&raw_ipc);
            http_run = started_run(&raw_http);
            // The pause that follows must land after the node started on both sides, or the
            // two recorded event orders differ by scheduling alone.
            wait_for_node_start(|args| ipc.call("run_events", args), ipc_run.as_deref());
            wait_for_node_start(|args| http.call("run_events", args), http_run.as_deref());
        }
        let over_ipc = normalize(raw_ipc, &ipc_data);
        let over_http = normalize(raw_http, &http_data);
        let expect_ok = !EXPECTED_ERRORS.contains(command);
        assert_eq!(
            over_ipc.is_ok(),
            expect_ok,
            "`{command}` over IPC: {over_ipc:?}"
        );
        assert_eq!(
            over_http.is_ok(),
            expect_ok,
            "`{command}` over HTTP: {over_http:?}"
        );
        assert_eq!(
            over_ipc, over_http,
            "`{command}` answers differently over IPC and HTTP"
        );
    }
}

#[test]
fn command_errors_are_the_same_app_error_on_both_transports() {
    let ipc_dir = tempfile::tempdir().expect("tmp");
    let http_dir = tempfile::tempdir().expect("tmp");
    let ipc = Ipc::new(open_core(&ipc_dir));
    let http = Http::new(open_core(&http_dir));
    let bad = json!({"patch": {"scheduler_poll_secs": 0}});
    let over_ipc = ipc.call("settings_update", bad.clone());
    let over_http = http.call("settings_update", bad);
    let expected = json!({"kind": "InvalidInput", "error": "setting `scheduler_poll_secs` must be between 1 and 3600, got 0"});
    assert_eq!(over_ipc, Err(expected.clone()));
    assert_eq!(over_http, Err(expected));
    let bad_rule =
        json!({"text": "x", "rules": [{"name": "broken", "pattern": "(", "placeholder": "X"}]});
    let expected = json!({"kind": "InvalidInput", "error": "privacy rule `broken`: pattern is not a valid regular expression: unclosed group"});
    assert_eq!(
        ipc.call("privacy_preview", bad_rule.clone()),
        Err(expected.clone())
    );
    assert_eq!(http.call("privacy_preview", bad_rule), Err(expected));
    let too_long = json!({"text": "x".repeat((1 << 20) + 1), "rules": null});
    let expected = json!({"kind": "PayloadTooLarge", "error": "the text to preview is 1048577 bytes; at most 1048576 (1 MiB) can be previewed"});
    assert_eq!(
        ipc.call("privacy_preview", too_long.clone()),
        Err(expected.clone())
    );
    assert_eq!(http.call("privacy_preview", too_long), Err(expected));
    assert!(ipc.call("no_such_command", json!({})).is_err());
    assert_eq!(
        http.call("no_such_command", json!({})),
        Err(json!({"kind": "NotFound", "error": "unknown command `no_such_command`"}))
    );
}
