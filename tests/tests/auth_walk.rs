//! The auth walk: every route the server's own table lists (`flow_http::route_table`, built by
//! the same function `serve` routes with) is tried over loopback with every way of getting the
//! token wrong, and each must answer 401 with an `Unauthorized` error. The methods of a route
//! are read from the server itself (a 405's `Allow` header). `/health`, the OAuth callback,
//! signing out and the static UI stay public.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use base64::Engine;
use flow_tests::in_process;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

const TOKEN: &str = "walk-token-0123456789abcdef";

fn headers(pairs: &[(&str, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn swap_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_routed_path_refuses_every_wrong_credential_and_only_the_public_ones_are_open() {
    let server = in_process::start(TOKEN).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // The table is the server's own: every family of routes is in it.
    let paths: Vec<&str> = server.table.iter().map(|r| r.path.as_str()).collect();
    for expected in [
        "/api/invoke",
        "/api/invoke/{cmd}",
        "/api/events",
        "/api/ws",
        "/api/session",
        "/api/sessions/{session_id}",
        "/api/runs/{id}/events",
        "/v1/models",
        "/v1/chat/completions",
        "/health",
        flow_core::credentials::oauth::CALLBACK_PATH,
    ] {
        assert!(paths.contains(&expected), "{expected} not in {paths:?}");
    }
    assert!(
        paths.iter().any(|p| p.starts_with("/api/models")),
        "{paths:?}"
    );

    // A real session cookie, as a browser gets it.
    let opened = client
        .post(format!("{}/api/session", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 204);
    let cookie = opened
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let host = server.url.trim_start_matches("http://").to_owned();

    let wrong_same_length = "x".repeat(TOKEN.len());
    let truncated = &TOKEN[..TOKEN.len() - 1];
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("flow:{TOKEN}"));
    let attempts: Vec<(&str, HeaderMap, &str)> = vec![
        ("no credential", HeaderMap::new(), ""),
        (
            "a wrong token",
            headers(&[("authorization", format!("Bearer {wrong_same_length}"))]),
            "",
        ),
        (
            "a truncated token",
            headers(&[("authorization", format!("Bearer {truncated}"))]),
            "",
        ),
        (
            "a differently-cased token",
            headers(&[("authorization", format!("Bearer {}", swap_case(TOKEN)))]),
            "",
        ),
        (
            "the token as basic auth",
            headers(&[("authorization", format!("Basic {basic}"))]),
            "",
        ),
        (
            "the token without its scheme",
            headers(&[("authorization", TOKEN.to_owned())]),
            "",
        ),
        (
            "a forged session cookie",
            headers(&[("cookie", "flow_session=forged".to_owned())]),
            "",
        ),
        (
            "the session cookie from another origin",
            headers(&[
                ("cookie", cookie.clone()),
                ("origin", "http://127.0.0.1:1".to_owned()),
            ]),
            "",
        ),
        (
            "the session cookie from a same-site page",
            headers(&[
                ("cookie", cookie.clone()),
                ("sec-fetch-site", "same-site".to_owned()),
            ]),
            "",
        ),
        ("the token in the query string", HeaderMap::new(), "token"),
        (
            "the token as access_token",
            HeaderMap::new(),
            "access_token",
        ),
    ];

    let mut tried = 0;
    for route in &server.table {
        let path = in_process::concrete(&route.path, |param| {
            if param == "cmd" { "settings_get" } else { "x1" }.to_owned()
        });
        let url = format!("{}{path}", server.url);
        for method in in_process::methods(&client, &url, TOKEN).await {
            // The same request with the right token gets past the gate (so 401 below is the
            // gate's answer, not the route's).
            let right = client
                .request(method.clone(), &url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            assert_ne!(
                right.status(),
                401,
                "{method} {} with the token",
                route.path
            );
            let public = !route.gated || (method == Method::DELETE && route.path == "/api/session");
            for (what, extra, query) in &attempts {
                let mut request = client.request(method.clone(), &url).headers(extra.clone());
                if !query.is_empty() {
                    request = request.query(&[(*query, TOKEN)]);
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                tried += 1;
                if public {
                    assert_ne!(status, 401, "{method} {} is public ({what})", route.path);
                    continue;
                }
                assert_eq!(status, 401, "{method} {} let {what} through", route.path);
                let body: Value = response.json().await.unwrap();
                assert_eq!(
                    body["kind"], "Unauthorized",
                    "{method} {}: {body}",
                    route.path
                );
            }
        }
    }
    eprintln!(
        "auth walk: {} routed paths, {tried} requests with a wrong credential",
        server.table.len()
    );
    assert!(tried > 400, "only {tried} attempts");

    // The cookie from the server's own page works (so the origin rule is not refusing everyone).
    let own = client
        .get(format!("{}/api/invoke/settings_get", server.url))
        .headers(headers(&[
            ("cookie", cookie.clone()),
            ("origin", server.url.clone()),
            ("sec-fetch-site", "same-origin".to_owned()),
        ]))
        .send()
        .await
        .unwrap();
    assert_ne!(own.status(), 401);

    // A WebSocket handshake from another origin with the cookie is refused before the upgrade.
    let mut handshake =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{host}/api/ws"
        ))
        .unwrap();
    handshake
        .headers_mut()
        .insert("cookie", HeaderValue::from_str(&cookie).unwrap());
    handshake
        .headers_mut()
        .insert("origin", HeaderValue::from_static("http://evil.example"));
    match tokio_tungstenite::connect_async(handshake).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401);
        }
        other => panic!("a cross-origin WebSocket got {other:?}"),
    }

    // Static files stay public.
    for path in ["/", "/assets/app.js", "/flows/some-flow"] {
        let response = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
