//! The merchant API's email suppression list: the addresses nothing is sent to, since their server refused them
//! for good, and lifting one once the shopper mended it.

use super::handlers::page_bounds;
use super::{ApiError, ApiPath};
use crate::state::AppState;
use app::kernel::error::AppError;
use app::messages::Suppressions;
use app::messages::ssr as messages;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use http::StatusCode;
use serde::Deserialize;

/// Which part of the list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuppressionsQuery {
    /// 1 to 200 (default 50).
    #[serde(default = "default_limit")]
    pub limit: i64,
    /// Addresses to skip (default 0).
    #[serde(default)]
    pub offset: i64,
}

fn default_limit() -> i64 {
    50
}

/// The addresses no email goes to, the latest first, each with the receiving server's reply: an SMTP server that
/// answers a recipient with 550, 551 or 553 puts the address here, and notices and messages to it then fail at
/// once, without being sent.
#[utoipa::path(get, path = "/api/v1/email-suppressions", params(SuppressionsQuery), security(("api_key" = [])),
    responses((status = 200, body = Suppressions), (status = "4XX", body = AppError)))]
pub async fn get_suppressions(
    State(state): State<AppState>,
    query: Result<Query<SuppressionsQuery>, QueryRejection>,
) -> Result<Json<Suppressions>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| AppError::invalid("query", rejection.body_text()))?;
    page_bounds(query.limit, query.offset)?;
    Ok(Json(
        messages::suppressions(&state.db, query.limit, query.offset).await?,
    ))
}

/// Takes an address off the suppression list, so that email goes to it again (the shopper mended their mailbox).
/// 404 if it is not on the list.
#[utoipa::path(delete, path = "/api/v1/email-suppressions/{email}", security(("api_key" = [])),
    params(("email" = String, Path, description = "The suppressed address")),
    responses((status = 204, description = "Lifted"), (status = "4XX", body = AppError)))]
pub async fn delete_suppression(
    State(state): State<AppState>,
    ApiPath(email): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let email = app::kernel::validate::email("email", &email)?;
    messages::lift_suppression(&state.db, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}
