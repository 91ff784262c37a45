//! The agent board under load (issue 12): the release `flow-server` on a generated tree of
//! 1,000 sessions / 20,000 tasks / about 1 GiB of transcripts. Requests per second and latency
//! of the board's routes against a bare axum route serving the same bytes in the same run;
//! 1,000 and 10,000 `/api/events` clients timed from a task-file write to each one's `update`;
//! the cold index time; an append to a 100 MiB transcript until the list reflects it; and the
//! server's memory along the way (idle SSE and WebSocket clients, after load, after clients
//! leave).
//!
//! ```sh
//! cargo build --release -p flow-server -p flow-bench
//! cargo run --release -p flow-bench --bin board [-- --quick]
//! ```
//!
//! `--quick` is a smoke run on a small tree with fewer clients. The tree goes to the system temp
//! directory and is deleted at the end.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use flow_bench::board::bare::{Manifest, Route};
use flow_bench::board::http::get_once;
use flow_bench::board::load::{self, LoadShape};
use flow_bench::board::process::{self, Memory, ServerDirs, TOKEN};
use flow_bench::board::report::{self, EndpointRow, FanOutRow, Results, WsRow};
use flow_bench::board::sse::SseClients;
use flow_bench::board::tree::{Tree, TreeSize};
use flow_bench::board::websocket::WsClients;
use flow_bench::board::{BenchError, io_error, ms};
use flow_bench::percentile;
use serde_json::Value;

/// Measure the agent board: request load, live events, cold index, appends, memory.
#[derive(Parser)]
#[command(name = "board")]
struct Args {
    /// A small tree and fewer clients: a smoke run.
    #[arg(long)]
    quick: bool,
    /// Serve the bare route from this manifest (the benchmark starts itself this way).
    #[arg(long, hide = true)]
    bare_server: Option<PathBuf>,
}

/// One event-stream run: clients, the p99 goal, the memory goal.
struct SsePlan {
    clients: usize,
    goal_p99: Duration,
    goal_memory_bytes: Option<u64>,
}

struct Plan {
    mode: &'static str,
    tree: TreeSize,
    load: LoadShape,
    sse: Vec<SsePlan>,
    writes: u32,
    websockets: usize,
    appends: u32,
}

impl Plan {
    fn full() -> Self {
        Self {
            mode: "board",
            tree: TreeSize::full(),
            load: LoadShape {
                connections: 16,
                warm_up: Duration::from_secs(1),
                measure: Duration::from_secs(5),
            },
            sse: vec![
                SsePlan {
                    clients: 1_000,
                    goal_p99: Duration::from_millis(50),
                    goal_memory_bytes: None,
                },
                SsePlan {
                    clients: 10_000,
                    goal_p99: Duration::from_millis(250),
                    goal_memory_bytes: Some(100_000_000),
                },
            ],
            writes: 20,
            websockets: 1_000,
            appends: 5,
        }
    }

    fn quick() -> Self {
        Self {
            mode: "board --quick",
            tree: TreeSize::quick(),
            load: LoadShape {
                connections: 16,
                warm_up: Duration::from_millis(300),
                measure: Duration::from_millis(1500),
            },
            sse: vec![
                SsePlan {
                    clients: 100,
                    goal_p99: Duration::from_millis(50),
                    goal_memory_bytes: None,
                },
                SsePlan {
                    clients: 500,
                    goal_p99: Duration::from_millis(250),
                    goal_memory_bytes: Some(100_000_000),
                },
            ],
            writes: 5,
            websockets: 100,
            appends: 3,
        }
    }
}

/// Pause between writes, longer than the watcher's 200 ms debounce so each write is its own
/// batch.
const WRITE_SPACING: Duration = Duration::from_millis(300);
/// How long clients get to leave before memory is read again.
const SETTLE: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("board: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &args.bare_server {
            Some(manifest) => flow_bench::board::bare::serve(manifest).await,
            None => {
                let plan = if args.quick {
                    Plan::quick()
                } else {
                    Plan::full()
                };
                let results = run(&plan).await?;
                println!("{}", report::render(&results));
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("board: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(plan: &Plan) -> Result<Results, BenchError> {
    let most_clients = plan.sse.iter().map(|s| s.clients).max().unwrap_or(0);
    let nofile =
        rlimit::increase_nofile_limit(u64::MAX).map_err(io_error("raise the open-file limit"))?;
    eprintln!("open-file limit (this process and the server it starts): {nofile}");
    if nofile < most_clients as u64 + 1_000 {
        eprintln!(
            "warning: {nofile} descriptors are too few for {most_clients} event streams; raise the hard limit (ulimit -Hn)"
        );
    }
    let binary = process::server_binary()?;
    eprintln!("server: {}", binary.display());

    let written = Instant::now();
    eprintln!("writing the tree ({} sessions)...", plan.tree.sessions);
    let tree = Tree::write(&plan.tree)?;
    let mut results = Results {
        mode: plan.mode.into(),
        tree: format!(
            "Tree: {} sessions, {} task files, {} JSONL files totalling {:.2} GiB (one of {} MiB for the append test, {} of {} MiB, the rest {:.2} MiB each); written in {:.1} s.",
            tree.fixture.sessions.len(),
            tree.task_files,
            tree.jsonl_files,
            tree.jsonl_bytes as f64 / (1u64 << 30) as f64,
            plan.tree.append_bytes >> 20,
            plan.tree.large,
            plan.tree.large_bytes >> 20,
            plan.tree.jsonl_bytes as f64 / (1u64 << 20) as f64,
            written.elapsed().as_secs_f64()
        ),
        ..Default::default()
    };
    eprintln!("{}", results.tree);

    // The server's own start-up, on an empty tree.
    let empty = tree.root().join("empty");
    for dir in ["tasks", "projects"] {
        std::fs::create_dir_all(empty.join(dir)).map_err(io_error("empty tree"))?;
    }
    let mut starts = Vec::new();
    let mut first_lists = Vec::new();
    for round in 0..3 {
        let served = process::start_server(
            &binary,
            &ServerDirs {
                tasks: &empty.join("tasks"),
                projects: &empty.join("projects"),
                scratch: &tree.root().join(format!("empty-server-{round}")),
            },
        )
        .await?;
        starts.push(served.announced_after);
        first_lists.push(first_full_list(&served).await?);
        served.stop().await?;
    }
    starts.sort();
    first_lists.sort();
    results.start_empty = percentile(&starts, 0.5);
    results.first_list_empty = percentile(&first_lists, 0.5);

    // Cold index on the whole tree (the files were just written, so they sit in the page
    // cache: this is a cold process, not a cold disk).
    eprintln!("cold start on the whole tree...");
    let server = process::start_server(
        &binary,
        &ServerDirs {
            tasks: &tree.fixture.tasks_dir,
            projects: &tree.fixture.projects_dir,
            scratch: &tree.root().join("server"),
        },
    )
    .await?;
    results.start_full = server.announced_after;
    results.cold_index = first_full_list(&server).await?;
    let again = Instant::now();
    get_ok(&server, "/api/sessions?limit=all").await?;
    results.warm_list = again.elapsed();
    results.after_index = server.memory()?;
    eprintln!(
        "cold index {:.2} s, next list {:.1} ms",
        results.cold_index.as_secs_f64(),
        ms(results.warm_list)
    );

    results.endpoints = request_load(plan, &tree, &server).await?;
    results.after_load = server.memory()?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    results.after_load_rest = server.memory()?;

    eprintln!("appending to {}...", tree.append_transcript.display());
    (results.appends, results.append_poll) = appends(plan, &tree, &server).await?;

    eprintln!("{} idle WebSocket clients...", plan.websockets);
    let before = server.memory()?;
    let clients = WsClients::open(
        server.addr,
        TOKEN,
        plan.websockets,
        Duration::from_secs(120),
    )
    .await?;
    let connected = clients.connected();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = server.memory()?;
    clients.close().await;
    tokio::time::sleep(SETTLE).await;
    results.websockets = Some(WsRow {
        clients: plan.websockets,
        connected,
        before,
        held,
        after: server.memory()?,
    });
    let list = tree.fixture.sessions[1]
        .list_id
        .clone()
        .ok_or_else(|| BenchError::Setup("session 1 has no task list".into()))?;
    let task_file = tree.fixture.tasks_dir.join(&list).join("1.json");
    for sse in &plan.sse {
        eprintln!("{} event-stream clients...", sse.clients);
        results
            .fan_outs
            .push(fan_out(plan, sse, &server, &list, &task_file).await?);
    }

    results.end = server.memory()?;
    server.stop().await?;
    Ok(results)
}

/// GET on a fresh connection; anything but 200 is an error.
async fn get_ok(server: &process::Served, path: &str) -> Result<bytes::Bytes, BenchError> {
    let fetched = get_once(server.addr, TOKEN, path).await?;
    if !fetched.status.is_success() {
        return Err(BenchError::Http(format!(
            "{path} answered {}: {}",
            fetched.status,
            String::from_utf8_lossy(&fetched.body)
        )));
    }
    Ok(fetched.body)
}

/// From spawning the server to its first successful `?limit=all` answer.
async fn first_full_list(server: &process::Served) -> Result<Duration, BenchError> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match get_once(server.addr, TOKEN, "/api/sessions?limit=all").await {
            Ok(fetched) if fetched.status.is_success() => return Ok(server.spawned_at.elapsed()),
            Ok(_) | Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Ok(fetched) => {
                return Err(BenchError::Http(format!(
                    "the session list still answers {}",
                    fetched.status
                )));
            }
            Err(err) => return Err(err),
        }
    }
}

async fn request_load(
    plan: &Plan,
    tree: &Tree,
    server: &process::Served,
) -> Result<Vec<EndpointRow>, BenchError> {
    let one = tree.fixture.sessions[5]
        .list_id
        .clone()
        .ok_or_else(|| BenchError::Setup("session 5 has no task list".into()))?;
    let mut endpoints = vec![
        ("/api/sessions".to_owned(), true),
        ("/api/sessions?limit=all".to_owned(), true),
        (format!("/api/sessions/{one}"), true),
        ("/api/tasks/all".to_owned(), true),
        ("/index.html".to_owned(), false),
    ];
    // The UI's entry script, when the server embeds a built UI (not the placeholder page).
    let index = get_ok(server, "/index.html").await?;
    if let Some(script) = entry_script(&String::from_utf8_lossy(&index)) {
        endpoints.push((script, false));
    }
    let bare_dir = tree.root().join("bare");
    std::fs::create_dir_all(&bare_dir).map_err(io_error("bare route dir"))?;
    let mut manifest = Manifest::default();
    let mut sizes = Vec::new();
    for (n, (path, _)) in endpoints.iter().enumerate() {
        let fetched = get_once(server.addr, TOKEN, path).await?;
        if !fetched.status.is_success() {
            return Err(BenchError::Http(format!(
                "{path} answered {}",
                fetched.status
            )));
        }
        let body_file = bare_dir.join(format!("{n}.body"));
        std::fs::write(&body_file, &fetched.body).map_err(io_error("write a canned body"))?;
        sizes.push(fetched.body.len());
        manifest.routes.push(Route {
            path_and_query: path.clone(),
            content_type: fetched
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            body_file,
        });
    }
    let manifest_path = bare_dir.join("manifest.json");
    manifest.save(&manifest_path)?;
    let bare = process::start_bare(&manifest_path, &bare_dir.join("bare.log")).await?;
    let mut rows = Vec::new();
    for ((path, has_goal), body_bytes) in endpoints.into_iter().zip(sizes) {
        eprintln!("load on {path}...");
        let real = load::run(server.addr, TOKEN, &path, body_bytes, plan.load).await?;
        let bare_result = load::run(bare.addr, TOKEN, &path, body_bytes, plan.load).await?;
        eprintln!(
            "  flow-server {:.0}/s p99 {:.2} ms, bare {:.0}/s p99 {:.2} ms",
            real.per_second,
            ms(real.p99),
            bare_result.per_second,
            ms(bare_result.p99)
        );
        rows.push(EndpointRow {
            path,
            body_bytes,
            real,
            bare: bare_result,
            has_goal,
        });
    }
    bare.stop().await?;
    Ok(rows)
}

/// The first `/assets/*.js` an HTML page loads.
fn entry_script(html: &str) -> Option<String> {
    let start = html.find("src=\"/assets/")? + "src=\"".len();
    let end = start + html[start..].find('"')?;
    let path = &html[start..end];
    path.ends_with(".js").then(|| path.to_owned())
}

/// Appends a `custom-title` line to the big transcript and polls the full list until that
/// session's name is the new title; each try's time, and the median time of one poll.
async fn appends(
    plan: &Plan,
    tree: &Tree,
    server: &process::Served,
) -> Result<(Vec<Duration>, Duration), BenchError> {
    use std::io::Write;
    let mut times = Vec::new();
    let mut polls = Vec::new();
    for k in 1..=plan.appends {
        let title = format!("bench-append-{k}");
        let line = serde_json::json!({"type": "custom-title", "customTitle": title,
            "sessionId": tree.append_session});
        // The generator ends each transcript with a truncated line; the first append ends it,
        // as the writer's next line would.
        let text = format!("{}{line}\n", if k == 1 { "\n" } else { "" });
        let started = Instant::now();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&tree.append_transcript)
            .map_err(io_error("open the transcript"))?;
        file.write_all(text.as_bytes())
            .map_err(io_error("append to the transcript"))?;
        drop(file);
        let deadline = started + Duration::from_secs(60);
        loop {
            let poll = Instant::now();
            let body = get_ok(server, "/api/sessions?limit=all").await?;
            polls.push(poll.elapsed());
            if shows_title(&body, &tree.append_session, &title) {
                times.push(started.elapsed());
                break;
            }
            if Instant::now() > deadline {
                eprintln!("append {k} not reflected after 60 s");
                times.push(started.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    polls.sort();
    Ok((times, percentile(&polls, 0.5)))
}

fn shows_title(body: &[u8], session: &str, title: &str) -> bool {
    let Ok(Value::Array(sessions)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    sessions
        .iter()
        .any(|s| s["id"] == session && s["name"] == title)
}

async fn fan_out(
    plan: &Plan,
    sse: &SsePlan,
    server: &process::Served,
    list: &str,
    task_file: &Path,
) -> Result<FanOutRow, BenchError> {
    let before = server.memory()?;
    let connecting = Instant::now();
    let clients = SseClients::open(
        server.addr,
        TOKEN,
        sse.clients,
        list,
        "1.json",
        Duration::from_secs(180),
    )
    .await?;
    let connect_time = connecting.elapsed();
    let connected = clients.connected();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held: Memory = server.memory()?;
    eprintln!(
        "  {connected} of {} connected in {:.1} s; server RSS {:.1} MiB",
        sse.clients,
        connect_time.as_secs_f64(),
        held.rss_mib()
    );
    let original = std::fs::read(task_file).map_err(io_error("read the task file"))?;
    let mut task: Value = serde_json::from_slice(&original)
        .map_err(|e| BenchError::Setup(format!("task file: {e}")))?;
    let mut starts = Vec::new();
    for k in 1..=plan.writes {
        task["subject"] = Value::String(format!("Benchmark write {k}"));
        let bytes = serde_json::to_vec_pretty(&task)
            .map_err(|e| BenchError::Setup(format!("task file: {e}")))?;
        // A plain rewrite in place (truncate and write), as Node's writeFileSync does.
        let write = || std::fs::write(task_file, &bytes).map_err(io_error("write the task file"));
        starts.push(
            clients
                .timed_write(k, write, Duration::from_secs(10))
                .await?,
        );
        tokio::time::sleep(WRITE_SPACING).await;
    }
    let error = clients.first_error();
    let fan_out = clients.close(&starts).await?;
    tokio::time::sleep(SETTLE).await;
    let left_quiet = server.memory()?;
    // The server learns that a stream's client left only when a write to it fails (it does not
    // read an event stream), so two more events go out before memory is read again.
    for k in 1..=2 {
        task["subject"] = Value::String(format!("After the clients left {k}"));
        let bytes = serde_json::to_vec_pretty(&task)
            .map_err(|e| BenchError::Setup(format!("task file: {e}")))?;
        std::fs::write(task_file, &bytes).map_err(io_error("write the task file"))?;
        tokio::time::sleep(WRITE_SPACING).await;
    }
    tokio::time::sleep(SETTLE).await;
    Ok(FanOutRow {
        clients: sse.clients,
        connected,
        connect_time,
        error,
        fan_out,
        before,
        held,
        left_quiet,
        after: server.memory()?,
        goal_p99: sse.goal_p99,
        goal_memory_bytes: sse.goal_memory_bytes,
    })
}
