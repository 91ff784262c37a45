//! OAuth 2 on the server edition, end to end: the real `flow-server` binary, a real OAuth 2
//! provider on loopback (`flow_tests::oauth_provider`), and the browser's part played by reqwest
//! without redirect following, so each hop is checked: start → provider's authorization
//! endpoint → the server's public `/oauth/callback` → the settings page.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use flow_tests::oauth_provider::{ClientAuthUsed, OAuthProvider, ProviderOptions};
use flow_tests::server::{ServerOptions, ServerProcess};
use serde_json::{Value, json};

const TOKEN: &str = "oauth-e2e-token-0123456789";

fn server() -> ServerProcess {
    ServerProcess::start(ServerOptions {
        token: Some(TOKEN.into()),
        env: vec![("FLOW_SECRET_STORE".into(), "file".into())],
        ..Default::default()
    })
}

/// A browser that does not follow redirects, so every hop is visible.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn save_connection(server: &ServerProcess, provider: &OAuthProvider) -> Value {
    let (status, saved) = server
        .invoke(
            "connection_save",
            json!({"input": {
                "name": "Loopback IdP",
                "service": "http",
                "auth": "oauth2",
                "config": {
                    "baseUrl": provider.url,
                    "clientId": provider.client_id(),
                    "authorizeUrl": provider.authorize_url(),
                    "tokenUrl": provider.token_url(),
                    "scopes": ["read", "write"],
                },
                "secret": provider.client_secret(),
            }}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["status"], "notConnected", "{saved}");
    saved
}

async fn start(server: &ServerProcess, id: &str) -> Value {
    let (status, started) = server
        .invoke("oauth_start", json!({"id": id, "redirectBase": server.url}))
        .await;
    assert_eq!(status, 200, "{started}");
    started
}

/// Follows the provider's authorization redirect; the URL it sends the browser back to.
async fn consent(authorize_url: &str) -> String {
    let response = browser().get(authorize_url).send().await.unwrap();
    assert_eq!(response.status(), 303, "the provider redirects back");
    location(&response)
}

async fn connection(server: &ServerProcess, id: &str) -> Value {
    let (status, list) = server.invoke("connections_list", json!({})).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_browser_connects_an_account_through_the_server_callback() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let server = server();
    let saved = save_connection(&server, &provider).await;
    let id = saved["id"].as_str().unwrap().to_owned();

    let started = start(&server, &id).await;
    let redirect_uri = format!("{}/oauth/callback", server.url);
    assert_eq!(started["redirectUri"], redirect_uri);
    let state = started["state"].as_str().unwrap().to_owned();
    assert!(
        state.len() >= 22,
        "state carries at least 128 bits: {state}"
    );

    let back = consent(started["authorizeUrl"].as_str().unwrap()).await;
    let asked = &provider.authorize_requests()[0];
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["scope"], "read write");
    assert_eq!(asked["redirect_uri"], redirect_uri);
    assert_eq!(asked["state"], state);
    assert!(back.starts_with(&redirect_uri), "{back}");
    assert_eq!(query_of(&back)["state"], state);

    // The callback is public: no bearer token, no cookie.
    let callback = browser().get(&back).send().await.unwrap();
    assert_eq!(callback.status(), 303);
    assert_eq!(
        location(&callback),
        format!("/settings/connections?connected={id}")
    );
    assert_eq!(callback.headers()["referrer-policy"], "no-referrer");
    assert_eq!(provider.code_exchanges(), 1);
    assert_eq!(provider.client_auth(), [ClientAuthUsed::Post]);

    let connected = connection(&server, &id).await;
    assert_eq!(connected["status"], "ready", "{connected}");
    assert_eq!(connected["oauth"]["refreshable"], true, "{connected}");
    assert_eq!(connected["oauth"]["scopes"], json!(["read", "write"]));
    assert!(connected["oauth"]["expiresAt"].is_string(), "{connected}");

    // The same redirect again (a reload, a replay) is refused and changes nothing.
    let replay = browser().get(&back).send().await.unwrap();
    assert_eq!(replay.status(), 303);
    let refused = query_of(&format!("http://x{}", location(&replay)));
    assert!(
        refused["oauthError"].contains("start connecting again"),
        "{refused:?}"
    );
    assert_eq!(
        provider.code_exchanges(),
        1,
        "a replayed state exchanges nothing"
    );
    assert_eq!(connection(&server, &id).await["oauth"], connected["oauth"]);

    // No token in any response, file or log line.
    let mut secrets = provider.issued_tokens();
    secrets.push(provider.client_secret().unwrap().to_owned());
    assert_eq!(
        secrets.len(),
        3,
        "one access token, one refresh token, the client secret"
    );
    let (_, listed) = server.invoke("connections_list", json!({})).await;
    let (_, info) = server.invoke("app_info", json!({})).await;
    for text in [listed.to_string(), info.to_string(), server.stderr()] {
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{secret} leaked");
        }
    }
    assert_eq!(
        flow_tests::secret_grep::files_containing(&server.studio_dir(), &secrets),
        Vec::<String>::new()
    );

    // Disconnecting drops the tokens; the client secret stays for the next connect.
    let (status, disconnected) = server
        .invoke("connection_disconnect", json!({"id": id}))
        .await;
    assert_eq!(status, 200, "{disconnected}");
    assert_eq!(disconnected["status"], "notConnected");
    assert!(disconnected.get("oauth").is_none(), "{disconnected}");
    assert_eq!(disconnected["hasSecret"], true);
}

#[tokio::test]
async fn wrong_reused_refused_and_oversized_callbacks_store_nothing() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let server = server();
    let id = save_connection(&server, &provider).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let callback = |query: String| {
        let url = format!("{}/oauth/callback?{query}", server.url);
        async move {
            let response = browser().get(url).send().await.unwrap();
            assert_eq!(response.status(), 303);
            let to = location(&response);
            assert!(to.starts_with("/settings/connections?oauthError="), "{to}");
            query_of(&format!("http://x{to}"))["oauthError"].clone()
        }
    };

    // A state this server never issued, with a code the provider did issue.
    let started = start(&server, &id).await;
    let back = consent(started["authorizeUrl"].as_str().unwrap()).await;
    let code = query_of(&back)["code"].clone();
    let forged = callback(format!("state=forged-state&code={code}")).await;
    assert!(forged.contains("unknown"), "{forged}");
    assert!(callback(String::new()).await.contains("unknown"));

    // The person said no at the provider.
    provider.deny_next();
    let denied_start = start(&server, &id).await;
    let denied_back = consent(denied_start["authorizeUrl"].as_str().unwrap()).await;
    assert_eq!(query_of(&denied_back)["error"], "access_denied");
    let denied = browser().get(&denied_back).send().await.unwrap();
    let message = query_of(&format!("http://x{}", location(&denied)))["oauthError"].clone();
    assert!(message.contains("did not grant access"), "{message}");
    assert!(message.contains("access_denied"), "{message}");
    // That state is used up too.
    let again = callback(format!(
        "state={}&code={code}",
        denied_start["state"].as_str().unwrap()
    ))
    .await;
    assert!(again.contains("unknown"), "{again}");

    // An oversized query is refused before anything is looked up.
    let huge = callback(format!(
        "state={}&code={}",
        "s".repeat(20),
        "c".repeat(9000)
    ))
    .await;
    assert!(huge.contains("longer than"), "{huge}");

    assert_eq!(provider.code_exchanges(), 0);
    let after = connection(&server, &id).await;
    assert_eq!(after["status"], "notConnected", "{after}");
    assert!(after.get("oauth").is_none(), "{after}");

    // The first grant still completes: refusals of other states did not touch it.
    let ok = browser().get(&back).send().await.unwrap();
    assert_eq!(
        location(&ok),
        format!("/settings/connections?connected={id}")
    );
    assert_eq!(connection(&server, &id).await["status"], "ready");
}

#[tokio::test]
async fn commands_refuse_bad_starts_and_unknown_states_over_the_bridge() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let server = server();
    let id = save_connection(&server, &provider).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for base in [
        "https://flow.example.com/app",
        "ftp://flow.example.com",
        "https://a@flow.example.com",
    ] {
        let (status, err) = server
            .invoke("oauth_start", json!({"id": id, "redirectBase": base}))
            .await;
        assert_eq!(status, 400, "{base}: {err}");
        assert_eq!(err["kind"], "InvalidInput");
        assert!(
            err["error"].as_str().unwrap().contains("redirectBase"),
            "{err}"
        );
    }
    let (status, err) = server
        .invoke(
            "oauth_start",
            json!({"id": "nope", "redirectBase": server.url}),
        )
        .await;
    assert_eq!(status, 404, "{err}");
    let (status, err) = server
        .invoke(
            "oauth_complete",
            json!({"state": "made-up", "code": "x", "error": null}),
        )
        .await;
    assert_eq!(status, 401, "{err}");
    assert_eq!(err["kind"], "Unauthorized");

    // A bearer connection has nothing to start.
    let (_, bearer) = server
        .invoke(
            "connection_save",
            json!({"input": {"name": "Plain", "service": "http", "auth": "bearer", "secret": "t0ken-value"}}),
        )
        .await;
    let (status, err) = server
        .invoke(
            "oauth_start",
            json!({"id": bearer["id"], "redirectBase": server.url}),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("does not use OAuth 2"),
        "{err}"
    );
}
