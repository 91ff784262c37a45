//! Model Hub downloads against a loopback HTTP server with `Range` support: a full download is
//! verified and installed with progress on the way; pause/resume and a killed process resume
//! with a `Range` request from the partial file's length; a checksum mismatch and a cancel leave
//! nothing behind.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flow_core::models::{DownloadStatus, ModelDownload};
use flow_core::{App, AppConfig, AppError, BusItem, Edition, FlowEvent, Subscription, commands};
use serde_json::json;
use sha2::{Digest, Sha256};

const SIZE: usize = 3 * 1024 * 1024;

/// A small valid GGUF header padded with varied bytes to 3 MiB.
fn payload() -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend(3u32.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    out.extend(2u64.to_le_bytes());
    for (key, ty, value) in [
        ("general.architecture", 8u32, {
            let mut v = 5u64.to_le_bytes().to_vec();
            v.extend(b"llama");
            v
        }),
        ("llama.context_length", 4u32, 4096u32.to_le_bytes().to_vec()),
    ] {
        out.extend((key.len() as u64).to_le_bytes());
        out.extend(key.as_bytes());
        out.extend(ty.to_le_bytes());
        out.extend(value);
    }
    let pad = SIZE - out.len();
    out.extend((0..pad).map(|i| (i * 31 % 251) as u8));
    out
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serves `body` slowly (64 KiB every 15 ms) with `Range: bytes=N-` support; records each
/// request's range start (`None` for a plain GET).
struct Server {
    url: String,
    ranges: Arc<Mutex<Vec<Option<u64>>>>,
}

fn serve(body: Vec<u8>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/model.gguf", listener.local_addr().unwrap());
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let seen = ranges.clone();
    let body = Arc::new(body);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let body = body.clone();
            let seen = seen.clone();
            std::thread::spawn(move || answer(stream, &body, &seen));
        }
    });
    Server { url, ranges }
}

fn answer(mut stream: std::net::TcpStream, body: &[u8], seen: &Mutex<Vec<Option<u64>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let start: Option<u64> = head.lines().find_map(|l| {
        l.strip_prefix("range: bytes=")
            .and_then(|r| r.trim().trim_end_matches('-').parse().ok())
    });
    seen.lock().unwrap().push(start);
    let len = body.len() as u64;
    let (header, from) = match start {
        Some(s) if s >= len => (
            format!(
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            len,
        ),
        Some(s) => (
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{len}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                len - 1,
                len - s
            ),
            s,
        ),
        None => (
            format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"),
            0,
        ),
    };
    if stream.write_all(header.as_bytes()).is_err() {
        return;
    }
    for chunk in body[from as usize..].chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(15));
    }
}

struct Env {
    _dir: tempfile::TempDir,
    data: PathBuf,
    home: PathBuf,
}

impl Env {
    fn llms(&self) -> PathBuf {
        self.data.join("llms")
    }

    fn open(&self) -> App {
        App::open(AppConfig::new(&self.data, Edition::Server, &self.home)).unwrap()
    }
}

/// A data dir whose `llms/catalog.json` has `good` (right digest) and `bad` (wrong digest).
fn env(server: &Server, body: &[u8]) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let home = dir.path().join("home");
    std::fs::create_dir_all(data.join("llms")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let entry = |id: &str, sha: &str| {
        json!({"id": id, "name": id, "family": "llama", "parameters": "1M",
               "quantization": "F32", "sizeBytes": body.len(), "contextLength": 4096,
               "ramBytes": 1e7, "sha256": sha, "url": server.url, "fileName": format!("{id}.gguf")})
    };
    let catalog = json!([
        entry("good", &hex_sha256(body)),
        entry("bad", &"0".repeat(64))
    ]);
    std::fs::write(
        data.join("llms/catalog.json"),
        serde_json::to_vec(&catalog).unwrap(),
    )
    .unwrap();
    Env {
        _dir: dir,
        data,
        home,
    }
}

/// The next `model-download` events for `id` until `until` holds; every event seen is returned.
async fn wait_for(
    sub: &mut Subscription,
    id: &str,
    until: impl Fn(&ModelDownload) -> bool,
) -> Vec<ModelDownload> {
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match sub.next().await {
                Some(BusItem::Event(e)) => {
                    if let FlowEvent::ModelDownload(d) = &e.event
                        && d.id == id
                    {
                        seen.push(d.clone());
                        if until(d) {
                            return;
                        }
                    }
                }
                Some(BusItem::Resync) => {}
                None => panic!("bus closed"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out; events: {seen:?}"));
    seen
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn midway(d: &ModelDownload) -> bool {
    d.status == DownloadStatus::Downloading && d.bytes >= 512.0 * 1024.0
}

fn is_status(status: DownloadStatus) -> impl Fn(&ModelDownload) -> bool {
    move |d| d.status == status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_is_verified_installed_and_reports_progress() {
    let body = payload();
    let server = serve(body.clone());
    let e = env(&server, &body);
    let app = e.open();
    let mut sub = app.bus().subscribe(None);

    let started = commands::model_download_start(&app, "good".into())
        .await
        .unwrap();
    assert_eq!(started.status, DownloadStatus::Downloading);
    let events = wait_for(&mut sub, "good", |d| {
        d.status == DownloadStatus::Ready || d.status == DownloadStatus::Failed
    })
    .await;
    let last = events.last().unwrap();
    assert_eq!(last.status, DownloadStatus::Ready, "{events:?}");
    assert_eq!(last.bytes, SIZE as f64);
    let progress: Vec<f64> = events
        .iter()
        .filter(|d| d.status == DownloadStatus::Downloading && d.rate_bps > 0.0)
        .map(|d| d.bytes)
        .collect();
    assert!(progress.len() >= 2, "progress: {events:?}");
    assert!(progress.windows(2).all(|p| p[0] < p[1]), "{progress:?}");
    assert!(events.iter().any(|d| d.status == DownloadStatus::Verifying));
    assert!(
        events
            .iter()
            .filter(|d| d.rate_bps > 0.0)
            .all(|d| d.total == SIZE as f64 && d.eta_secs.is_some())
    );

    assert_eq!(std::fs::read(e.llms().join("good.gguf")).unwrap(), body);
    assert_eq!(names(&e.llms()), ["catalog.json", "good.gguf"]);
    assert_eq!(*server.ranges.lock().unwrap(), [None]);
    assert!(commands::model_downloads(&app).await.unwrap().is_empty());

    let installed = commands::models_installed(&app).await.unwrap();
    assert_eq!(installed.len(), 1);
    assert_eq!(installed[0].file_name, "good.gguf");
    assert_eq!(installed[0].architecture.as_deref(), Some("llama"));
    assert_eq!(installed[0].context_length, Some(4096));
    assert_eq!(installed[0].catalog_id.as_deref(), Some("good"));
    assert_eq!(installed[0].error, None);

    // An installed model is not downloaded over itself.
    assert!(matches!(
        commands::model_download_start(&app, "good".into()).await,
        Err(AppError::Conflict(_))
    ));

    let catalog = commands::models_catalog(&app).await.unwrap();
    assert_eq!(catalog.len(), 2);
    assert!(matches!(
        commands::model_download_start(&app, "nope".into()).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_download_keeps_its_part_and_resumes_with_a_range_request() {
    let body = payload();
    let server = serve(body.clone());
    let e = env(&server, &body);
    let app = e.open();
    let mut sub = app.bus().subscribe(None);

    commands::model_download_start(&app, "good".into())
        .await
        .unwrap();
    wait_for(&mut sub, "good", midway).await;
    let paused = commands::model_download_pause(&app, "good".into())
        .await
        .unwrap();
    assert_eq!(paused.status, DownloadStatus::Paused);
    let part = e.llms().join("good.gguf.part");
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept < SIZE as u64, "{kept}");
    assert_eq!(paused.bytes, kept as f64);
    assert!(e.llms().join("good.gguf.part.json").exists());
    let listed = commands::model_downloads(&app).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, DownloadStatus::Paused);

    let resumed = commands::model_download_resume(&app, "good".into())
        .await
        .unwrap();
    assert_eq!(resumed.status, DownloadStatus::Downloading);
    let events = wait_for(&mut sub, "good", |d| {
        matches!(d.status, DownloadStatus::Ready | DownloadStatus::Failed)
    })
    .await;
    assert_eq!(
        events.last().unwrap().status,
        DownloadStatus::Ready,
        "{events:?}"
    );
    assert_eq!(std::fs::read(e.llms().join("good.gguf")).unwrap(), body);
    assert_eq!(*server.ranges.lock().unwrap(), [None, Some(kept)]);
    assert_eq!(names(&e.llms()), ["catalog.json", "good.gguf"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_interrupted_by_a_dying_process_resumes_in_the_next_one() {
    let body = payload();
    let server = serve(body.clone());
    let e = env(&server, &body);
    {
        let app = e.open();
        let mut sub = app.bus().subscribe(None);
        commands::model_download_start(&app, "good".into())
            .await
            .unwrap();
        wait_for(&mut sub, "good", midway).await;
        // The app goes away mid-download, as when the server is killed.
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let app = e.open();
    let listed = commands::model_downloads(&app).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, "good");
    assert_eq!(listed[0].status, DownloadStatus::Paused);
    let kept = std::fs::metadata(e.llms().join("good.gguf.part"))
        .unwrap()
        .len();
    assert!(kept > 0 && kept < SIZE as u64, "{kept}");
    assert_eq!(listed[0].bytes, kept as f64);
    assert_eq!(listed[0].total, SIZE as f64);

    let mut sub = app.bus().subscribe(None);
    commands::model_download_resume(&app, "good".into())
        .await
        .unwrap();
    let events = wait_for(&mut sub, "good", |d| {
        matches!(d.status, DownloadStatus::Ready | DownloadStatus::Failed)
    })
    .await;
    assert_eq!(
        events.last().unwrap().status,
        DownloadStatus::Ready,
        "{events:?}"
    );
    assert_eq!(std::fs::read(e.llms().join("good.gguf")).unwrap(), body);
    assert_eq!(*server.ranges.lock().unwrap(), [None, Some(kept)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checksum_mismatch_fails_and_leaves_nothing() {
    let body = payload();
    let server = serve(body.clone());
    let e = env(&server, &body);
    let app = e.open();
    let mut sub = app.bus().subscribe(None);

    commands::model_download_start(&app, "bad".into())
        .await
        .unwrap();
    let events = wait_for(&mut sub, "bad", |d| {
        matches!(d.status, DownloadStatus::Ready | DownloadStatus::Failed)
    })
    .await;
    let last = events.last().unwrap();
    assert_eq!(last.status, DownloadStatus::Failed);
    assert!(
        last.error.as_deref().unwrap().contains("checksum mismatch"),
        "{last:?}"
    );
    assert_eq!(names(&e.llms()), ["catalog.json"]);
    let listed = commands::model_downloads(&app).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, DownloadStatus::Failed);
    assert!(commands::models_installed(&app).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_download_leaves_nothing() {
    let body = payload();
    let server = serve(body.clone());
    let e = env(&server, &body);
    let app = e.open();
    let mut sub = app.bus().subscribe(None);

    commands::model_download_start(&app, "good".into())
        .await
        .unwrap();
    wait_for(&mut sub, "good", midway).await;
    let cancelled = commands::model_download_cancel(&app, "good".into())
        .await
        .unwrap();
    assert_eq!(cancelled.status, DownloadStatus::Cancelled);
    wait_for(&mut sub, "good", is_status(DownloadStatus::Cancelled)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(names(&e.llms()), ["catalog.json"]);
    assert!(commands::model_downloads(&app).await.unwrap().is_empty());
    assert!(matches!(
        commands::model_download_cancel(&app, "good".into()).await,
        Err(AppError::NotFound(_))
    ));
}
