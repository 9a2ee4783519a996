//! The event log's server function: a shopper looked at a product, recorded for the feed.

use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::EventKind, super::ssr::record_for_request};

/// Records that the viewer looked at a product.
#[server(client = RapportClient)]
pub async fn record_view(sku: String) -> Result<(), AppError> {
    record_for_request(&sku, EventKind::Viewed).await
}

/// From a page: records that the viewer looked at `sku`, getting this browser a guest token first when it has
/// none, so a guest's browsing counts too.
pub async fn record_view_from_page(sku: String) -> Result<(), AppError> {
    crate::identity::ensure_viewer().await?;
    record_view(sku).await
}
