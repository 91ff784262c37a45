//! The real `flow-server` on a data directory that fills up (a small tmpfs mounted there) and on
//! one that is read-only (a read-only bind mount of a used one). A full disk must give clear
//! errors, keep serving what is saved and lose none of it, across a restart too; a read-only
//! data directory must stop the server at start with a message that says so.
//!
//! Mounting needs root, as the CI machine has; each mount is undone when its guard drops, even
//! when the test fails.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flow_tests::json_files::corrupt_json;
use flow_tests::server::{ServerOptions, ServerProcess, server_binary};
use serde_json::{Value, json};

const TOKEN: &str = "disk-faults-token-0123456789";
/// The tmpfs' size: room for the server's own files and some flows, soon full.
const TMPFS_SIZE: &str = "6m";

/// A mount, undone (lazily, so a busy one goes too) when dropped.
struct Mount(PathBuf);

impl Mount {
    fn new(args: &[&str], target: &Path) -> Self {
        let status = Command::new("mount")
            .args(args)
            .arg(target)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mount {args:?} {} failed",
            target.display()
        );
        Self(target.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let status = Command::new("umount").arg("-l").arg(&self.0).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("could not unmount {}", self.0.display());
        }
    }
}

fn server(studio: &Path) -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("RUST_LOG".into(), "info".into())],
        studio_dir: Some(studio.to_path_buf()),
        ..Default::default()
    })
}

/// A flow of about `size` bytes (most of it one node's description).
fn graph(name: &str, size: usize) -> Value {
    json!({
        "name": name,
        "nodes": [{"id": "a", "type": "utility", "data": {
            "actionId": "log", "message": "hi", "description": "x".repeat(size)
        }}],
        "edges": []
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_clear_errors_and_loses_nothing_already_saved() {
    let root = tempfile::tempdir().unwrap();
    let studio = root.path().join("studio");
    std::fs::create_dir_all(&studio).unwrap();
    let _tmpfs = Mount::new(
        &["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE}"), "tmpfs"],
        &studio,
    );
    let first = server(&studio);

    // Save until the disk refuses; every acknowledged save is kept to check.
    let mut saved: Vec<(String, String)> = Vec::new();
    let mut refusal = None;
    for i in 0..2000 {
        let name = format!("Fill {i}");
        let (status, body) = first
            .invoke(
                "flow_save",
                json!({"input": {"graph": graph(&name, 32 * 1024)}}),
            )
            .await;
        if status == 200 {
            saved.push((body["slug"].as_str().unwrap().to_owned(), name));
        } else {
            refusal = Some((status, body));
            break;
        }
    }
    let (status, body) = refusal.expect("the disk never filled up");
    eprintln!(
        "{} flows saved before the disk was full; then {status} {body}",
        saved.len()
    );
    assert!(saved.len() >= 5, "only {} saves fit", saved.len());
    assert_eq!(status, 503, "a full disk is Unavailable, not a bug: {body}");
    assert_eq!(body["kind"], "Unavailable", "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("No space left") || message.contains("disk is full"),
        "the error says the disk is full: {message}"
    );

    // While full: more writes are refused the same way, reads go on, the server stays up.
    for write in [
        (
            "flow_save",
            json!({"input": {"graph": graph("One more", 32 * 1024)}}),
        ),
        (
            "settings_update",
            json!({"patch": {"max_agentic_seconds": 123}}),
        ),
    ] {
        let (status, body) = first.invoke(write.0, write.1.clone()).await;
        assert!(
            status == 200 || (status == 503 && body["kind"] == "Unavailable"),
            "{}: {status} {body}",
            write.0
        );
    }
    let (status, list) = first.invoke("flows_list", json!({})).await;
    assert_eq!(status, 200, "{list}");
    for (slug, name) in &saved {
        let (status, doc) = first.invoke("flow_get", json!({"slug": slug})).await;
        assert_eq!(status, 200, "{slug}: {doc}");
        assert_eq!(doc["graph"]["name"], json!(name));
    }
    let (status, _) = first.get_json("/health").await;
    assert_eq!(status, 200);
    drop(first);

    // After a restart on the same full disk: every saved flow, whole; no file half-written.
    assert_eq!(corrupt_json(&studio), Vec::<String>::new());
    let second = server(&studio);
    for (slug, name) in &saved {
        let (status, doc) = second.invoke("flow_get", json!({"slug": slug})).await;
        assert_eq!(status, 200, "{slug} lost: {doc}");
        assert_eq!(doc["graph"]["name"], json!(name), "{slug}");
        let description = doc["graph"]["nodes"][0]["data"]["description"].as_str();
        assert_eq!(description.map(str::len), Some(32 * 1024), "{slug} whole");
    }

    // Room made: saving works again.
    for (slug, _) in saved.iter().rev().take(saved.len() / 2) {
        let (status, body) = second.invoke("flow_delete", json!({"slug": slug})).await;
        assert_eq!(status, 200, "{slug}: {body}");
    }
    let (status, body) = second
        .invoke(
            "flow_save",
            json!({"input": {"graph": graph("After", 1024)}}),
        )
        .await;
    assert_eq!(status, 200, "a save after freeing space: {body}");
}

#[tokio::test]
async fn a_read_only_data_dir_fails_at_start_with_a_clear_message_and_keeps_its_data() {
    let root = tempfile::tempdir().unwrap();
    let studio = root.path().join("studio");
    let first = server(&studio);
    let (status, saved) = first
        .invoke("flow_save", json!({"input": {"graph": graph("Kept", 16)}}))
        .await;
    assert_eq!(status, 200, "{saved}");
    let slug = saved["slug"].as_str().unwrap().to_owned();
    drop(first);

    {
        // One mount (its guard undoes it): the folder bound onto itself, then made read-only.
        let _read_only = Mount::new(&["--bind", studio.to_str().unwrap()], &studio);
        let status = Command::new("mount")
            .args(["-o", "remount,bind,ro"])
            .arg(&studio)
            .status()
            .unwrap();
        assert!(status.success(), "remount read-only failed");
        let mut child = Command::new(server_binary())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", root.path())
            .env("FLOW_SERVER_ADDR", "127.0.0.1:0")
            .env("FLOW_SERVER_TOKEN", TOKEN)
            .env("FLOW_STUDIO_DIR", &studio)
            .env("TASKS_DIR", root.path().join("tasks"))
            .env("PROJECTS_DIR", root.path().join("projects"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                child.kill().unwrap();
                panic!("the server started on a read-only data directory");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(status.code(), Some(2), "{stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("flow-server: ")
                && last.contains("read-only")
                && last.contains(studio.to_str().unwrap())
                && last.contains("FLOW_STUDIO_DIR"),
            "the last line names the folder, the fault and the fix: {stderr}"
        );
        assert!(
            !String::from_utf8_lossy(&output.stdout).contains("listening on"),
            "it never listened"
        );
    }

    // Writable again: the data is as it was.
    let again = server(&studio);
    let (status, doc) = again.invoke("flow_get", json!({"slug": slug})).await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["graph"]["name"], "Kept");
}
