//! The agentic generator on the real test model (Gemma 3 270M Q4_K_M): how many generations
//! parse into a flow (the grammar's promise: all), how many validate clean, how long a proposal
//! takes, and how many tokens it writes, over a set of requests and seeds against a small
//! TypeScript project workspace.
//!
//! Knobs (environment): `FLOW_TEST_MODEL` (the GGUF; default: the fetch script's cache path),
//! `AGENTIC_BENCH_SEEDS` (seeds per request, default 3), `AGENTIC_BENCH_SHOW` (print each
//! proposal's DSL when set).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::{Duration, Instant};

use flow_bench::{Scratch, percentile, test_model_path};
use flow_core::agentic::GenerateOptions;
use flow_core::flows::{SaveFlowInput, dsl};
use flow_core::{AppError, commands};

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

const REQUESTS: [&str; 10] = [
    "Run the tests and then build the project.",
    "Lint the code, then run the release script.",
    "Read the README and log what it says.",
    "List the files in src and count them.",
    "Write a file named notes.txt that says hello.",
    "Build the project; if that works, run the tests.",
    "Check the git status of the project.",
    "Download https://example.com/data.json into data.json and read it.",
    "Ask the local model to summarise the README.",
    "Wait two seconds, then log that the job is done.",
];

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
    write(
        "package.json",
        r#"{"name": "demo", "scripts": {"build": "tsc", "test": "node test.js", "lint": "eslint ."}}"#,
    )?;
    write("src/index.ts", "export const x = 1;\n")?;
    write("src/util.ts", "export const y = 2;\n")?;
    write("scripts/release.sh", "echo release\n")?;
    write("README.md", "# Demo\nA tiny TypeScript library.\n")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let seeds: u32 = std::env::var("AGENTIC_BENCH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let show = std::env::var_os("AGENTIC_BENCH_SHOW").is_some();
    let scratch = Scratch::new()?;
    let app = scratch.open()?;
    let llms = app.models().llms_dir().join(MODEL);
    if std::fs::hard_link(test_model_path(), &llms).is_err() {
        std::fs::copy(test_model_path(), &llms).map_err(|e| err("copying the model", e))?;
    }
    let root = scratch.path().join("project");
    workspace(&root)?;

    let (mut parsed, mut valid, mut failed) = (0u32, 0u32, Vec::new());
    let mut times: Vec<Duration> = Vec::new();
    let mut tokens: Vec<u32> = Vec::new();
    let mut steps: Vec<usize> = Vec::new();
    for request in REQUESTS {
        let graph = dsl::parse(&format!(
            "flow \"Bench\"\nagent[agentic: \"Agent\"] {{\n  request: {request:?}, workspace: {:?}\n}}\n",
            root.display().to_string()
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
        for seed in 1..=seeds {
            let started = Instant::now();
            let result = commands::agentic_generate(
                &app,
                slug.clone(),
                "agent".into(),
                Some(GenerateOptions {
                    seed: Some(seed),
                    ..GenerateOptions::default()
                }),
            )
            .await;
            let elapsed = started.elapsed();
            match result {
                Ok(proposal) => {
                    parsed += 1;
                    valid += u32::from(proposal.valid);
                    times.push(elapsed);
                    tokens.push(proposal.completion_tokens);
                    steps.push(proposal.generated.nodes.len());
                    if show {
                        println!(
                            "--- {request} (seed {seed}, {:.1} s)\n{}",
                            elapsed.as_secs_f64(),
                            dsl::serialize(&proposal.generated)
                        );
                    }
                }
                Err(e) => failed.push(format!("{request} (seed {seed}): {e}")),
            }
        }
    }
    let total = parsed + u32::try_from(failed.len()).unwrap_or(u32::MAX);
    times.sort();
    tokens.sort_unstable();
    steps.sort_unstable();
    println!(
        "agentic generations on {MODEL}: {total} ({} requests x {seeds} seeds)",
        REQUESTS.len()
    );
    println!(
        "parsed {parsed}/{total} ({:.0}%), validated clean {valid}/{total} ({:.0}%)",
        100.0 * f64::from(parsed) / f64::from(total.max(1)),
        100.0 * f64::from(valid) / f64::from(total.max(1))
    );
    if !times.is_empty() {
        println!(
            "time to a proposal p50 {:.2} s, p95 {:.2} s, max {:.2} s",
            percentile(&times, 0.5).as_secs_f64(),
            percentile(&times, 0.95).as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        );
        println!(
            "tokens written p50 {}, max {}; steps per flow p50 {}, max {}",
            tokens[tokens.len() / 2],
            tokens[tokens.len() - 1],
            steps[steps.len() / 2],
            steps[steps.len() - 1]
        );
    }
    for failure in &failed {
        println!("FAILED {failure}");
    }
    Ok(())
}
