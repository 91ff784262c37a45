//! `connection_test`: one request with a connection's credentials, to show whether the service
//! accepts them. It runs the descriptor's `testOperation` (the generic HTTP service: a GET of
//! the connection's base URL; OpenAI: `GET /models`), once, with no retries.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::{Failure, Limits, auth, exchange, judge, request};
use crate::credentials::ConnectionTest;
use crate::engine::AdapterError;
use crate::engine::adapters::ai::openai;
use crate::flows::validate::egress::{SERVICES_OFF, cloud_refusal};
use crate::services::{Fields, Headers, Method, Operation, ResponseSpec, ServiceIntegration};
use crate::{App, AppError};

/// A test request's bounds: it should answer fast, and only its status matters.
const LIMITS: Limits = Limits {
    timeout: Duration::from_secs(15),
    retries: 0,
    max_bytes: 1024 * 1024,
};

/// `GET <url>`: the test of a service without a `testOperation`.
fn get_url() -> Operation {
    Operation {
        id: "test".into(),
        name: "Test".into(),
        method: Method::Get,
        path: "raw".into(),
        query: Fields::None,
        body: Fields::None,
        headers: Headers::default(),
        input: json!({"type": "object", "properties": {"url": {"type": "string"}}}),
        response: ResponseSpec::default(),
    }
}

fn failed(message: String, status: Option<u32>, started: Instant) -> ConnectionTest {
    ConnectionTest {
        ok: false,
        status,
        message,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// Tests connection `id`. Refused (an error) while the switch its service needs is off.
pub async fn test_connection(app: &App, id: &str) -> Result<ConnectionTest, AppError> {
    let connection = app.credentials().get(id).await?;
    let settings = app.settings().get().await;
    let integration: ServiceIntegration = if connection.service == openai::PROVIDER {
        if let Some(why) = cloud_refusal(&settings, openai::PROVIDER) {
            return Err(AppError::Unavailable(why));
        }
        openai::integration()
    } else {
        if !settings.allow_services {
            return Err(AppError::Unavailable(SERVICES_OFF.into()));
        }
        let found = app.nodes().service_integration(&connection.service);
        (*found.ok_or_else(|| {
            AppError::NotFound(format!(
                "no installed node describes the `{}` service, so there is nothing to test connection `{id}` against",
                connection.service
            ))
        })?)
        .clone()
    };
    let started = Instant::now();
    let redactor = app.credentials().redactor().clone();
    let mask = |text: String| redactor.redact(&text).into_owned();
    let resolved = match auth::resolve(app, id, &integration).await {
        Ok(resolved) => resolved,
        Err(err) => return Ok(failed(mask(err.to_string()), None, started)),
    };
    let base = resolved
        .base_url
        .clone()
        .or_else(|| integration.base_url.clone());
    let fallback = get_url();
    let (op, inputs, base) = match integration
        .test_operation
        .as_deref()
        .and_then(|t| integration.operation(t))
    {
        Some(op) => (op, Map::new(), base),
        None => {
            let Some(url) = base else {
                return Ok(failed(
                    "this connection has no base URL to test; set one".into(),
                    None,
                    started,
                ));
            };
            let mut inputs = Map::new();
            inputs.insert("url".into(), Value::String(url));
            (&fallback, inputs, None)
        }
    };
    let prepared = match request::prepare(&integration, op, &inputs, base.as_deref()) {
        Ok(prepared) => prepared,
        Err(why) => return Ok(failed(mask(why), None, started)),
    };
    let mut auth = resolved.auth;
    let quiet = |_: crate::engine::LogStream, _: String| {};
    let outcome = exchange(
        app,
        &prepared,
        &mut auth,
        LIMITS,
        &CancellationToken::new(),
        &quiet,
    )
    .await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(match outcome {
        Ok((answer, attempts)) => {
            let status = Some(u32::from(answer.status));
            match judge(&answer, op, &prepared.url, attempts) {
                Ok(_) => {
                    let phrase = reqwest::StatusCode::from_u16(answer.status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or_default();
                    ConnectionTest {
                        ok: true,
                        status,
                        message: mask(format!(
                            "{} answered {} {phrase}",
                            super::host_of(&prepared.url),
                            answer.status
                        )),
                        duration_ms,
                    }
                }
                Err(AdapterError::Failed { reason, .. }) => failed(mask(reason), status, started),
                Err(other) => failed(mask(other.to_string()), status, started),
            }
        }
        Err(Failure::Transport { reason, partial }) => {
            let status = partial
                .as_ref()
                .and_then(|p| p["status"].as_u64())
                .and_then(|s| u32::try_from(s).ok());
            failed(mask(reason), status, started)
        }
        Err(Failure::Auth(err)) => failed(mask(err.to_string()), None, started),
        Err(Failure::Cancelled) => failed("cancelled".into(), None, started),
    })
}
