//! The merchant API's unpaid orders: orders placed but not paid yet, whose buyers are reminded once, a while later,
//! unless the order is paid (`POST /api/v1/orders` under the same number) or cancelled first.

use super::{ApiError, ApiJson, ApiPath};
use crate::state::AppState;
use app::flows::ORDER_FLOWS;
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::orders::ssr as orders;
use app::orders::{UnpaidOrderInput, UnpaidOrderState};
use axum::Json;
use axum::extract::State;
use http::StatusCode;

/// Reports an order placed but not paid: `--unpaid-reminder-hours` (24) after `placed_at` its buyer gets one email
/// with what they ordered and a button to `payment_url`. Reporting it again replaces its lines and total (200); an
/// order already paid, or reported before for another shopper, is a 409. It counts as no purchase.
#[utoipa::path(put, path = "/api/v1/unpaid-orders/{order_id}", request_body = UnpaidOrderInput,
    security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 201, body = UnpaidOrderState), (status = 200, description = "replaced", body = UnpaidOrderState),
        (status = "4XX", body = AppError)))]
pub async fn put_unpaid_order(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
    ApiJson(input): ApiJson<UnpaidOrderInput>,
) -> Result<(StatusCode, Json<UnpaidOrderState>), ApiError> {
    let (order, created) = orders::record_unpaid(&state.db, &order_id, &input, now()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(order)))
}

/// An unpaid order, with when its reminder was considered; 404 once it is paid or cancelled.
#[utoipa::path(get, path = "/api/v1/unpaid-orders/{order_id}", security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 200, body = UnpaidOrderState), (status = "4XX", body = AppError)))]
pub async fn get_unpaid_order(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
) -> Result<Json<UnpaidOrderState>, ApiError> {
    Ok(Json(orders::unpaid_order(&state.db, &order_id).await?))
}

/// Cancels an unpaid order (the store stopped waiting for the payment): no reminder goes, and one queued but not
/// sent yet is withdrawn. 404 if there is no such unpaid order.
#[utoipa::path(delete, path = "/api/v1/unpaid-orders/{order_id}", security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 204, description = "Cancelled"), (status = "4XX", body = AppError)))]
pub async fn delete_unpaid_order(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    orders::cancel_unpaid(&state.db, &order_id, &ORDER_FLOWS).await?;
    Ok(StatusCode::NO_CONTENT)
}
