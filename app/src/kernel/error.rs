//! The one error shape every merchant-API response and every server function shares:
//! a machine code, a human message, and the field it concerns when there is one.

use crate::kernel::locale::{DEFAULT_LOCALE, translate_if_any, translate_with};
use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::collections::BTreeMap;
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
    /// The message as the translation files hold it, for what a shopper or a merchant may see: a page shows it in
    /// its own language (`message` is its English text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<Translation>,
}

/// An error's message as a key of the translation files and the values of its `{placeholders}`.
///
/// ```
/// use app::kernel::error::{AppError, Translation};
/// let error = AppError::invalid("title", Translation::with("error.rule.too_long", &[("max", "120".into())]));
/// assert_eq!(error.message, "must be at most 120 characters");
/// assert_eq!(error.translation.unwrap().in_language("zh-CN"), "最多 120 个字符");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Translation {
    /// The key in the translation files, e.g. `error.rule.too_long`.
    pub key: String,
    /// The placeholders' values, e.g. `{"max": "120"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

impl Translation {
    /// The text `key`, without placeholders.
    pub fn of(key: &str) -> Self {
        Self::with(key, &[])
    }

    /// The text `key` with its placeholders' values.
    pub fn with(key: &str, values: &[(&str, String)]) -> Self {
        Self {
            key: key.to_owned(),
            values: values
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        }
    }

    /// The message in `locale` (English where that language lacks it).
    pub fn in_language(&self, locale: &str) -> String {
        let values: Vec<(&str, String)> = self
            .values
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        translate_with(locale, &self.key, &values)
    }
}

/// In English, as the API says it.
impl fmt::Display for Translation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_language(DEFAULT_LOCALE))
    }
}

/// An error's message: plain English for what only API callers see, or a [`Translation`].
pub enum Message {
    English(String),
    Translated(Translation),
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::English(text.to_owned())
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::English(text)
    }
}

impl From<Translation> for Message {
    fn from(translation: Translation) -> Self {
        Message::Translated(translation)
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<Message>) -> Self {
        let (message, translation) = match message.into() {
            Message::English(text) => (text, None),
            Message::Translated(translation) => {
                (translation.in_language(DEFAULT_LOCALE), Some(translation))
            }
        };
        Self {
            code,
            message,
            field: None,
            retry_after_seconds: None,
            translation,
        }
    }

    /// A bad value in one input field.
    pub fn invalid(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self::new(ErrorCode::Invalid, message).on_field(field)
    }

    pub fn not_found(field: Option<String>, message: impl Into<Message>) -> Self {
        Self {
            field,
            ..Self::new(ErrorCode::NotFound, message)
        }
    }

    pub fn unauthorized(message: impl Into<Message>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn conflict(message: impl Into<Message>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// Too many requests; a retry can succeed after `retry_after_ms` (rounded up to whole seconds, at least 1).
    pub fn rate_limited(message: impl Into<Message>, retry_after: Millis) -> Self {
        let seconds = (retry_after.0.max(1) as u64).div_ceil(1000);
        Self {
            retry_after_seconds: Some(seconds),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, Translation::of("error.internal"))
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

    /// The message alone in `locale` where it has a translation, else in English: for a line that names what it is
    /// about already (a refused photo after its file's name). A key this build does not know (a newer server's)
    /// falls back to the English the server sent.
    pub fn message_in(&self, locale: &str) -> String {
        match &self.translation {
            Some(translation) if translate_if_any(locale, &translation.key).is_some() => {
                translation.in_language(locale)
            }
            _ => self.message.clone(),
        }
    }

    /// The error as a page shows it in `locale`. A broken input rule (a key under `error.rule.`) follows the name of
    /// its field, as the translation files label it (`field.<name>`): "Title: is required"; a field they do not
    /// label (a row of a form, which marks its input itself) is left out. Another translated message is shown as
    /// it is; one only API callers were meant to see, in English after a translated preamble.
    ///
    /// ```
    /// use app::kernel::error::{AppError, Translation};
    /// let error = AppError::invalid("title", Translation::of("error.rule.required"));
    /// assert_eq!(error.in_language("en"), "Title: is required");
    /// assert_eq!(error.in_language("zh-CN"), "标题：必填");
    /// ```
    pub fn in_language(&self, locale: &str) -> String {
        self.in_language_labelled(locale, &[])
    }

    /// [`AppError::in_language`] for a form whose inputs are labelled otherwise: `labels` pairs a field with the
    /// translation key of its label on the form (`("body", "reviews.your_text")`: "Your review: …").
    ///
    /// ```
    /// use app::kernel::error::{AppError, Translation};
    /// let error = AppError::invalid("body", Translation::with("error.rule.too_short", &[("min", "10".into())]));
    /// let labels = [("body", "reviews.your_text")];
    /// assert_eq!(error.in_language_labelled("en", &labels), "Your review: must be at least 10 characters");
    /// assert_eq!(error.in_language("en"), "Text: must be at least 10 characters");
    /// ```
    pub fn in_language_labelled(&self, locale: &str, labels: &[(&str, &str)]) -> String {
        let Some(translation) = &self.translation else {
            return translate_with(locale, "common.error", &[("message", self.message.clone())]);
        };
        let message = self.message_in(locale);
        let label = self
            .field
            .as_ref()
            .filter(|_| translation.key.starts_with("error.rule."))
            .and_then(
                |field| match labels.iter().find(|(name, _)| name == field) {
                    Some((_, key)) => translate_if_any(locale, key),
                    None => translate_if_any(locale, &format!("field.{field}")),
                },
            );
        match label {
            Some(label) => translate_with(
                locale,
                "error.on_field",
                &[("field", label.to_owned()), ("message", message)],
            ),
            None => message,
        }
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
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                Self::new(ErrorCode::Network, Translation::of("error.network"))
            }
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
    fn a_translated_error_says_its_english_and_carries_its_key() {
        let error = AppError::conflict(Translation::with(
            "error.list_full",
            &[("max", "100".into())],
        ));
        assert_eq!(
            error.message,
            "A wish list holds at most 100 items; remove some first."
        );
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["translation"]["key"], "error.list_full");
        assert_eq!(json["translation"]["values"]["max"], "100");
        let back: AppError = serde_json::from_value(json).unwrap();
        assert_eq!(back, error);
        assert_eq!(
            back.in_language("zh-CN"),
            "一个心愿单最多放 100 件商品，请先移除一些。"
        );
    }

    #[test]
    fn each_kind_of_error_reads_in_the_page_language() {
        // A rule about a field the translation files do not label (a row of a form) says the rule alone.
        let nested = AppError::invalid("price_minor", Translation::of("error.rule.not_negative"))
            .within("tiers[3]");
        assert_eq!(nested.in_language("zh-CN"), "不能为负数");
        // A key this build does not know says the English the server sent.
        let newer = AppError {
            translation: Some(Translation {
                key: "a.key.from.a.newer.server".to_owned(),
                values: BTreeMap::new(),
            }),
            ..AppError::conflict("Something newer happened.")
        };
        assert_eq!(newer.in_language("zh-CN"), "Something newer happened.");
        // A sentence stands alone, whatever field it concerns.
        let sentence = AppError::invalid("email", Translation::of("error.alerts_email"));
        assert_eq!(
            sentence.in_language("zh-CN"),
            "请输入您的电子邮箱以接收提醒。"
        );
        // English only API callers were meant to see keeps the page's preamble.
        let english = AppError::invalid("decision", "must be publish or reject");
        assert_eq!(
            english.in_language("zh-CN"),
            "出错了：must be publish or reject"
        );
        assert_eq!(
            AppError::internal().in_language("zh-CN"),
            "我们这边出了问题，请重试。"
        );
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
