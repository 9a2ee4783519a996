//! The catalogue's server functions, called by the storefront's pages.

use super::{Category, CategoryPage, Product, ProductCard};
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {super::ssr, crate::i18n, crate::kernel::error::respond_with};

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
