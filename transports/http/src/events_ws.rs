//! `GET /api/ws`: events out, `{id, cmd, args}` invocations in with `{id, ok|err}` replies.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use flow_core::board::agent_status::AgentStatusReport;
use flow_core::{AppError, BusItem, FlowEvent, commands};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api_error::ApiError;
use crate::invoke::dispatch;
use crate::router::HttpState;

/// Pings without an answer before the connection is considered dead.
const MAX_MISSED_PONGS: u32 = 2;
/// Bytes read from a socket at a time.
const WS_READ_BUFFER: usize = 4 * 1024;
/// Bytes gathered before a write (a message is flushed on its own anyway).
const WS_WRITE_BUFFER: usize = 4 * 1024;

/// Upgrades to a WebSocket session.
pub(crate) async fn upgrade(
    State(state): State<HttpState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin_or_bearer(&headers) {
        return ApiError(AppError::Unauthorized(
            "cross-origin WebSocket refused".into(),
        ))
        .into_response();
    }
    let limit = state.options.body_limit;
    // tungstenite's defaults give every socket a 128 KiB read buffer, which is most of an idle
    // client's memory; messages here are small JSON, and a larger one just takes more reads.
    ws.max_message_size(limit)
        .read_buffer_size(WS_READ_BUFFER)
        .write_buffer_size(WS_WRITE_BUFFER)
        .on_upgrade(move |socket| session(socket, state))
}

/// Browsers attach the session cookie to WebSocket handshakes from any page, so a handshake
/// from another origin is refused unless it carries the bearer token itself (which a hostile
/// page cannot know).
fn same_origin_or_bearer(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| host.eq_ignore_ascii_case(origin_host))
}

#[derive(Deserialize)]
struct Invocation {
    id: Value,
    #[serde(alias = "command")]
    cmd: String,
    #[serde(default)]
    args: Value,
}

fn text(value: &impl serde::Serialize) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(value).unwrap_or_else(|_| String::from("{}")),
    ))
}

/// An event as a text message sharing the bus's bytes: no copy per client.
fn shared_text(envelope: &flow_core::Envelope) -> Message {
    match Utf8Bytes::try_from(envelope.json_bytes()) {
        Ok(json) => Message::Text(json),
        // The bytes are a `String`'s, so always UTF-8; copying is the safe answer regardless.
        Err(_) => Message::Text(Utf8Bytes::from(envelope.json.as_str())),
    }
}

async fn session(socket: WebSocket, state: HttpState) {
    let (mut sink, mut incoming) = socket.split();
    let mut subscription = state.app.bus().subscribe(None);
    // Replies are produced by spawned invocations, so a slow command never holds up events.
    let (replies, mut reply_rx) = mpsc::channel::<Message>(64);
    let mut ping = tokio::time::interval(state.options.keep_alive.max(Duration::from_millis(100)));
    ping.tick().await;
    let mut missed_pongs = 0u32;
    let shutdown = state.options.shutdown.clone();

    if sink.send(text(&FlowEvent::Connected)).await.is_err() {
        return;
    }
    loop {
        let outgoing = tokio::select! {
            item = subscription.next() => match item {
                Some(BusItem::Event(envelope)) => shared_text(&envelope),
                Some(BusItem::Resync) => text(&FlowEvent::Resync),
                None => break,
            },
            Some(reply) = reply_rx.recv() => reply,
            message = incoming.next() => match message {
                Some(Ok(Message::Text(body))) => match handle_text(&state, body.as_str(), &replies).await {
                    Some(reply) => reply,
                    None => continue,
                },
                Some(Ok(Message::Pong(_))) => { missed_pongs = 0; continue }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => continue,
            },
            _ = ping.tick() => {
                if missed_pongs >= MAX_MISSED_PONGS {
                    tracing::debug!("websocket peer stopped answering pings");
                    break;
                }
                missed_pongs += 1;
                Message::Ping(Default::default())
            }
            () = shutdown.cancelled() => {
                if sink.send(Message::Close(None)).await.is_err() {
                    tracing::trace!("websocket closed before the close frame");
                }
                break;
            }
        };
        if sink.send(outgoing).await.is_err() {
            break;
        }
    }
}

/// An agent's `{"type":"agent-status", …}` report, read as the core's command takes it.
fn agent_status(message: &Value) -> Option<AgentStatusReport> {
    if message.get("type").and_then(Value::as_str) != Some("agent-status") {
        return None;
    }
    // Every field is read leniently, so any object decodes.
    serde_json::from_value(message.clone()).ok()
}

/// Answers a text frame at once (pings, bad frames), publishes an agent's status report (in the
/// order received), or spawns the invocation it asks for.
async fn handle_text(
    state: &HttpState,
    body: &str,
    replies: &mpsc::Sender<Message>,
) -> Option<Message> {
    let value: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(e) => {
            let err = AppError::InvalidInput(format!("malformed JSON message: {e}"));
            return Some(text(&json!({"id": null, "err": err})));
        }
    };
    if let Some(report) = agent_status(&value) {
        if let Err(err) = commands::board_agent_status(&state.app, report).await {
            tracing::debug!(%err, "agent status not published");
        }
        return None;
    }
    if value.get("type").and_then(Value::as_str) == Some("ping") {
        return Some(text(&json!({"type": "pong"})));
    }
    let invocation: Invocation = match serde_json::from_value(value.clone()) {
        Ok(invocation) => invocation,
        Err(e) => {
            let err = AppError::InvalidInput(format!("expected {{id, cmd, args}}: {e}"));
            return Some(text(&json!({"id": value.get("id").cloned(), "err": err})));
        }
    };
    let app = state.app.clone();
    let replies = replies.clone();
    tokio::spawn(async move {
        let reply = match dispatch(&app, &invocation.cmd, invocation.args).await {
            Ok(ok) => json!({"id": invocation.id, "ok": ok}),
            Err(err) => json!({"id": invocation.id, "err": err}),
        };
        if replies.send(text(&reply)).await.is_err() {
            tracing::debug!("websocket closed before a reply was sent");
        }
    });
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::agent_status;

    #[test]
    fn only_agent_status_messages_are_reports() {
        let report = agent_status(&json!({"type": "agent-status", "agent": "codex"}));
        assert_eq!(report.and_then(|r| r.agent).as_deref(), Some("codex"));
        assert!(agent_status(&json!({"type": "ping"})).is_none());
        assert!(agent_status(&json!({"id": 1, "cmd": "app_info"})).is_none());
    }
}
