//! The one error shape every merchant-API response and every server function shares:
//! a machine code, a human message, and the field it concerns when there is one.

use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::fmt;

/// What kind of thing went wrong: the machine code of every error, each with its one HTTP status.
///
/// The status is an exhaustive match, so a new code cannot be added without deciding its status.
///
/// ```
/// use app::kernel::error::ErrorCode;
/// assert_eq!(ErrorCode::RateLimited.status(), 429);
/// assert_eq!(ErrorCode::LimitReached.as_str(), "limit_reached");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A value breaks a rule (a field is named).
    Invalid,
    /// The body is not valid JSON.
    Malformed,
    /// The request could not be read or its arguments not parsed.
    BadRequest,
    /// No valid credentials were sent.
    Unauthorized,
    /// The shopper's token ran out.
    TokenExpired,
    /// The caller may not do this.
    Forbidden,
    NotFound,
    /// The feature is turned off on this store (answered as if it did not exist).
    Disabled,
    /// The request contradicts what is stored (a second review, a reused key).
    Conflict,
    /// A count limit is full (items in a wish list, wish lists of a shopper).
    LimitReached,
    /// Too many requests in a while; `retry_after_seconds` says when to try again.
    RateLimited,
    TooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    /// The browser could not reach the server; made in the browser, never sent by the server.
    Network,
    /// Anything else: ours to fix, logged on the server.
    #[serde(other)]
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::Malformed => 400,
            ErrorCode::Unauthorized | ErrorCode::TokenExpired => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound | ErrorCode::Disabled => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict | ErrorCode::LimitReached => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Invalid => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Network => 503,
        }
    }

    /// The code as it is written in the JSON error shape.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::Malformed => "malformed",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Disabled => "disabled",
            ErrorCode::Conflict => "conflict",
            ErrorCode::LimitReached => "limit_reached",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Network => "network",
            ErrorCode::Internal => "internal",
        }
    }

    /// Every code, for tests that check each one.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::Invalid,
        ErrorCode::Malformed,
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Disabled,
        ErrorCode::Conflict,
        ErrorCode::LimitReached,
        ErrorCode::RateLimited,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Network,
        ErrorCode::Internal,
    ];
}

/// What went wrong, in words a caller can act on. Internal details are logged, never put here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppError {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`, `rate_limited`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The input field the error concerns, as a path such as `products[3].price_minor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `rate_limited`: seconds until a retry can succeed (also sent as the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after_seconds: None,
        }
    }

    /// A bad value in one input field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message).on_field(field)
    }

    pub fn not_found(field: Option<String>, message: impl Into<String>) -> Self {
        Self {
            field,
            ..Self::new(ErrorCode::NotFound, message)
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// Too many requests; a retry can succeed after `retry_after_ms` (rounded up to whole seconds, at least 1).
    pub fn rate_limited(message: impl Into<String>, retry_after: Millis) -> Self {
        let seconds = (retry_after.0.max(1) as u64).div_ceil(1000);
        Self {
            retry_after_seconds: Some(seconds),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side; please try again.",
        )
    }

    /// The same error, about the input field `field`.
    pub fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
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
        matches!(self.code, ErrorCode::Unauthorized | ErrorCode::TokenExpired)
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        self.code.status()
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
                ErrorCode::Network,
                "Could not reach the store; check your connection and try again.",
            ),
            // The caller's arguments did not parse (form arguments are `Args`, JSON bodies `Deserialization` on the
            // server): theirs to fix, so a 400 that says what was wrong.
            ServerFnErrorErr::Args(detail) => Self::new(
                ErrorCode::BadRequest,
                format!("The request was not understood: {detail}"),
            ),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => Self::new(
                ErrorCode::BadRequest,
                format!("The request was not understood: {detail}"),
            ),
            ServerFnErrorErr::MissingArg(name) => Self::new(
                ErrorCode::BadRequest,
                format!("The request lacks the argument \"{name}\"."),
            )
            .on_field(name),
            ServerFnErrorErr::Registration(_) => {
                Self::new(ErrorCode::NotFound, "There is no such server function.")
            }
            ServerFnErrorErr::UnsupportedRequestMethod(method) => Self::new(
                ErrorCode::MethodNotAllowed,
                format!("Server functions are called with POST, not {method}."),
            ),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failure");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::internal()
            }
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

    #[test]
    fn every_code_is_written_as_its_name_and_read_back() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        let newer: ErrorCode = serde_json::from_str("\"a_code_from_a_newer_server\"").unwrap();
        assert_eq!(newer, ErrorCode::Internal);
    }

    #[test]
    fn only_internal_errors_answer_5xx_as_the_server() {
        for code in ErrorCode::ALL {
            let server_side = !matches!(code, ErrorCode::Internal | ErrorCode::Network);
            assert_eq!(
                (400..500).contains(&code.status()),
                server_side,
                "{code:?} answers {}",
                code.status()
            );
        }
        assert_eq!(ErrorCode::RateLimited.status(), 429);
        assert_eq!(ErrorCode::LimitReached.status(), 409);
    }

    #[test]
    fn a_rate_limit_says_when_to_retry_in_whole_seconds() {
        let error = AppError::rate_limited("slow down", Millis(1_200));
        assert_eq!(error.retry_after_seconds, Some(2));
        assert_eq!(
            AppError::rate_limited("now", Millis(0)).retry_after_seconds,
            Some(1)
        );
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "rate_limited");
        assert_eq!(json["retry_after_seconds"], 2);
    }
}
