//! The `download` utility against a real HTTP server on loopback: the file lands in the run's
//! workspace with progress events on the way, and a checksum mismatch leaves nothing behind.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::{env, graph, run_to_end, utility};
use flow_core::engine::{ExecutionEventKind, RunOptions, RunStatus};
use serde_json::json;
use sha2::{Digest, Sha256};

/// 1 MiB of varied bytes, sent in 16 slices 40 ms apart so progress has time to be reported.
fn payload() -> Vec<u8> {
    (0..1024 * 1024)
        .map(|i: u32| (i * 31 % 251) as u8)
        .collect()
}

/// Serves `body` to every request on a loopback port; returns the base URL.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let header = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            if stream.write_all(header.as_bytes()).is_err() {
                continue;
            }
            for chunk in body.chunks(body.len() / 16) {
                if stream.write_all(chunk).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(40));
            }
        }
    });
    url
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_lands_in_the_workspace_with_progress_and_its_checksum_checked() {
    let e = env();
    let body = payload();
    let url = serve(body.clone());
    let workspace = e.dir.path().join("ws");
    let options = RunOptions {
        workspace: Some(workspace.display().to_string()),
        ..Default::default()
    };

    let g = graph(
        json!([utility(
            "fetch",
            "download",
            json!({"url": format!("{url}/data.bin"), "dest": "inbox/data.bin", "sha256": hex_sha256(&body)})
        )]),
        json!([]),
    );
    let (w, status) = run_to_end(&e.app, g, options.clone()).await;
    assert_eq!(status, RunStatus::Succeeded, "{:?}", w.failed("fetch"));
    assert_eq!(
        std::fs::read(workspace.join("inbox/data.bin")).unwrap(),
        body
    );
    let progress: Vec<f64> = w
        .kinds_of("fetch")
        .into_iter()
        .filter_map(|k| match k {
            ExecutionEventKind::NodeProgress { bytes, total, .. } => {
                assert_eq!(*total, Some(body.len() as f64));
                Some(*bytes)
            }
            _ => None,
        })
        .collect();
    assert!(progress.len() >= 2, "progress events: {progress:?}");
    assert!(progress.windows(2).all(|p| p[0] <= p[1]), "{progress:?}");

    // A wrong checksum fails the node and leaves neither the file nor a partial one.
    let g = graph(
        json!([utility(
            "fetch",
            "download",
            json!({"url": format!("{url}/other.bin"), "dest": "other.bin", "sha256": "0".repeat(64)})
        )]),
        json!([]),
    );
    let (w, status) = run_to_end(&e.app, g, options).await;
    assert_eq!(status, RunStatus::Failed);
    assert!(
        w.failed("fetch").unwrap().contains("checksum mismatch"),
        "{:?}",
        w.failed("fetch")
    );
    let left: Vec<String> = std::fs::read_dir(&workspace)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["inbox"], "nothing but the first download's folder");
}
