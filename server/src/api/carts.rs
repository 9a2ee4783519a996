//! The merchant API's carts: a store whose server keeps its shoppers' carts sends each whole cart when it changes,
//! so that a price drop of something in it tells the shopper (`--cart-watch-days`).

use super::{ApiError, ApiJson, ApiPath};
use crate::state::AppState;
use app::carts::ssr as carts;
use app::carts::{Cart, CartInput};
use app::kernel::error::AppError;
use app::kernel::time::now;
use axum::Json;
use axum::extract::State;
use http::StatusCode;

/// Replaces what Rapport knows of the shopper's cart with the store's own, all or nothing. Lines still in the cart
/// keep the price a drop is measured from; new ones are watched from today's price; lines left out leave, and so
/// are no longer watched. An empty `lines` empties the cart.
#[utoipa::path(put, path = "/api/v1/carts/{shopper_id}", request_body = CartInput,
    security(("api_key" = [])),
    params(("shopper_id" = String, Path, description = "The store's shopper id")),
    responses((status = 200, body = Cart), (status = "4XX", body = AppError)))]
pub async fn put_cart(
    State(state): State<AppState>,
    ApiPath(shopper_id): ApiPath<String>,
    ApiJson(input): ApiJson<CartInput>,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(
        carts::replace(
            &state.db,
            &shopper_id,
            &input,
            state.carts.then.as_ref(),
            now(),
        )
        .await?,
    ))
}

/// The shopper's cart as Rapport knows it, from the pages' cart events and the carts the store sent.
#[utoipa::path(get, path = "/api/v1/carts/{shopper_id}", security(("api_key" = [])),
    params(("shopper_id" = String, Path, description = "The store's shopper id")),
    responses((status = 200, body = Cart), (status = "4XX", body = AppError)))]
pub async fn get_cart(
    State(state): State<AppState>,
    ApiPath(shopper_id): ApiPath<String>,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(carts::cart(&state.db, &shopper_id).await?))
}

/// Empties the shopper's cart (an order placed elsewhere, the cart expired in the store): nothing in it is watched
/// any more.
#[utoipa::path(delete, path = "/api/v1/carts/{shopper_id}", security(("api_key" = [])),
    params(("shopper_id" = String, Path, description = "The store's shopper id")),
    responses((status = 204, description = "Emptied"), (status = "4XX", body = AppError)))]
pub async fn delete_cart(
    State(state): State<AppState>,
    ApiPath(shopper_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    carts::clear(&state.db, &shopper_id, state.carts.then.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
