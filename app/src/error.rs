//! The one error shape every merchant-API response and every server function shares:
//! a machine code, a human message, and the field it concerns when there is one.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::fmt;

/// What went wrong, in words a caller can act on. Internal details are logged, never put here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppError {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`, `unauthorized`, `conflict`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The input field the error concerns, as a path such as `products[3].price_minor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        }
    }

    /// A bad value in one input field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: "invalid".to_owned(),
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn not_found(field: Option<String>, message: impl Into<String>) -> Self {
        Self {
            code: "not_found".to_owned(),
            message: message.into(),
            field,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new("unauthorized", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new("conflict", message)
    }

    pub fn internal() -> Self {
        Self::new(
            "internal",
            "Something went wrong on our side; please try again.",
        )
    }

    /// Prefixes the field path, so that an error found in one item of a batch names the item.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = Some(match self.field {
            Some(field) => format!("{prefix}.{field}"),
            None => prefix.to_owned(),
        });
        self
    }

    /// The caller is not signed in, or their sign-in ran out: a page shows its sign-in form instead.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code.as_str(), "unauthorized" | "token_expired")
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self.code.as_str() {
            "invalid" => 422,
            "malformed" | "bad_request" => 400,
            "unauthorized" | "token_expired" => 401,
            "forbidden" => 403,
            "not_found" => 404,
            "conflict" => 409,
            "too_large" => 413,
            "unsupported_media_type" => 415,
            "disabled" => 404,
            _ => 500,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                "network",
                "Could not reach the store; check your connection and try again.",
            ),
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                Self::new(
                    "bad_request",
                    format!("The request was not understood: {detail}"),
                )
            }
            other => Self::new("internal", other.to_string()),
        }
    }
}

/// Sets the HTTP status of the server-function response to the one the error maps to.
#[cfg(feature = "ssr")]
pub fn respond_with(error: AppError) -> AppError {
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(
            http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    error
}

/// A store failure as a server-function error, with its HTTP status.
#[cfg(feature = "ssr")]
pub fn store_error(error: crate::store::StoreError) -> AppError {
    respond_with(error.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_name_the_batch_item() {
        let error = AppError::invalid("price_minor", "must not be negative").within("products[3]");
        assert_eq!(error.field.as_deref(), Some("products[3].price_minor"));
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn the_json_shape_omits_an_absent_field() {
        let json = serde_json::to_string(&AppError::unauthorized("missing API key")).unwrap();
        assert_eq!(
            json,
            r#"{"code":"unauthorized","message":"missing API key"}"#
        );
    }
}
