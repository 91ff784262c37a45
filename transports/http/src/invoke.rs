//! The invoke bridge: the core's command table expanded into one dispatch function.

use axum::Json;
use axum::extract::{Path, State};
use flow_core::{App, AppError};
use serde::Deserialize;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::json_body::JsonBody;
use crate::router::HttpState;

macro_rules! http_dispatch {
    ($( $(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// Runs one command with its JSON arguments (camelCase keys, as over Tauri IPC).
        pub(crate) async fn dispatch(app: &App, command: &str, args: Value) -> Result<Value, AppError> {
            use flow_core::commands::signature::*;
            match command {
                $(
                    stringify!($name) => {
                        #[derive(Deserialize)]
                        #[serde(rename_all = "camelCase", deny_unknown_fields)]
                        struct Args { $($arg: $ty),* }
                        let Args { $($arg),* } = decode_args(command, args)?;
                        encode(flow_core::commands::$name(app, $($arg),*).await?)
                    }
                )*
                _ => Err(AppError::NotFound(format!("unknown command `{command}`"))),
            }
        }
    };
}
flow_core::for_each_command!(http_dispatch);

fn decode_args<T: serde::de::DeserializeOwned>(command: &str, args: Value) -> Result<T, AppError> {
    let args = if args.is_null() {
        Value::Object(Default::default())
    } else {
        args
    };
    serde_json::from_value(args)
        .map_err(|e| AppError::InvalidInput(format!("invalid arguments for `{command}`: {e}")))
}

fn encode<T: serde::Serialize>(value: T) -> Result<Value, AppError> {
    serde_json::to_value(value)
        .map_err(|e| AppError::Internal(format!("could not encode the result: {e}")))
}

/// `POST /api/invoke/{cmd}` with the arguments object as the body.
pub(crate) async fn invoke_path(
    State(state): State<HttpState>,
    Path(command): Path<String>,
    JsonBody(args): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(dispatch(&state.app, &command, args).await?))
}

/// Body of `POST /api/invoke`: `{"cmd"|"command": name, "args": {...}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InvokeRequest {
    #[serde(alias = "command")]
    cmd: String,
    #[serde(default)]
    args: Value,
}

/// `POST /api/invoke` with the command named in the body.
pub(crate) async fn invoke_body(
    State(state): State<HttpState>,
    JsonBody(request): JsonBody<InvokeRequest>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        dispatch(&state.app, &request.cmd, request.args).await?,
    ))
}
