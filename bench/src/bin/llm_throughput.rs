//! Local inference on the real test model (Gemma 3 270M Q4_K_M): prompt and generation
//! tokens/s and time to first token through Flow's runtime (in process, and over loopback HTTP
//! via the OpenAI-compatible streaming endpoint) against a bare `llama-cpp-2` loop on the same
//! model, prompt, context size and threads, in the same run (the bare loop in a child process:
//! see [`bare_child`]). They are interleaved round by round so machine noise hits them alike;
//! medians are reported.
//!
//! Knobs (environment): `FLOW_TEST_MODEL` (the GGUF; default: the fetch script's cache path),
//! `LLM_BENCH_ROUNDS` (default 7), `LLM_BENCH_TOKENS` (default 128).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use flow_core::llm::{self, ChatMessage, ChatRequest, ChatRole};
use flow_core::{App, AppError};
use futures_util::StreamExt;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const MODEL: &str = "gemma-3-270m-q4_k_m.gguf";
const TOKEN: &str = "bench-llm-token-0123456789";
const PROMPT: &str = "Write a detailed essay about the history of sailing ships.";
/// The runtime's default context for this model (its training context, capped at 4096).
const N_CTX: u32 = 4096;

fn err(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{context}: {e}"))
}

/// One generation's timings.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Request start to first generated token.
    ttft: Duration,
    /// Prompt tokens per second (prompt tokens / time to first token).
    prompt_tps: f64,
    /// Generated tokens per second after the first.
    gen_tps: f64,
    tokens: u32,
}

fn threads() -> i32 {
    std::thread::available_parallelism().map_or(2, |n| n.get() as i32)
}

/// The bare loop: what any llama-cpp-2 program does, with no queue, events or channels.
fn bare(model: &LlamaModel, prompt: &str, max_tokens: u32) -> Result<Sample, AppError> {
    let start = Instant::now();
    let backend = flow_llama::backend::backend()?;
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(N_CTX))
        .with_n_batch(512)
        .with_n_threads(threads())
        .with_n_threads_batch(threads());
    let mut ctx = model
        .new_context(backend, params)
        .map_err(|e| err("context", e))?;
    let vocab = model.vocab();
    let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
    let mut batch = LlamaBatch::new(512, 1);
    for (i, t) in tokens.iter().enumerate() {
        batch
            .add(*t, i as i32, &[0], i == tokens.len() - 1)
            .map_err(|e| err("batch", e))?;
    }
    ctx.decode(&mut batch).map_err(|e| err("decode", e))?;
    let mut sampler = LlamaSampler::chain_simple([LlamaSampler::greedy()]);
    let mut n_cur = tokens.len() as i32;
    let mut generated = 0;
    let mut first = None;
    let mut bytes = Vec::new();
    while generated < max_tokens {
        let token = sampler.sample(&ctx, batch.n_tokens() - 1);
        first.get_or_insert_with(Instant::now);
        if vocab.is_eog(token) {
            break;
        }
        generated += 1;
        bytes.extend(vocab.token_to_piece(token, false, None));
        batch.clear();
        batch
            .add(token, n_cur, &[0], true)
            .map_err(|e| err("batch", e))?;
        n_cur += 1;
        ctx.decode(&mut batch).map_err(|e| err("decode", e))?;
    }
    let end = Instant::now();
    let first = first.unwrap_or(end);
    Ok(timings(start, first, end, tokens.len() as u32, generated))
}

fn timings(start: Instant, first: Instant, end: Instant, prompt: u32, generated: u32) -> Sample {
    let ttft = first - start;
    let rest = (end - first).as_secs_f64();
    Sample {
        ttft,
        prompt_tps: f64::from(prompt) / ttft.as_secs_f64(),
        gen_tps: if rest > 0.0 {
            f64::from(generated.saturating_sub(1)) / rest
        } else {
            0.0
        },
        tokens: generated,
    }
}

fn request(max_tokens: u32) -> ChatRequest {
    ChatRequest {
        model: MODEL.into(),
        messages: vec![ChatMessage {
            role: ChatRole::User,
            content: PROMPT.into(),
        }],
        max_tokens: Some(max_tokens),
        temperature: Some(0.0),
        ..ChatRequest::default()
    }
}

/// Through the runtime in process: queue, resident model, generation thread, bus events, sink.
async fn api(app: &App, max_tokens: u32) -> Result<Sample, AppError> {
    let (tx, mut rx) = mpsc::channel(1024);
    let start = Instant::now();
    let app2 = app.clone();
    let run = tokio::spawn(async move {
        llm::chat(
            &app2,
            request(max_tokens),
            Some(tx),
            CancellationToken::new(),
        )
        .await
    });
    let mut first = None;
    while rx.recv().await.is_some() {
        first.get_or_insert_with(Instant::now);
    }
    let end = Instant::now();
    let result = run.await.map_err(|e| err("join", e))??;
    Ok(timings(
        start,
        first.unwrap_or(end),
        end,
        result.prompt_tokens,
        result.completion_tokens,
    ))
}

/// Through the runtime with no sink: the text goes only to the event bus, and the timings are
/// the runtime's own.
async fn api_events_only(app: &App, max_tokens: u32) -> Result<Sample, AppError> {
    let result = llm::chat(app, request(max_tokens), None, CancellationToken::new()).await?;
    let ttft = Duration::from_secs_f64(result.time_to_first_token_ms / 1e3);
    Ok(Sample {
        ttft,
        prompt_tps: f64::from(result.prompt_tokens) / ttft.as_secs_f64(),
        gen_tps: result.tokens_per_second,
        tokens: result.completion_tokens,
    })
}

/// Over loopback HTTP: `POST /v1/chat/completions` with `stream: true`, timed at the client.
async fn http(
    client: &reqwest::Client,
    url: &str,
    prompt_tokens: u32,
    max_tokens: u32,
) -> Result<Sample, AppError> {
    let body = json!({"model": MODEL, "stream": true, "temperature": 0, "max_tokens": max_tokens,
                      "messages": [{"role": "user", "content": PROMPT}]});
    let start = Instant::now();
    let response = client
        .post(format!("{url}/v1/chat/completions"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .map_err(|e| err("request", e))?;
    let mut events = response.bytes_stream().eventsource();
    let mut first = None;
    let mut deltas = 0u32;
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| err("sse", e))?;
        if event.data == "[DONE]" {
            break;
        }
        let chunk: Value = serde_json::from_str(&event.data).map_err(|e| err("chunk", e))?;
        if chunk["choices"][0]["delta"]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
        {
            first.get_or_insert_with(Instant::now);
            deltas += 1;
        }
    }
    let end = Instant::now();
    Ok(timings(
        start,
        first.unwrap_or(end),
        end,
        prompt_tokens,
        deltas,
    ))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn report(name: &str, samples: &[Sample]) -> (f64, f64, f64) {
    let mut ttft: Vec<f64> = samples.iter().map(|s| s.ttft.as_secs_f64() * 1e3).collect();
    let mut prompt: Vec<f64> = samples.iter().map(|s| s.prompt_tps).collect();
    let mut generation: Vec<f64> = samples.iter().map(|s| s.gen_tps).collect();
    let (ttft, prompt, generation) = (
        median(&mut ttft),
        median(&mut prompt),
        median(&mut generation),
    );
    println!(
        "{name:<28} ttft {ttft:>7.2} ms   prompt {prompt:>7.1} tok/s   generation {generation:>6.2} tok/s   ({} tokens)",
        samples[0].tokens
    );
    (ttft, prompt, generation)
}

/// The exact prompt text the runtime builds for [`PROMPT`], and its token count (from a
/// vocabulary-only load: no weights, no compute threads).
fn templated_prompt(path: &std::path::Path) -> Result<(String, u32), AppError> {
    let backend = flow_llama::backend::backend()?;
    let vocab_only = LlamaModelParams::default().with_vocab_only(true);
    let model =
        LlamaModel::load_from_file(backend, path, &vocab_only).map_err(|e| err("load", e))?;
    let prompt = flow_llama::prompt::render(&model, &request(1).messages)?;
    let tokens = model.vocab().tokenize(prompt.as_bytes(), true, true).len() as u32;
    Ok((prompt, tokens))
}

/// `--bare <max_tokens>`: one warm-up and one measured bare generation in this (child)
/// process, printed as `ttft_ms prompt_tps gen_tps tokens`.
///
/// The bare loop runs in its own process because libgomp (llama.cpp's OpenMP) throttles its
/// spin-waiting once a process holds more OpenMP threads than CPUs: a second thread driving
/// llama.cpp in the same process slowed *both* loops by about 40% on 2 cores.
fn bare_child(max_tokens: u32) -> Result<(), AppError> {
    let path = flow_bench::test_model_path();
    let backend = flow_llama::backend::backend()?;
    let model = LlamaModel::load_from_file(backend, &path, &LlamaModelParams::default())
        .map_err(|e| err("load", e))?;
    let (prompt, _) = templated_prompt(&path)?;
    bare(&model, &prompt, 8)?;
    let s = bare(&model, &prompt, max_tokens)?;
    println!(
        "{} {} {} {}",
        s.ttft.as_secs_f64() * 1e3,
        s.prompt_tps,
        s.gen_tps,
        s.tokens
    );
    Ok(())
}

fn bare_in_child(max_tokens: u32) -> Result<Sample, AppError> {
    let exe = std::env::current_exe().map_err(|e| AppError::io("current exe", e))?;
    let out = std::process::Command::new(exe)
        .args(["--bare", &max_tokens.to_string()])
        .output()
        .map_err(|e| AppError::io("bare child", e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<f64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [ttft, prompt_tps, gen_tps, tokens] => Ok(Sample {
            ttft: Duration::from_secs_f64(ttft / 1e3),
            prompt_tps,
            gen_tps,
            tokens: tokens as u32,
        }),
        _ => Err(err(
            "bare child",
            format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr)),
        )),
    }
}

fn main() -> Result<(), AppError> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--bare") {
        let max_tokens = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(128);
        return bare_child(max_tokens);
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| AppError::io("runtime", e))?
        .block_on(measure())
}

async fn measure() -> Result<(), AppError> {
    let rounds: usize = std::env::var("LLM_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let max_tokens: u32 = std::env::var("LLM_BENCH_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let path = flow_bench::test_model_path();
    let scratch = flow_bench::Scratch::new()?;
    let llms = scratch.data_dir().join("llms");
    std::fs::create_dir_all(&llms).map_err(|e| AppError::io("llms", e))?;
    if std::fs::hard_link(&path, llms.join(MODEL)).is_err() {
        std::fs::copy(&path, llms.join(MODEL)).map_err(|e| AppError::io("copy model", e))?;
    }
    let app = scratch.open()?;
    let (url, shutdown) = flow_bench::serve_loopback(app.clone(), &scratch, TOKEN).await?;
    let client = reqwest::Client::new();

    let (_, prompt_tokens) = templated_prompt(&path)?;
    println!(
        "model {MODEL}, {prompt_tokens}-token prompt, up to {max_tokens} tokens, greedy, {} threads, n_ctx {N_CTX}, {rounds} rounds",
        threads()
    );
    // Warm-up: page cache, the runtime's resident model, one of each path.
    llm::load(&app, MODEL, None).await?;
    api(&app, 8).await?;
    http(&client, &url, prompt_tokens, 8).await?;

    let (mut b, mut a, mut e, mut h) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());

    for _ in 0..rounds {
        b.push(bare_in_child(max_tokens)?);
        a.push(api(&app, max_tokens).await?);
        e.push(api_events_only(&app, max_tokens).await?);

        h.push(http(&client, &url, prompt_tokens, max_tokens).await?);
    }
    let (bt, _, bg) = report("bare llama-cpp-2 loop", &b);
    let (at, _, ag) = report("runtime (llm::chat)", &a);
    report("runtime, bus events only", &e);

    let (ht, _, hg) = report("OpenAI stream over HTTP", &h);
    println!(
        "runtime vs bare: generation {:+.2}%, ttft {:+.2} ms",
        (ag / bg - 1.0) * 100.0,
        at - bt
    );
    println!(
        "HTTP vs bare:    generation {:+.2}%, ttft {:+.2} ms",
        (hg / bg - 1.0) * 100.0,
        ht - bt
    );
    shutdown.cancel();
    Ok(())
}
