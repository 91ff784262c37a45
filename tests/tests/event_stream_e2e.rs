//! End-to-end: `/api/events` on raw sockets against the real `flow-server`, both ways it is
//! served: straight on the socket (a whole, authorised head) and through hyper (a head split
//! over packets, a bad token), with the same frames and the same refusals.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_tests::server::{ServerOptions, ServerProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "event-stream-e2e-token-012345";

fn start() -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        ..Default::default()
    })
}

async fn connect(server: &ServerProcess) -> TcpStream {
    let addr = server.url.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Reads until `needle` has arrived (or fails after 10 s); everything read so far.
async fn read_until(socket: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = tokio::time::timeout_at(deadline, socket.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} in {:?}", String::from_utf8_lossy(&seen)))
            .unwrap();
        assert!(
            n > 0,
            "closed before {needle:?}: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn head(extra: &str) -> String {
    format!("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n{extra}\r\n")
}

async fn publish_settings_change(server: &ServerProcess) {
    let (status, _) = server
        .invoke(
            "settings_update",
            serde_json::json!({"patch": {"max_parallel_nodes": 3}}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_whole_head_and_a_split_head_get_the_same_stream() {
    let server = start();
    let mut direct = connect(&server).await;
    direct.write_all(head("").as_bytes()).await.unwrap();
    let opening = read_until(&mut direct, "\"connected\"").await;
    assert!(opening.starts_with("HTTP/1.1 200 OK\r\n"), "{opening}");
    assert!(
        opening
            .to_ascii_lowercase()
            .contains("content-type: text/event-stream")
    );

    // The same request dribbled out: not seen whole at once, so hyper serves it.
    let mut split = connect(&server).await;
    let text = head("");
    let (first, rest) = text.split_at(9);
    split.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    split.write_all(rest.as_bytes()).await.unwrap();
    let opening = read_until(&mut split, "\"connected\"").await;
    assert!(opening.starts_with("HTTP/1.1 200 OK\r\n"), "{opening}");

    publish_settings_change(&server).await;
    for socket in [&mut direct, &mut split] {
        let frames = read_until(socket, "settings-changed").await;
        assert!(
            frames.contains("id: 1\ndata: {\"type\":\"settings-changed\""),
            "{frames}"
        );
    }

    // Resuming from before that event replays it, on the direct path too.
    let mut resumed = connect(&server).await;
    resumed
        .write_all(head("Last-Event-ID: 0\r\n").as_bytes())
        .await
        .unwrap();
    let replay = read_until(&mut resumed, "settings-changed").await;
    assert!(
        replay.contains("id: 1\ndata: {\"type\":\"settings-changed\""),
        "{replay}"
    );
}

#[tokio::test]
async fn refusals_are_the_ordinary_routes_answers() {
    let server = start();
    for request in [
        "GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
        format!("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}x\r\n\r\n"),
        format!("GET /api/events?token={TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n"),
    ] {
        let mut socket = connect(&server).await;
        socket.write_all(request.as_bytes()).await.unwrap();
        let answer = read_until(&mut socket, "Unauthorized").await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    }
    let mut socket = connect(&server).await;
    socket
        .write_all(
            head("")
                .replace("/api/events", "/api/events?since=nope")
                .as_bytes(),
        )
        .await
        .unwrap();
    let answer = read_until(&mut socket, "\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}
