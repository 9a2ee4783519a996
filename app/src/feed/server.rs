//! The feed's server functions.

use super::{Feed, RelatedBy};
use crate::catalog::ProductCard;
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::feedback::Shelf,
    super::rules::{page_size, section_size},
    super::ssr,
    super::ssr::CardsSeen,
    crate::events::EventKind,
    crate::events::ssr::record_for_request,
    crate::i18n,
    crate::identity::ssr::request_viewer,
    crate::identity::ssr::{current_viewer, identity},
    crate::kernel::error::respond_with,
};

/// The viewer's home feed, `per_section` cards a section at most (clamped to 3–24). Without a valid token (a
/// first visit, a crawler, the server rendering the page) it is the store's best sellers and trending products.
#[server(client = RapportClient)]
pub async fn home_feed(locale: String, per_section: i64) -> Result<Feed, AppError> {
    let db = crate::store::db()?;
    let feed: ssr::FeedPolicy = crate::kernel::context::server_context()?;
    let viewer = current_viewer(&identity()?).await.ok();
    let locale = i18n::negotiate(&locale).unwrap_or(i18n::DEFAULT_LOCALE);
    Ok(ssr::feed(
        &db,
        viewer.as_ref(),
        locale,
        section_size(per_section),
        &feed,
        crate::kernel::time::now(),
    )
    .await?)
}

/// A product page's "customers who bought this also bought", "… viewed … also viewed" or "… viewed this went on
/// to", `limit` at most
/// (clamped to 1–24). An unknown SKU is a 404 with a message.
#[server]
pub async fn related_products(
    sku: String,
    by: RelatedBy,
    locale: String,
    limit: i64,
) -> Result<Vec<ProductCard>, AppError> {
    let db = crate::store::db()?;
    let locale = i18n::negotiate(&locale).unwrap_or(i18n::DEFAULT_LOCALE);
    ssr::related(&db, &sku, by, locale, page_size(limit))
        .await
        .map_err(|error| respond_with(error.into()))
}

/// "Not interested": the viewer never sees the product in their feed again.
#[server(client = RapportClient)]
pub async fn not_interested(sku: String) -> Result<(), AppError> {
    record_for_request(&sku, EventKind::Dismissed).await
}

/// What the viewer viewed lately, newest first, `limit` at most (clamped to 1–24): the feed's "Recently viewed"
/// on its own. Nothing without a valid token (a guest who has not browsed yet).
#[server(client = RapportClient)]
pub async fn viewed_lately(locale: String, limit: i64) -> Result<Vec<ProductCard>, AppError> {
    let db = crate::store::db()?;
    let viewer = current_viewer(&identity()?).await.ok();
    let locale = i18n::negotiate(&locale).unwrap_or(i18n::DEFAULT_LOCALE);
    ssr::recently_viewed(&db, viewer.as_ref(), locale, page_size(limit))
        .await
        .map_err(|error| respond_with(error.into()))
}

/// Empties the viewer's "Recently viewed" (the "Clear" button of the section).
#[server(client = RapportClient)]
pub async fn forget_recently_viewed() -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::clear_recently_viewed(&db, &viewer, crate::kernel::time::now())
        .await
        .map_err(|error| respond_with(error.into()))
}

/// Cards of `shelf` that came into view on the viewer's page, each once per page. The feed's widgets send it with
/// `navigator.sendBeacon`, which carries no headers: the viewer's token comes as an argument.
#[server]
pub async fn cards_shown(token: String, shelf: String, skus: Vec<String>) -> Result<(), AppError> {
    record_cards(&token, &shelf, CardsSeen::Shown(&skus)).await
}

/// The card of `shelf` the viewer clicked, sent like [`cards_shown`] (a beacon outlives the page the click leaves).
#[server]
pub async fn card_clicked(token: String, shelf: String, sku: String) -> Result<(), AppError> {
    record_cards(&token, &shelf, CardsSeen::Clicked(&sku)).await
}

#[cfg(feature = "ssr")]
async fn record_cards(token: &str, shelf: &str, seen: CardsSeen<'_>) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let secret = identity()?.secret;
    let policy: ssr::FeedPolicy = crate::kernel::context::server_context()?;
    let now = crate::kernel::time::now();
    let shelf = Shelf::parse(shelf).ok_or_else(|| {
        respond_with(AppError::invalid(
            "shelf",
            format!(
                "\"{shelf}\" is not a shelf; the shelves are {}",
                Shelf::ALL.map(Shelf::key).join(", ")
            ),
        ))
    })?;
    let viewer =
        crate::identity::token::verify(&secret, token, now.as_seconds()).map_err(respond_with)?;
    ssr::record_cards(&db, &viewer, shelf, seen, &policy.fatigue, now)
        .await
        .map_err(|error| respond_with(error.into()))
}
