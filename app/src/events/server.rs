//! The event log's server functions: what a shopper did on a product page, recorded for the feed.

use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::EventKind,
    super::ssr::{record_for_request, record_for_viewer},
    crate::identity::ssr::request_viewer,
    crate::kernel::error::respond_with,
};

/// Records that the viewer put `quantity` of a product in the store's cart (the cart itself is the store's).
#[server(client = RapportClient)]
pub async fn add_to_cart(sku: String, quantity: i64) -> Result<i64, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    if !(1..=99).contains(&quantity) {
        return Err(respond_with(AppError::invalid(
            "quantity",
            "must be between 1 and 99",
        )));
    }
    record_for_viewer(
        &db,
        &viewer,
        &sku,
        EventKind::Carted,
        crate::kernel::time::now(),
    )
    .await
    .map_err(|e| respond_with(e.into()))?;
    Ok(quantity)
}

/// Records that the viewer looked at a product.
#[server(client = RapportClient)]
pub async fn record_view(sku: String) -> Result<(), AppError> {
    record_for_request(&sku, EventKind::Viewed).await
}
