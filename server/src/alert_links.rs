//! The links in alert emails that are not pages: a notice's tracked product link, and RFC 8058 one-click
//! unsubscribe (mail clients POST `List-Unsubscribe=One-Click` to the link in the `List-Unsubscribe` header; the
//! same address opened in a browser is the storefront's unsubscribe page, whose button posts here too).

use crate::api::ApiError;
use crate::state::AppState;
use app::alerts::ssr as alerts;
use app::identity::token::{verify_tracking, verify_unsubscribe};
use app::kernel::time::now;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// Counts the click and sends the shopper to the product.
pub async fn click(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let notice_id = match verify_tracking(&state.identity.secret, &token) {
        Ok(id) => id,
        Err(error) => return ApiError(error).into_response(),
    };
    match alerts::clicked(&state.db, notice_id, now()).await {
        Ok(sku) => Redirect::to(&format!("/p/{sku}")).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// Cancels the alert the signed link names, at once. A mail client's one-click POST gets a plain answer; the
/// storefront page's form (which sends no `List-Unsubscribe` field) goes back to the page, which now says so.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: String,
) -> Response {
    let alert_id = match verify_unsubscribe(&state.identity.secret, &token) {
        Ok(id) => id,
        Err(error) => return ApiError(error).into_response(),
    };
    if let Err(error) = alerts::unsubscribe(&state.db, alert_id, "en", now()).await {
        return ApiError::from(error).into_response();
    }
    if body.contains("List-Unsubscribe=One-Click") {
        "unsubscribed".into_response()
    } else {
        Redirect::to(&format!("/alerts/unsubscribe/{token}")).into_response()
    }
}
