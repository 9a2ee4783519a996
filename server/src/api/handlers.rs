//! The merchant API's handlers: each parses its body, calls the one store function for its operation, and answers.

use super::{ApiError, ApiJson, idempotency_key};
use app::catalog::{
    CategoryInput, PriceChange, ProductInput, StockChange, UpsertSummary, ssr as catalog,
};
use app::error::AppError;
use app::events::{EventInput, ssr as events};
use app::identity::{ShopperInput, ssr as identity};
use app::orders::{OrderInput, OrderOutcome, RefundInput, ssr as orders};
use app::state::AppState;
use app::time::now;
use axum::Json;
use axum::extract::{Path, State};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBatch {
    pub categories: Vec<CategoryInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBatch {
    pub products: Vec<ProductInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceBatch {
    pub prices: Vec<PriceChange>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockBatch {
    pub stock: Vec<StockChange>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopperBatch {
    pub shoppers: Vec<ShopperInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub events: Vec<EventInput>,
}

/// How many rows a change request changed.
#[derive(Serialize, ToSchema)]
pub struct Changed {
    pub changed: u64,
}

/// How many events were recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    pub recorded: u64,
}

/// Creates or replaces categories; all or none.
#[utoipa::path(put, path = "/api/v1/categories", request_body = CategoryBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_categories(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<CategoryBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        catalog::upsert_categories(&state.db, &batch.categories).await?,
    ))
}

/// Creates or replaces products by SKU; all or none. New prices and stock levels go into their history.
#[utoipa::path(put, path = "/api/v1/products", request_body = ProductBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_products(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<ProductBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        catalog::upsert_products(&state.db, &batch.products, now()).await?,
    ))
}

/// Changes prices of existing products; all or none. Each change is recorded in the price history.
#[utoipa::path(post, path = "/api/v1/prices", request_body = PriceBatch, security(("api_key" = [])),
    responses((status = 200, body = Changed), (status = "4XX", body = AppError)))]
pub async fn post_prices(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<PriceBatch>,
) -> Result<Json<Changed>, ApiError> {
    Ok(Json(Changed {
        changed: catalog::change_prices(&state.db, &batch.prices, now()).await?,
    }))
}

/// Changes stock levels of existing products; all or none.
#[utoipa::path(post, path = "/api/v1/stock", request_body = StockBatch, security(("api_key" = [])),
    responses((status = 200, body = Changed), (status = "4XX", body = AppError)))]
pub async fn post_stock(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<StockBatch>,
) -> Result<Json<Changed>, ApiError> {
    Ok(Json(Changed {
        changed: catalog::change_stock(&state.db, &batch.stock, now()).await?,
    }))
}

/// Creates or updates shoppers by the store's shopper id; all or none.
#[utoipa::path(put, path = "/api/v1/shoppers", request_body = ShopperBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_shoppers(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<ShopperBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        identity::upsert_shoppers(&state.db, &batch.shoppers, now()).await?,
    ))
}

/// Records a paid order. Needs an `Idempotency-Key` header: a retry with the same key and body is answered
/// with 200 and the first outcome, and records nothing.
#[utoipa::path(post, path = "/api/v1/orders", request_body = OrderInput, security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "A key unique to this order request")),
    responses((status = 201, body = OrderOutcome), (status = 200, description = "a replay", body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(order): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<OrderOutcome>), ApiError> {
    let key = idempotency_key(&headers)?;
    let outcome = orders::record_order(&state.db, &key, &order, now()).await?;
    Ok((
        if outcome.replayed {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        Json(outcome),
    ))
}

/// Refunds part or all of an order. Needs an `Idempotency-Key` header, like orders.
#[utoipa::path(post, path = "/api/v1/orders/{order_id}/refunds", request_body = RefundInput, security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number"),
           ("Idempotency-Key" = String, Header, description = "A key unique to this refund request")),
    responses((status = 201, body = OrderOutcome), (status = 200, description = "a replay", body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_refund(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    ApiJson(refund): ApiJson<RefundInput>,
) -> Result<(StatusCode, Json<OrderOutcome>), ApiError> {
    let key = idempotency_key(&headers)?;
    let outcome = orders::record_refund(&state.db, &key, &order_id, &refund, now()).await?;
    Ok((
        if outcome.replayed {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        Json(outcome),
    ))
}

/// Cancels a paid order without refunds.
#[utoipa::path(post, path = "/api/v1/orders/{order_id}/cancel", security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 200, body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_cancel(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
) -> Result<Json<OrderOutcome>, ApiError> {
    Ok(Json(orders::cancel_order(&state.db, &order_id).await?))
}

/// Records shopper events; all or none.
#[utoipa::path(post, path = "/api/v1/events", request_body = EventBatch, security(("api_key" = [])),
    responses((status = 200, body = Recorded), (status = "4XX", body = AppError)))]
pub async fn post_events(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<EventBatch>,
) -> Result<Json<Recorded>, ApiError> {
    Ok(Json(Recorded {
        recorded: events::record_batch(&state.db, &batch.events, now()).await?,
    }))
}
