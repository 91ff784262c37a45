//! OAuth 2 in the core against a real loopback provider: refresh before expiry shared by
//! concurrent callers, a revoked refresh token turning the connection `needsReconnect`, the
//! desktop's loopback listener, and endpoints taken from a service descriptor with HTTP Basic
//! client authentication. The core is opened on a temporary directory with the encrypted file
//! store.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step must fail the test"
)]

use std::time::Duration;

use flow_core::credentials::oauth::{access_token, start};
use flow_core::credentials::{
    AuthKind, ConnectionConfig, ConnectionInput, ConnectionStatus, SecretStoreChoice,
};
use flow_core::{App, AppConfig, AppError, BusItem, Edition, FlowEvent, commands};
use flow_tests::oauth_provider::{ClientAuthUsed, OAuthProvider, ProviderOptions};

fn open_app(dir: &tempfile::TempDir) -> App {
    let mut config = AppConfig::new(dir.path().join("studio"), Edition::Server, dir.path());
    config.secret_store = SecretStoreChoice::File;
    App::open(config.with_model_runtime(flow_llama::runtime())).unwrap()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn param(url: &str, key: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn save(app: &App, provider: &OAuthProvider, with_urls: bool, service: &str) -> String {
    let config = ConnectionConfig {
        client_id: Some(provider.client_id().to_owned()),
        authorize_url: with_urls.then(|| provider.authorize_url()),
        token_url: with_urls.then(|| provider.token_url()),
        ..Default::default()
    };
    commands::connection_save(
        app,
        ConnectionInput {
            id: None,
            name: "Loopback IdP".into(),
            service: service.into(),
            auth: AuthKind::Oauth2,
            config,
            secret: provider.client_secret().map(str::to_owned),
        },
    )
    .await
    .unwrap()
    .id
}

/// Starts a grant with a server redirect base, consents at the provider, and completes it.
async fn connect(app: &App, id: &str) {
    let started = start(app, id, Some("http://127.0.0.1:9".into()))
        .await
        .unwrap();
    let response = browser().get(&started.authorize_url).send().await.unwrap();
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    let connected = commands::oauth_complete(app, started.state, param(&back, "code"), None)
        .await
        .unwrap();
    assert_eq!(connected.status, ConnectionStatus::Ready);
}

/// The `connections-changed` events published so far for `id`, in order.
async fn changes(app: &App, id: &str) -> Vec<String> {
    let mut subscription = app.bus().subscribe(Some(0));
    let mut out = Vec::new();
    while let Ok(Some(item)) =
        tokio::time::timeout(Duration::from_millis(200), subscription.next()).await
    {
        if let BusItem::Event(envelope) = item
            && let FlowEvent::ConnectionsChanged { id: of, change } = &envelope.event
            && of == id
        {
            out.push(change.clone());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expiring_token_is_refreshed_once_for_concurrent_callers() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir);
    let id = save(&app, &provider, true, "http").await;
    connect(&app, &id).await;

    // The code exchange issued a 2-second token: within the refresh margin at once, and
    // refused by the provider once it has run out.
    let first = provider.issued_tokens();
    let old_access = first
        .iter()
        .find(|t| t.starts_with("provider-access"))
        .unwrap()
        .clone();
    assert_eq!(provider.me_status(&old_access).await, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(provider.me_status(&old_access).await, 401);

    let callers = (0..5).map(|_| {
        let app = app.clone();
        let id = id.clone();
        tokio::spawn(async move { access_token(&app, &id, false).await })
    });
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap().unwrap());
    }
    assert_eq!(provider.refreshes(), 1, "five callers, one refresh");
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], old_access);
    assert_eq!(provider.me_status(&tokens[0]).await, 200);

    // A 401 from the service right after the refresh shares it rather than refreshing again.
    assert_eq!(access_token(&app, &id, true).await.unwrap(), tokens[0]);
    assert_eq!(provider.refreshes(), 1);

    let connection = app.credentials().get(&id).await.unwrap();
    let info = connection.oauth.unwrap();
    assert!(info.refreshable, "the rotated refresh token was stored");
    assert_eq!(connection.status, ConnectionStatus::Ready);
    assert_eq!(
        changes(&app, &id).await,
        ["saved", "connected", "refreshed"]
    );
    // What clients see never holds a token.
    let listed = serde_json::to_string(&commands::connections_list(&app).await.unwrap()).unwrap();
    for token in provider.issued_tokens() {
        assert!(
            !listed.contains(&token),
            "{token} leaked into connections_list"
        );
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_asks_for_a_reconnect() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir);
    let id = save(&app, &provider, true, "http").await;
    connect(&app, &id).await;
    provider.revoke_refresh_tokens();

    let err = access_token(&app, &id, false).await.unwrap_err();
    assert!(matches!(err, AppError::Unauthorized(_)), "{err:?}");
    assert!(
        err.message()
            .contains("reconnect it in Settings → Connections"),
        "{err}"
    );
    assert_eq!(provider.refreshes(), 0);
    let connection = app.credentials().get(&id).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::NeedsReconnect);
    assert_eq!(
        changes(&app, &id).await,
        ["saved", "connected", "needs-reconnect"]
    );
    // Later callers are refused without asking the provider again.
    let again = access_token(&app, &id, false).await.unwrap_err();
    assert!(matches!(again, AppError::Unauthorized(_)), "{again:?}");

    // Connecting again makes it ready.
    connect(&app, &id).await;
    assert_eq!(
        app.credentials().get(&id).await.unwrap().status,
        ConnectionStatus::Ready
    );
}

#[tokio::test]
async fn an_expired_token_without_a_refresh_token_asks_for_a_reconnect() {
    let provider = OAuthProvider::start(ProviderOptions {
        issue_refresh_tokens: false,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir);
    let id = save(&app, &provider, true, "http").await;
    connect(&app, &id).await;
    assert!(
        !app.credentials()
            .get(&id)
            .await
            .unwrap()
            .oauth
            .unwrap()
            .refreshable
    );
    let err = access_token(&app, &id, false).await.unwrap_err();
    assert!(err.message().contains("no refresh token"), "{err}");
    assert_eq!(
        app.credentials().get(&id).await.unwrap().status,
        ConnectionStatus::NeedsReconnect
    );
}

#[tokio::test]
async fn the_desktop_loopback_listener_completes_the_grant_itself() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    // The server edition opens no browser, so the test plays it.
    let app = open_app(&dir);
    let id = save(&app, &provider, true, "http").await;
    let started = start(&app, &id, None).await.unwrap();
    let redirect = reqwest::Url::parse(&started.redirect_uri).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    assert_eq!(redirect.path(), "/oauth/callback");
    assert_ne!(redirect.port(), None);

    let consent = browser().get(&started.authorize_url).send().await.unwrap();
    let back = consent.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&started.redirect_uri), "{back}");

    // Other requests to the listener are answered and do not end it.
    let stray = browser()
        .get(format!(
            "http://127.0.0.1:{}/favicon.ico",
            redirect.port().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stray.status(), 404);
    let wrong = browser()
        .get(format!(
            "{}?state=not-this-one&code=x",
            started.redirect_uri
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);

    let page = browser().get(&back).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("You can close this tab")
    );
    let connection = app.credentials().get(&id).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Ready);
    assert_eq!(provider.code_exchanges(), 1);

    // One callback, then the listener is gone.
    let mut closed = false;
    for _ in 0..50 {
        if browser().get(&back).send().await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        closed,
        "the loopback listener still answers after its callback"
    );
}

#[tokio::test]
async fn endpoints_and_basic_client_auth_come_from_the_service_descriptor() {
    let provider = OAuthProvider::start(ProviderOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir);
    let entry = serde_json::json!({
        "slug": "service-loopback-idp",
        "name": "Loopback IdP",
        "description": "A test service whose descriptor names its OAuth 2 endpoints.",
        "category": "Services",
        "version": "1.0.0",
        "nodeType": "service",
        "identity": {"service": "loopback-idp"},
        "schema": {"type": "object", "properties": {
            "operation": {"type": "string", "enum": ["me"]},
            "connection": {"type": "string", "format": "connection"},
        }},
        "defaults": {},
        "serviceIntegration": {
            "service": "loopback-idp",
            "name": "Loopback IdP",
            "baseUrl": provider.url,
            "auth": {"kinds": ["oauth2"], "oauth2": {
                "authorizeUrl": provider.authorize_url(),
                "tokenUrl": provider.token_url(),
                "scopes": ["profile", "email"],
                "clientAuth": "basic",
            }},
            "operations": [{"id": "me", "name": "Me", "method": "GET", "path": "/api/me"}],
        },
    });
    std::fs::write(
        app.nodes().nodes_dir().join("service-loopback-idp.json"),
        serde_json::to_vec_pretty(&entry).unwrap(),
    )
    .unwrap();
    let id = save(&app, &provider, false, "loopback-idp").await;
    connect(&app, &id).await;
    assert_eq!(provider.authorize_requests()[0]["scope"], "profile email");
    assert_eq!(provider.client_auth(), [ClientAuthUsed::Basic]);
    let info = app.credentials().get(&id).await.unwrap().oauth.unwrap();
    assert_eq!(info.scopes, ["profile", "email"]);

    // Without a descriptor or URLs in the config, starting says what is missing.
    let bare = save(&app, &provider, false, "no-such-service").await;
    let err = start(&app, &bare, Some("http://127.0.0.1:9".into()))
        .await
        .unwrap_err();
    assert!(err.message().contains("authorizeUrl"), "{err}");
}
