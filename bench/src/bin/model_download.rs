//! Model Hub download throughput on the real test model (253 MB) over loopback: a Flow
//! download (streamed to a `.part` file with progress events, then size and SHA-256 verified and
//! renamed into `llms/`) against a plain copy of the same file from the same server (streamed
//! to a file, nothing else). Rounds alternate; medians are reported.
//!
//! Knobs (environment): `FLOW_TEST_MODEL` (the file to serve), `DOWNLOAD_BENCH_ROUNDS`
//! (default 5).
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flow_core::models::DownloadStatus;
use flow_core::{App, AppError, BusItem, FlowEvent, commands};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SHA256: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

fn err(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{context}: {e}"))
}

/// A minimal HTTP/1.1 file server: every request gets the whole file.
async fn serve(listener: tokio::net::TcpListener, file: PathBuf, size: u64) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let file = file.clone();
        tokio::spawn(async move {
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
            );
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            if let Ok(mut f) = tokio::fs::File::open(&file).await
                && let Err(e) = tokio::io::copy(&mut f, &mut socket).await
            {
                eprintln!("serving: {e}");
            }
        });
    }
}

/// The plain copy: GET, stream the body into a file.
async fn plain_copy(url: &str, to: &Path) -> Result<Duration, AppError> {
    let start = Instant::now();
    let response = reqwest::get(url).await.map_err(|e| err("get", e))?;
    let mut file = tokio::fs::File::create(to)
        .await
        .map_err(|e| AppError::io("create", e))?;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| err("body", e))?;
        file.write_all(&chunk)
            .await
            .map_err(|e| AppError::io("write", e))?;
    }
    file.flush().await.map_err(|e| AppError::io("flush", e))?;
    let took = start.elapsed();
    tokio::fs::remove_file(to)
        .await
        .map_err(|e| AppError::io("remove", e))?;
    Ok(took)
}

/// A Flow download to `ready`, then the installed file is deleted for the next round.
async fn flow_download(app: &App, file_name: &str) -> Result<Duration, AppError> {
    let mut sub = app.bus().subscribe(None);
    let start = Instant::now();
    commands::model_download_start(app, "bench".into()).await?;
    loop {
        match sub.next().await {
            Some(BusItem::Event(env)) => {
                if let FlowEvent::ModelDownload(d) = &env.event {
                    match d.status {
                        DownloadStatus::Ready => break,
                        DownloadStatus::Failed => {
                            return Err(err("download", d.error.clone().unwrap_or_default()));
                        }
                        _ => {}
                    }
                }
            }
            Some(_) => {}
            None => return Err(err("bus", "closed")),
        }
    }
    let took = start.elapsed();
    commands::model_delete(app, file_name.to_owned()).await?;
    Ok(took)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), AppError> {
    let rounds: usize = std::env::var("DOWNLOAD_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let source = flow_bench::test_model_path();
    let size = std::fs::metadata(&source)
        .map_err(|e| AppError::io("model", e))?
        .len();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| AppError::io("bind", e))?;
    let url = format!(
        "http://{}/model.gguf",
        listener.local_addr().map_err(|e| AppError::io("addr", e))?
    );
    tokio::spawn(serve(listener, source.clone(), size));

    let scratch = flow_bench::Scratch::new()?;
    let llms = scratch.data_dir().join("llms");
    std::fs::create_dir_all(&llms).map_err(|e| AppError::io("llms", e))?;
    let file_name = "bench.gguf";
    let catalog = serde_json::json!([{
        "id": "bench", "name": "Bench", "family": "gemma3", "parameters": "270M",
        "quantization": "Q4_K_M", "sizeBytes": size, "contextLength": 32768,
        "ramBytes": 600_000_000u64, "sha256": SHA256, "url": url, "fileName": file_name
    }]);
    std::fs::write(llms.join("catalog.json"), catalog.to_string())
        .map_err(|e| AppError::io("catalog", e))?;
    let app = scratch.open()?;

    // Warm the page cache on the serving side once.
    plain_copy(&url, &scratch.path().join("warm.bin")).await?;
    let (mut plain, mut flow) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        plain.push(plain_copy(&url, &scratch.path().join("copy.bin")).await?);
        flow.push(flow_download(&app, file_name).await?);
    }
    let mb = size as f64 / 1e6;
    let (p, f) = (median(plain), median(flow));
    println!(
        "file {} ({size} bytes), {rounds} rounds, loopback",
        source.display()
    );
    println!(
        "plain copy            {:>7.1} ms  {:>7.1} MB/s",
        p.as_secs_f64() * 1e3,
        mb / p.as_secs_f64()
    );
    println!(
        "Flow download+verify  {:>7.1} ms  {:>7.1} MB/s",
        f.as_secs_f64() * 1e3,
        mb / f.as_secs_f64()
    );
    println!(
        "Flow / plain throughput: {:.1}%",
        p.as_secs_f64() / f.as_secs_f64() * 100.0
    );
    Ok(())
}
