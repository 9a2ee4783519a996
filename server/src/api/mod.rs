//! The merchant API under `/api/v1/`: the store's own systems push their catalogue, shoppers, orders and
//! events here, authenticated with a bearer API key. JSON in, JSON out, and one error shape throughout.

mod handlers;
mod openapi;

use app::error::AppError;
use app::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
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
        let mut response = (status, axum::Json(self.0)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer realm=\"rapport\""),
            );
        }
        response
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
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        "too_large",
                        format!("the body exceeds the limit of {MAX_BODY_BYTES} bytes"),
                    )
                } else {
                    AppError::new("bad_request", "the request body could not be read")
                }
            })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => AppError::invalid(
                    if path == "." { String::new() } else { path },
                    strip_position(&inner.to_string()),
                ),
                _ => AppError::new("malformed", format!("the body is not valid JSON: {inner}")),
            }
        })?;
        deserializer.end().map_err(|error| {
            AppError::new("malformed", format!("the body is not valid JSON: {error}"))
        })?;
        Ok(ApiJson(value))
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
        Some(key) => match state.merchant_keys.identify(key) {
            Some(fingerprint) => {
                request
                    .extensions_mut()
                    .insert(ApiCaller(format!("api-key:{fingerprint}")));
                next.run(request).await
            }
            None => ApiError(AppError::unauthorized("the API key is not valid")).into_response(),
        },
    }
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
        .route("/events", post(handlers::post_events))
        .route("/reviews", get(handlers::get_reviews))
        .route("/wishlists/most-wished", get(handlers::get_most_wished))
        .route("/alerts/report", get(handlers::get_alert_report))
        .route("/alerts/failed", get(handlers::get_failed_notices))
        .route(
            "/shoppers/{shopper_id}/tier",
            get(handlers::get_shopper_tier),
        )
        .route("/tiers", get(handlers::get_tiers))
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
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .merge(authenticated)
        .fallback(unknown_endpoint)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
