//! The desktop's redirect target: a one-shot HTTP listener on `127.0.0.1:0` that takes the
//! provider's redirect, completes the grant and closes. A minimal, bounded request-line parse
//! on tokio: it serves one route for one browser, so a web framework would be all weight.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::redirect::CALLBACK_PATH;
use crate::AppError;
use crate::app::WeakApp;

/// Largest request head read.
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// How long one connection may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How often an idle listener checks that its grant is still in flight (one dropped for the
/// bound on pending grants, or the app closed, ends the listener early).
const GRANT_CHECK: Duration = Duration::from_secs(15);

/// A bound listener, not yet serving.
pub(crate) struct Loopback {
    listener: TcpListener,
    /// `http://127.0.0.1:<port>/oauth/callback`.
    pub redirect_uri: String,
}

/// Binds a fresh port on the loopback interface.
pub(crate) async fn bind() -> Result<Loopback, AppError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| AppError::io("binding the OAuth 2 loopback listener", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| AppError::io("reading the OAuth 2 loopback listener's port", e))?
        .port();
    Ok(Loopback {
        listener,
        redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
    })
}

/// What one request asked for.
enum Outcome {
    /// The callback of this grant came and was handled: stop listening.
    Done,
    /// Something else (a favicon, another state): keep listening.
    Ignored,
}

impl Loopback {
    /// Serves until the callback carrying `state` arrives or `ttl` passes, in the background.
    pub fn serve(self, app: WeakApp, state: String, ttl: Duration) {
        let deadline = Instant::now() + ttl;
        let expected = Sha256::digest(state.as_bytes());
        tokio::spawn(async move {
            loop {
                let wake = deadline.min(Instant::now() + GRANT_CHECK);
                let accepted = tokio::time::timeout_at(wake, self.listener.accept()).await;
                let stream = match accepted {
                    Err(_) => {
                        let pending = app
                            .upgrade()
                            .is_some_and(|app| app.credentials().oauth_state().is_pending(&state));
                        if !pending || Instant::now() >= deadline {
                            tracing::debug!("OAuth 2 loopback listener closed unused");
                            return;
                        }
                        continue;
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(%err, "OAuth 2 loopback listener: accepting failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                    Ok(Ok((stream, _))) => stream,
                };
                match handle(stream, &app, &expected).await {
                    Ok(Outcome::Done) => return,
                    Ok(Outcome::Ignored) => {}
                    Err(err) => {
                        tracing::debug!(%err, "OAuth 2 loopback listener: a request failed")
                    }
                }
            }
        });
    }
}

/// The request target of a request head, once its first line is complete.
fn request_target(head: &[u8]) -> Option<Result<String, ()>> {
    let end = head.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&head[..end]).map_err(|_| ());
    Some(line.and_then(|line| {
        let mut parts = line.trim_end_matches('\r').split(' ');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("GET"), Some(target), Some(version)) if version.starts_with("HTTP/") => {
                Ok(target.to_owned())
            }
            _ => Err(()),
        }
    }))
}

async fn read_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    loop {
        if let Some(target) = request_target(&head) {
            return Ok(target.ok());
        }
        if head.len() >= MAX_HEAD_BYTES {
            return Ok(None);
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
}

async fn handle(mut stream: TcpStream, app: &WeakApp, expected: &[u8]) -> std::io::Result<Outcome> {
    let target = match tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream)).await {
        Ok(read) => read?,
        Err(_) => None,
    };
    let Some(target) = target else {
        respond(
            &mut stream,
            "400 Bad Request",
            "Bad request",
            "This address only takes the sign-in redirect.",
        )
        .await?;
        return Ok(Outcome::Ignored);
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path != CALLBACK_PATH {
        respond(
            &mut stream,
            "404 Not Found",
            "Not found",
            "This address only takes the sign-in redirect.",
        )
        .await?;
        return Ok(Outcome::Ignored);
    }
    let (mut state, mut code, mut error) = (String::new(), None, None);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "state" => state = value.into_owned(),
            "code" => code = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            _ => {}
        }
    }
    // Digests compared, so the time taken says nothing about the expected state.
    if Sha256::digest(state.as_bytes()).as_slice() != expected {
        respond(&mut stream, "400 Bad Request", "Not this sign-in", "This redirect does not belong to the sign-in in progress. Start connecting again in Flow.").await?;
        return Ok(Outcome::Ignored);
    }
    let Some(app) = app.upgrade() else {
        respond(
            &mut stream,
            "503 Service Unavailable",
            "Flow closed",
            "Flow was closed before the sign-in finished.",
        )
        .await?;
        return Ok(Outcome::Done);
    };
    match crate::commands::connections::oauth_complete(&app, state, code, error).await {
        Ok(connection) => {
            let text = format!(
                "Flow is connected to “{}”. You can close this tab.",
                connection.name
            );
            respond(&mut stream, "200 OK", "Connected", &text).await?;
        }
        Err(err) => {
            let text = format!(
                "Connecting failed: {} You can close this tab and try again in Flow.",
                err.message()
            );
            respond(&mut stream, "400 Bad Request", "Not connected", &text).await?;
        }
    }
    Ok(Outcome::Done)
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Flow: {title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;margin:3rem\"><h1>{title}</h1><p>{}</p></body></html>",
        escape_html(text)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_complete_get_request_lines_give_a_target() {
        assert!(request_target(b"GET /oauth/callback?state=x HTT").is_none());
        assert_eq!(
            request_target(b"GET /oauth/callback?state=x HTTP/1.1\r\nHost: a\r\n").unwrap(),
            Ok("/oauth/callback?state=x".to_owned())
        );
        assert_eq!(
            request_target(b"POST /oauth/callback HTTP/1.1\r\n").unwrap(),
            Err(())
        );
        assert_eq!(request_target(b"GET\r\n").unwrap(), Err(()));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
