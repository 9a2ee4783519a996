//! The catalogue's server functions, called by the storefront's pages.

use super::{Category, CategoryPage, Product, ProductCard};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr,
    crate::events::EventKind,
    crate::events::ssr::{record_for_request, record_for_viewer},
    crate::i18n,
    crate::identity::ssr::request_viewer,
    crate::kernel::error::respond_with,
};

/// Products per category page.
pub const PER_PAGE: i64 = 24;

/// What the home page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomePage {
    pub categories: Vec<Category>,
    pub new_arrivals: Vec<ProductCard>,
}

/// A supported locale for the requested tag, so that a bad tag falls back instead of failing.
#[cfg(feature = "ssr")]
fn supported(locale: &str) -> &'static str {
    i18n::negotiate(locale).unwrap_or(i18n::DEFAULT_LOCALE)
}

#[server]
pub async fn shop_categories(locale: String) -> Result<Vec<Category>, AppError> {
    let db = crate::store::db()?;
    Ok(ssr::categories(&db, supported(&locale)).await?)
}

#[server]
pub async fn home_listing(locale: String) -> Result<HomePage, AppError> {
    let db = crate::store::db()?;
    let locale = supported(&locale);
    Ok(HomePage {
        categories: ssr::categories(&db, locale).await?,
        new_arrivals: ssr::new_arrivals(&db, locale, 8).await?,
    })
}

#[server]
pub async fn category_listing(
    slug: String,
    locale: String,
    page: i64,
) -> Result<CategoryPage, AppError> {
    let db = crate::store::db()?;
    ssr::category_page(&db, &slug, supported(&locale), page, PER_PAGE)
        .await?
        .ok_or_else(|| {
            respond_with(AppError::not_found(
                Some("slug".into()),
                "There is no such category.",
            ))
        })
}

#[server]
pub async fn product_details(sku: String, locale: String) -> Result<Product, AppError> {
    let db = crate::store::db()?;
    ssr::product(&db, &sku, supported(&locale))
        .await?
        .ok_or_else(|| {
            respond_with(AppError::not_found(
                Some("sku".into()),
                "There is no such product.",
            ))
        })
}

/// Records that the viewer put `quantity` of a product in the store's cart (the cart itself is the store's).
#[server(client = RapportClient)]
pub async fn add_to_cart(sku: String, quantity: i64) -> Result<i64, AppError> {
    let viewer = request_viewer().await?;
    let db = crate::store::db()?;
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
