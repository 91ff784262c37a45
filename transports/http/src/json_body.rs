//! A JSON body extractor whose every rejection is an `AppError` body (never plain text).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use flow_core::AppError;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;

/// A request body parsed as JSON; an empty body reads as `{}`.
pub(crate) struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge("request body is larger than this server accepts".into())
            } else {
                AppError::InvalidInput(format!("could not read the request body: {rejection}"))
            }
        })?;
        parse(&bytes).map(JsonBody).map_err(ApiError)
    }
}

/// Parses a JSON document, naming the line and column of a syntax error.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            AppError::InvalidInput(format!("malformed JSON body: {e}"))
        } else {
            AppError::InvalidInput(format!("invalid request: {e}"))
        }
    })
}
