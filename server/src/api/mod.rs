//! The merchant API under `/api/v1/`: the store's own systems push their catalogue, shoppers, orders and
//! events here, authenticated with a bearer API key. JSON in, JSON out, and one error shape throughout.

mod carts;
mod handlers;
pub mod insights;
mod openapi;
mod questions;
mod suppressions;
mod unpaid_orders;

use crate::state::AppState;
use app::identity::merchant::identify_key;
use app::identity::throttle::{client_address, client_key};
use app::kernel::error::{AppError, ErrorCode};
use axum::Router;
use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, Path, RawPathParams, Request, State,
};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// An API error as an HTTP response: the status its code maps to and the JSON error shape.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl From<app::store::StoreError> for ApiError {
    fn from(error: app::store::StoreError) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self.0)).into_response();
        add_error_headers(&self.0, response.headers_mut());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer realm=\"rapport\""),
            );
        }
        response
    }
}

/// The headers an error's code calls for on any response, API or server function: `Retry-After` on a rate limit.
pub fn add_error_headers(error: &AppError, headers: &mut HeaderMap) {
    if let Some(seconds) = error.retry_after_seconds {
        headers.insert(header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
}

/// A JSON body whose every failure is an [`AppError`] naming the field: malformed JSON (400), a wrong or
/// missing field (422, with its path), a body over [`MAX_BODY_BYTES`] (413), a non-JSON content type (415).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        ErrorCode::TooLarge,
                        format!("the body exceeds the limit of {MAX_BODY_BYTES} bytes"),
                    )
                } else {
                    AppError::new(ErrorCode::BadRequest, "the request body could not be read")
                }
            })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let message = strip_position(&inner.to_string());
                    AppError::invalid(field_of(&path, &message), message)
                }
                _ => AppError::new(
                    ErrorCode::Malformed,
                    format!("the body is not valid JSON: {inner}"),
                ),
            }
        })?;
        deserializer.end().map_err(|error| {
            AppError::new(
                ErrorCode::Malformed,
                format!("the body is not valid JSON: {error}"),
            )
        })?;
        Ok(ApiJson(value))
    }
}

/// The field a JSON data error concerns. serde reports a missing field at the object that should hold it, naming
/// it only in the message: `missing field `sku`` at `products[2]` is about `products[2].sku`.
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => String::new(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// A path parameter whose every failure is an [`AppError`] in the one JSON shape, naming the parameter:
/// `/reviews/abc/approve` is a 400 about `review_id`, not axum's plain-text rejection.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
            .await
            .map(|params| params.iter().map(|(name, _)| name.to_owned()).collect())
            .unwrap_or_default();
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                let (key, value, expected) = match error.kind() {
                    ErrorKind::ParseErrorAtKey {
                        key,
                        value,
                        expected_type,
                    } => (Some(key.clone()), value.clone(), *expected_type),
                    ErrorKind::ParseError {
                        value,
                        expected_type,
                    }
                    | ErrorKind::ParseErrorAtIndex {
                        value,
                        expected_type,
                        ..
                    } => (None, value.clone(), *expected_type),
                    _ => (None, String::new(), "a valid value"),
                };
                let key = key.or_else(|| (names.len() == 1).then(|| names[0].clone()));
                let expected = match expected {
                    "i64" | "u64" | "i32" | "u32" => "a whole number",
                    other => other,
                };
                let error = AppError::new(
                    ErrorCode::BadRequest,
                    format!("\"{value}\" in the path is not valid: expected {expected}"),
                );
                Err(ApiError(match key {
                    Some(key) => error.on_field(key),
                    None => error,
                }))
            }
            Err(rejection) => {
                tracing::error!(%rejection, "path parameters unreadable");
                Err(ApiError(AppError::internal()))
            }
        }
    }
}

/// serde_json appends " at line 1 column 37" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head)
        .to_owned()
}

/// Who made an API request, for the moderation log: the fingerprint of the API key used.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub String);

async fn require_api_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        None => ApiError(AppError::unauthorized(
            "send your API key as Authorization: Bearer <key>",
        ))
        .into_response(),
        Some(key) => {
            let client = client_key(client_address(request.extensions()));
            match identify_key(&state.identity, client, key) {
                Err(throttled) => ApiError(throttled).into_response(),
                Ok(Some(fingerprint)) => {
                    request
                        .extensions_mut()
                        .insert(ApiCaller(format!("api-key:{fingerprint}")));
                    next.run(request).await
                }
                Ok(None) => {
                    ApiError(AppError::unauthorized("the API key is not valid")).into_response()
                }
            }
        }
    }
}

async fn wrong_method(method: http::Method) -> ApiError {
    AppError::new(
        ErrorCode::MethodNotAllowed,
        format!("this endpoint does not take {method}; see /api/v1/openapi.json"),
    )
    .into()
}

async fn unknown_endpoint() -> ApiError {
    AppError::not_found(
        None,
        "there is no such API endpoint; see /api/v1/openapi.json",
    )
    .into()
}

/// The idempotency key of a request that must not count twice.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| AppError::invalid("Idempotency-Key", "this request needs an Idempotency-Key header, so that a retry is not recorded twice").into())
}

pub fn router(state: AppState) -> Router {
    let authenticated = Router::new()
        .route("/categories", put(handlers::put_categories))
        .route("/products", put(handlers::put_products))
        .route("/prices", post(handlers::post_prices))
        .route("/stock", post(handlers::post_stock))
        .route("/shoppers", put(handlers::put_shoppers))
        .route("/orders", post(handlers::post_order))
        .route("/orders/{order_id}/refunds", post(handlers::post_refund))
        .route("/orders/{order_id}/cancel", post(handlers::post_cancel))
        .route(
            "/orders/{order_id}/fulfilment",
            post(handlers::post_fulfilment),
        )
        .route(
            "/unpaid-orders/{order_id}",
            put(unpaid_orders::put_unpaid_order)
                .get(unpaid_orders::get_unpaid_order)
                .delete(unpaid_orders::delete_unpaid_order),
        )
        .route(
            "/carts/{shopper_id}",
            put(carts::put_cart)
                .get(carts::get_cart)
                .delete(carts::delete_cart),
        )
        .route("/events", post(handlers::post_events))
        .route("/reviews", get(handlers::get_reviews))
        .route("/wishlists/most-wished", get(handlers::get_most_wished))
        .route("/alerts/report", get(handlers::get_alert_report))
        .route("/alerts/failed", get(handlers::get_failed_notices))
        .route("/alerts/failed/resend", post(handlers::post_resend_failed))
        .route(
            "/shoppers/{shopper_id}/tier",
            get(handlers::get_shopper_tier),
        )
        .route("/tiers", get(handlers::get_tiers))
        .route("/insights/customers", get(insights::get_customer_insights))
        .route("/insights/widgets", get(insights::get_widget_report))
        .route(
            "/insights/segments/{segment}",
            get(insights::get_segment_members),
        )
        .route(
            "/insights/segments/{segment}/csv",
            get(insights::get_segment_members_csv),
        )
        .route(
            "/tiers/rules",
            get(handlers::get_tier_rules).put(handlers::put_tier_rules),
        )
        .route("/tiers/preview", post(handlers::post_tier_preview))
        .route(
            "/reviews/{review_id}/history",
            get(handlers::get_review_history),
        )
        .route(
            "/reviews/{review_id}/approve",
            post(handlers::post_review_approve),
        )
        .route(
            "/reviews/{review_id}/reject",
            post(handlers::post_review_reject),
        )
        .route(
            "/reviews/{review_id}/restore",
            post(handlers::post_review_restore),
        )
        .route(
            "/reviews/{review_id}/reply",
            put(handlers::put_review_reply).delete(handlers::delete_review_reply),
        )
        .route(
            "/reviews/{review_id}/photos/{photo_id}",
            axum::routing::delete(handlers::delete_review_photo),
        )
        .route("/email-suppressions", get(suppressions::get_suppressions))
        .route(
            "/email-suppressions/{email}",
            delete(suppressions::delete_suppression),
        )
        .route("/questions", get(questions::get_questions))
        .route(
            "/questions/{question_id}/answer",
            put(questions::put_answer),
        )
        .route(
            "/questions/{question_id}/publish",
            post(questions::post_publish),
        )
        .route(
            "/questions/{question_id}/reject",
            post(questions::post_reject),
        )
        .route("/answers/{answer_id}", delete(questions::delete_answer))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/products/{sku}/rating", get(handlers::get_product_rating))
        .merge(authenticated)
        .fallback(unknown_endpoint)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
