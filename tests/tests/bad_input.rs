//! Bad input over HTTP: every command of the core's table gets random JSON arguments (shaped
//! like its own argument object or not) and must answer with a typed `AppError`, never a 500;
//! every command argument and every routed path parameter that names a file gets traversal
//! attempts (`..`, absolute paths, NUL, Windows separators, URL-encoded forms, symbolic links
//! that lead out), and nothing outside the server's folders may be read, changed or created.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use flow_tests::in_process::{self, InProcessServer};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

const TOKEN: &str = "bad-input-token-0123456789";
const KINDS: &[&str] = &[
    "NotFound",
    "InvalidInput",
    "Conflict",
    "Unauthorized",
    "PayloadTooLarge",
    "Unavailable",
    "Internal",
];
/// What the files outside the server's folders hold: no answer may contain it.
const OUTSIDE_MARK: &str = "OUTSIDE-MARK-7f3a";

macro_rules! command_args {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// Every command with its argument names, from the core's table.
        const COMMANDS: &[(&str, &[&str])] = &[$((stringify!($name), &[$(stringify!($arg)),*])),*];
    };
}
flow_core::for_each_command!(command_args);

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// One answer that broke the rules, for the report.
struct Breach {
    request: String,
    status: u16,
    body: String,
}

/// Checks one answer: a success, or an error of a known kind with its message (`error`); never a 500, and
/// never anything from outside.
async fn check(response: reqwest::Response, request: String, breaches: &mut Vec<Breach>) {
    let status = response.status().as_u16();
    // A path that resolves to an event stream (`/api/runs/../events` is `/api/events`) answers
    // with a stream that never ends: its status is the answer.
    let streams = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if streams {
        if status >= 400 {
            breaches.push(Breach {
                request,
                status,
                body: "(event stream)".into(),
            });
        }
        return;
    }
    // The router's own answers: a method the path does not take (405 with `Allow`), and a path
    // outside `/api` (and `/v1`), which is the static UI's.
    let routers = (status == 405 && response.headers().contains_key("allow"))
        || !(response.url().path().starts_with("/api/")
            || response.url().path().starts_with("/v1/"));
    let body = response.text().await.unwrap_or_default();
    let typed = || {
        serde_json::from_str::<Value>(&body).is_ok_and(|v| {
            v["kind"].as_str().is_some_and(|k| KINDS.contains(&k))
                && v["error"].as_str().is_some_and(|m| !m.is_empty())
        })
    };
    let bad =
        status == 500 || (status >= 400 && !routers && !typed()) || body.contains(OUTSIDE_MARK);
    if bad {
        breaches.push(Breach {
            request,
            status,
            body: body.chars().take(400).collect(),
        });
    }
}

fn report(breaches: &[Breach], tried: usize) {
    let shown: Vec<String> = breaches
        .iter()
        .take(15)
        .map(|b| format!("{} -> {} {}", b.request, b.status, b.body))
        .collect();
    assert!(
        breaches.is_empty(),
        "{} of {tried} requests broke the rules; the first ones:\n{}",
        breaches.len(),
        shown.join("\n")
    );
}

/// Strings a careless handler trips over: traversal, absolute paths, NUL, device files,
/// encodings, huge and odd text.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,24}",
        2 => any::<String>(),
        1 => Just(String::new()),
        1 => Just("..".to_owned()),
        1 => Just("../../etc/passwd".to_owned()),
        1 => Just("/etc/passwd".to_owned()),
        1 => Just("/dev/zero".to_owned()),
        1 => Just("/proc/self/environ".to_owned()),
        1 => Just("a\0b".to_owned()),
        1 => Just("..\\..\\windows\\win.ini".to_owned()),
        1 => Just("%2e%2e%2f%2e%2e%2f".to_owned()),
        1 => Just("x".repeat(70_000)),
        1 => Just("default".to_owned()),
        1 => Just("{{nodes.a.output}} $(id) `id`".to_owned()),
        1 => Just("\u{202e}\u{fffd}\u{10ffff}".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop_oneof![Just(0.5f64), Just(-1e308), Just(1e-300), any::<f64>()]
            .prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
        Just(json!(u32::MAX)),
        Just(json!(-1)),
        nasty_string().prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("name".to_owned()),
        Just("slug".to_owned()),
        Just("kind".to_owned()),
        Just("type".to_owned()),
        Just("nodes".to_owned()),
        Just("edges".to_owned()),
        Just("dsl".to_owned()),
        Just("graph".to_owned()),
        Just("config".to_owned()),
        Just("path".to_owned()),
        Just("cron".to_owned()),
        Just("messages".to_owned()),
        "[a-zA-Z]{1,10}",
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Arguments for a command taking `args`: any JSON at all, or its own argument object with
/// random values (some left out, some extra).
fn arguments(args: &'static [&'static str]) -> BoxedStrategy<Value> {
    let names: Vec<String> = args.iter().map(|a| camel(a)).collect();
    let shaped = prop::collection::vec(
        (json_value(), prop::bool::weighted(0.85)),
        names.len()..=names.len(),
    )
    .prop_map(move |values| {
        let mut object = serde_json::Map::new();
        for (name, (value, keep)) in names.iter().zip(values) {
            if keep {
                object.insert(name.clone(), value);
            }
        }
        Value::Object(object)
    });
    prop_oneof![1 => json_value(), 4 => shaped].boxed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_random_arguments_with_a_typed_error_never_a_500() {
    let server = in_process::start(TOKEN).await;
    let client = client();
    let cases: usize = std::env::var("FLOW_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let mut breaches = Vec::new();
    let mut tried = 0;
    let mut per_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (command, args) in COMMANDS {
        let strategy = arguments(args);
        for _ in 0..cases {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            // Half through each invoke form.
            let response = if tried % 2 == 0 {
                client
                    .post(format!("{}/api/invoke/{command}", server.url))
                    .bearer_auth(TOKEN)
                    .json(&value)
            } else {
                client
                    .post(format!("{}/api/invoke", server.url))
                    .bearer_auth(TOKEN)
                    .json(&json!({"cmd": command, "args": value}))
            }
            .send()
            .await
            .unwrap_or_else(|e| panic!("{command} with {value} got no answer: {e}"));
            tried += 1;
            *per_status.entry(response.status().as_u16()).or_default() += 1;
            let shown: String = value.to_string().chars().take(300).collect();
            check(response, format!("{command} {shown}"), &mut breaches).await;
        }
    }
    // Bodies that are not even JSON, and JSON that is not an object, on both forms.
    for body in [
        &b"{"[..],
        b"\xff\xfe\x00",
        b"[]",
        b"null",
        b"\"settings_get\"",
        b"{\"cmd\": 7}",
        b"{\"cmd\": \"settings_get\", \"args\": [1]}",
        b"{\"cmd\": \"settings_get\", \"extra\": 1}",
    ] {
        for path in ["/api/invoke", "/api/invoke/settings_update"] {
            let response = client
                .post(format!("{}{path}", server.url))
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            tried += 1;
            check(response, format!("{path} {body:?}"), &mut breaches).await;
        }
    }
    eprintln!(
        "bad input: {tried} requests over {} commands, statuses {per_status:?}",
        COMMANDS.len()
    );
    report(&breaches, tried);
    // The server still works after all that.
    let health = client
        .post(format!("{}/api/invoke/app_info", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Traversal forms, with `{outside}` for the absolute path of the folder outside.
const ESCAPES: &[&str] = &[
    "..",
    ".",
    "../outside",
    "../../outside/secret.txt",
    "../../../outside/secret.txt",
    "../../../../outside/secret",
    "{outside}/secret.txt",
    "{outside}",
    "/etc/passwd",
    "sess-1\0/../../../outside",
    "..\\..\\..\\outside\\secret.txt",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2foutside%2fsecret.txt",
    "%2E%2E%5C%2E%2E%5Coutside",
    "..%2f..%2f..%2foutside",
    "....//....//outside",
    // The list that is a symbolic link to the folder outside, and the task that is one.
    "linked",
    "2",
    "sess-1/../../../outside",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\x",
    "..;/outside",
    "~/../outside",
];

/// The files outside, by relative path, with their bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn task(id: &str, subject: &str) -> String {
    json!({"id": id, "subject": subject, "description": "d", "status": "pending", "blocks": [], "blockedBy": []})
        .to_string()
}

/// A board with one real list, plus a folder outside the server's folders that a symbolic link
/// inside the tasks folder leads to (a list) and one inside a list (a task).
fn outside_fixture(server: &InProcessServer) -> std::path::PathBuf {
    let outside = server.root().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), OUTSIDE_MARK).unwrap();
    std::fs::write(outside.join("1.json"), task("1", OUTSIDE_MARK)).unwrap();
    let tasks = server.home.join(".claude/tasks");
    std::fs::create_dir_all(tasks.join("sess-1")).unwrap();
    std::fs::write(tasks.join("sess-1/1.json"), task("1", "inside")).unwrap();
    std::os::unix::fs::symlink(&outside, tasks.join("linked")).unwrap();
    std::os::unix::fs::symlink(outside.join("1.json"), tasks.join("sess-1/2.json")).unwrap();
    outside
}

/// A plausible value for an argument that is not under attack.
fn plausible(arg: &str) -> Value {
    match arg {
        "sessionId" => json!("sess-1"),
        "taskId" => json!("1"),
        "note" => json!("a note"),
        "name" => json!("n"),
        "content" => json!("flow \"x\" {}"),
        "fileName" => json!("x.flow"),
        _ => json!("x"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_paths_from_clients_never_reach_outside_the_servers_folders() {
    let server = in_process::start(TOKEN).await;
    let outside = outside_fixture(&server);
    let client = client();
    // The watcher must have seen the fixture before the attempts (and the last check).
    let listed = |client: reqwest::Client, url: String| async move {
        let tasks: Value = client
            .post(format!("{url}/api/invoke/board_session_tasks"))
            .bearer_auth(TOKEN)
            .json(&json!({"sessionId": "sess-1"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tasks
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !listed(client.clone(), server.url.clone()).await.is_array() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the board never listed the fixture"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = snapshot(&outside);
    let top_before: Vec<_> = std::fs::read_dir(server.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let outside_abs = outside.display().to_string();
    let escapes: Vec<String> = ESCAPES
        .iter()
        .map(|e| e.replace("{outside}", &outside_abs))
        .collect();
    let mut breaches = Vec::new();
    let mut tried = 0;

    // Every argument of every command that names something (an id, slug, name or path), one
    // at a time, the others plausible.
    let names_something = |arg: &str| {
        arg.ends_with("id")
            || [
                "slug",
                "path",
                "file_name",
                "name",
                "collection",
                "model",
                "from_node",
            ]
            .contains(&arg)
    };
    for (command, args) in COMMANDS {
        for attacked in args.iter().filter(|a| names_something(a)) {
            for escape in &escapes {
                let object: serde_json::Map<String, Value> = args
                    .iter()
                    .map(|arg| {
                        let name = camel(arg);
                        let value = if arg == attacked {
                            json!(escape)
                        } else {
                            plausible(&name)
                        };
                        (name, value)
                    })
                    .collect();
                let response = client
                    .post(format!("{}/api/invoke/{command}", server.url))
                    .bearer_auth(TOKEN)
                    .json(&object)
                    .send()
                    .await
                    .unwrap();
                tried += 1;
                check(
                    response,
                    format!("{command} {attacked}={escape:?}"),
                    &mut breaches,
                )
                .await;
            }
        }
    }

    // Every routed path with a parameter, each parameter attacked, raw and URL-encoded.
    for route in server.table.iter().filter(|r| r.path.contains('{')) {
        let sample = in_process::concrete(&route.path, |p| {
            if p == "cmd" { "settings_get" } else { "sess-1" }.to_owned()
        });
        let methods = in_process::methods(&client, &format!("{}{sample}", server.url), TOKEN).await;
        for escape in &escapes {
            let encoded: String = form_urlencoded::byte_serialize(escape.as_bytes()).collect();
            for form in [escape.clone(), encoded] {
                let path = in_process::concrete(&route.path, |p| {
                    if p == "cmd" {
                        "settings_get".to_owned()
                    } else {
                        form.clone()
                    }
                });
                for method in &methods {
                    let url = format!("{}{path}", server.url);
                    let Ok(url) = reqwest::Url::parse(&url) else {
                        continue;
                    };
                    let response = client
                        .request(method.clone(), url)
                        .bearer_auth(TOKEN)
                        .json(&json!({"note": "a note", "status": "completed"}))
                        .send()
                        .await
                        .unwrap();
                    tried += 1;
                    check(response, format!("{method} {path}"), &mut breaches).await;
                }
            }
        }
    }
    eprintln!("traversal: {tried} requests, {} forms", escapes.len());
    report(&breaches, tried);

    assert_eq!(snapshot(&outside), before, "a file outside changed");
    let mut top_after: Vec<_> = std::fs::read_dir(server.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    top_after.sort();
    let mut top_before = top_before;
    top_before.sort();
    assert_eq!(
        top_after, top_before,
        "something was created beside the server's folders"
    );
    assert!(!Path::new("/etc/passwd.flow").exists());
    // The real list is still served, and only its own task (not the linked one).
    let tasks = listed(client.clone(), server.url.clone()).await;
    let subjects: Vec<&Value> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["subject"])
        .collect();
    assert_eq!(subjects, [&json!("inside")], "{tasks}");
}
