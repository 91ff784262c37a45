//! The monitor's fixes on the real test model (Gemma 3 270M Q4_K_M): flows whose one step fails
//! for a mistake a person would fix in seconds (a typo in a file name, a wrong folder, a failing
//! command), each run autonomously: how often the loop converges, how many fixes it takes, how
//! long a fix takes to plan, and what ends the runs that do not converge.
//!
//! Knobs (environment): `FLOW_TEST_MODEL` (the GGUF; default: the fetch script's cache path),
//! `INTERCEPTION_BENCH_SHOW` (print each applied fix's step when set).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flow_bench::{Scratch, percentile, test_model_path};
use flow_core::agentic::{InterceptionQuery, InterceptionStatus};
use flow_core::engine::{RunOptions, RunSource, RunStatus};
use flow_core::flows::{SaveFlowInput, dsl};
use flow_core::{AppError, BusItem, FlowEvent, commands};

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

/// A failing step each (its DSL body) and what is wrong with it.
const CASES: [(&str, &str); 6] = [
    (
        "read[action: \"Read notes\"] {\n  adapter: \"fs\", actionId: \"read-file\", path: \"notes.tx\"\n}",
        "file name typo (notes.txt exists)",
    ),
    (
        "list[action: \"List sources\"] {\n  adapter: \"fs\", actionId: \"list-dir\", path: \"source\"\n}",
        "wrong folder (src exists)",
    ),
    (
        "show[action: \"Show readme\"] {\n  adapter: \"shell\", actionId: \"run-command\", command: \"cat README.MD\"\n}",
        "wrong case (README.md exists)",
    ),
    (
        "count[action: \"Count files\"] {\n  adapter: \"shell\", actionId: \"run-command\", command: \"ls srcc\"\n}",
        "folder typo (src exists)",
    ),
    (
        "check[action: \"Check\"] {\n  adapter: \"shell\", actionId: \"run-command\", command: \"exit 3\"\n}",
        "a command that always fails",
    ),
    (
        "grep[action: \"Find exports\"] {\n  adapter: \"fs\", actionId: \"grep\", pattern: \"export\", path: \"lib\"\n}",
        "grep in a missing folder (src exists)",
    ),
];

/// When each interception began planning and when its fix was proposed, by interception id.
type Marks = BTreeMap<String, (Instant, Option<Instant>)>;

fn err(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{context}: {e}"))
}

fn workspace(root: &std::path::Path) -> Result<(), AppError> {
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| err("mkdir", e))?;
        }
        std::fs::write(&path, text).map_err(|e| err("write", e))
    };
    write("notes.txt", "Remember the release.\n")?;
    write("src/index.ts", "export const x = 1;\n")?;
    write("src/util.ts", "export const y = 2;\n")?;
    write("README.md", "# Demo\nA tiny TypeScript library.\n")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let show = std::env::var_os("INTERCEPTION_BENCH_SHOW").is_some();
    let scratch = Scratch::new()?;
    let app = scratch.open()?;
    let llms = app.models().llms_dir().join(MODEL);
    if std::fs::hard_link(test_model_path(), &llms).is_err() {
        std::fs::copy(test_model_path(), &llms).map_err(|e| err("copying the model", e))?;
    }
    let root = scratch.path().join("project");
    workspace(&root)?;

    let marks: Arc<Mutex<Marks>> = Arc::default();
    {
        let marks = marks.clone();
        let mut sub = app.bus().subscribe(None);
        tokio::spawn(async move {
            while let Some(item) = sub.next().await {
                let BusItem::Event(env) = item else { continue };
                let FlowEvent::Agentic(event) = &env.event else {
                    continue;
                };
                let now = Instant::now();
                let value = serde_json::to_value(event).unwrap_or_default();
                let mut marks = marks
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match value["phase"].as_str() {
                    Some("interception") if value["interception"]["status"] == "planning" => {
                        marks.entry(event.job_id.clone()).or_insert((now, None));
                    }
                    Some("proposed") => {
                        if let Some(mark) = marks.get_mut(&event.job_id) {
                            mark.1.get_or_insert(now);
                        }
                    }
                    _ => {}
                }
            }
        });
    }

    let mut converged = 0u32;
    let mut fixes_to_converge: Vec<u32> = Vec::new();
    let mut endings: BTreeMap<String, u32> = BTreeMap::new();
    let mut run_times: Vec<Duration> = Vec::new();
    for (step, what) in CASES {
        let graph = dsl::parse(&format!(
            "flow \"Bench\"\nagent[agentic: \"Agent\"] {{\n  request: \"Do the step.\", mode: \"monitor\"\n}}\n{step}\n"
        ))
        .map_err(|e| err("dsl", e))?;
        let slug = commands::flow_save(
            &app,
            SaveFlowInput {
                slug: None,
                base_revision: None,
                collection: None,
                graph,
            },
        )
        .await?
        .slug;
        let mut sub = app.bus().subscribe(None);
        let started = Instant::now();
        let run = commands::run_start(
            &app,
            RunSource {
                slug: Some(slug.clone()),
                ..RunSource::default()
            },
            Some(RunOptions {
                autonomous: Some(true),
                workspace: Some(root.display().to_string()),
                ..RunOptions::default()
            }),
            None,
        )
        .await?;
        let status = loop {
            let Some(item) = sub.next().await else {
                return Err(err("bus", "closed"));
            };
            if let BusItem::Event(env) = item
                && let FlowEvent::Execution(event) = &env.event
                && event.execution_id == run.execution_id
                && let flow_core::engine::ExecutionEventKind::Done { status } = event.kind
            {
                break status;
            }
        };
        run_times.push(started.elapsed());
        let interceptions = commands::agentic_interceptions(
            &app,
            Some(InterceptionQuery {
                execution_id: Some(run.execution_id.clone()),
                ..InterceptionQuery::default()
            }),
        )
        .await?;
        let fixes = u32::try_from(
            interceptions
                .iter()
                .filter(|i| i.status == InterceptionStatus::Fixed)
                .count(),
        )
        .unwrap_or(u32::MAX);
        let ending = if status == RunStatus::Succeeded {
            converged += 1;
            fixes_to_converge.push(fixes);
            "converged".to_owned()
        } else {
            interceptions
                .first()
                .and_then(|i| i.fix_error.clone())
                .unwrap_or_else(|| format!("{status:?}"))
        };
        println!(
            "{what}: {status:?} after {fixes} fix(es) in {:.1} s ({ending})",
            started.elapsed().as_secs_f64()
        );
        *endings.entry(ending).or_default() += 1;
        if show {
            let doc = commands::flow_get(&app, slug).await?;
            println!("{}", dsl::serialize(&doc.graph));
        }
    }
    let mut planning: Vec<Duration> = marks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .values()
        .filter_map(|(began, proposed)| proposed.map(|p| p - *began))
        .collect();
    planning.sort();
    run_times.sort();
    println!(
        "autonomous runs on {MODEL}: {} cases, {converged} converged",
        CASES.len()
    );
    if !fixes_to_converge.is_empty() {
        fixes_to_converge.sort_unstable();
        println!(
            "fixes to converge: p50 {}, max {}",
            fixes_to_converge[fixes_to_converge.len() / 2],
            fixes_to_converge[fixes_to_converge.len() - 1]
        );
    }
    if !planning.is_empty() {
        println!(
            "time to plan a fix ({} fixes): p50 {:.2} s, p95 {:.2} s, max {:.2} s",
            planning.len(),
            percentile(&planning, 0.5).as_secs_f64(),
            percentile(&planning, 0.95).as_secs_f64(),
            planning[planning.len() - 1].as_secs_f64()
        );
    }
    println!(
        "run to its end: p50 {:.1} s, max {:.1} s",
        percentile(&run_times, 0.5).as_secs_f64(),
        run_times[run_times.len() - 1].as_secs_f64()
    );
    for (ending, count) in &endings {
        println!("ended: {ending} x{count}");
    }
    Ok(())
}
