//! The wish lists' server functions, called by the `WishlistButton` and `Wishlist` widgets (and, for the compact
//! hearts it draws, by the embed loader). Each acts for the verified viewer (shopper or guest) and reaches only that
//! viewer's lists, except the public shared-list read.

use super::{SavedState, SharedWishlist, Wishlist, WishlistSort, WishlistSummary};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr, crate::identity::ssr::request_viewer, crate::kernel::time::now,
    crate::store::store_error,
};

/// The viewer's lists and one of them with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishlistPage {
    pub lists: Vec<WishlistSummary>,
    pub list: Wishlist,
}

/// Where builds whose compact hearts were drawn by the widgets' WASM asked for the hearts' states.
#[cfg(feature = "ssr")]
pub const HASHED_WISHLIST_STATES_PATH: &str =
    crate::kernel::hashed_server_fn_path!("wishlist_states");

/// Where those builds' hearts saved and removed products.
#[cfg(feature = "ssr")]
pub const HASHED_CHANGE_WISHLIST_PATH: &str =
    crate::kernel::hashed_server_fn_path!("change_wishlist");

/// Where each of a page's products stands in the viewer's lists, in the order given ([`super::MAX_STATES`] at
/// most); an unknown product is in none. At a path of its own: the embed loader, which draws the compact hearts
/// of a page's product cards, asks by that path.
#[server(client = RapportClient, endpoint = "wishlist_states")]
pub async fn wishlist_states(skus: Vec<String>) -> Result<Vec<SavedState>, AppError> {
    let db = crate::store::db()?;
    let policy: super::rules::WishlistPolicy = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    ssr::saved_states(&db, &viewer, &skus, &policy)
        .await
        .map_err(store_error)
}

/// Saves (`save: true`) or removes a product in one of the viewer's lists (`list_id: None` is the default list).
/// At a path of its own, as the loader's compact hearts call it too.
#[server(client = RapportClient, endpoint = "change_wishlist")]
pub async fn change_wishlist(
    sku: String,
    list_id: Option<i64>,
    save: bool,
) -> Result<SavedState, AppError> {
    let db = crate::store::db()?;
    let policy: super::rules::WishlistPolicy = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    if save {
        ssr::save(&db, &viewer, &sku, list_id, &policy, now()).await
    } else {
        ssr::remove(&db, &viewer, &sku, list_id, now()).await
    }
    .map_err(store_error)?;
    ssr::saved_state(&db, &viewer, &sku, &policy)
        .await
        .map_err(store_error)
}

/// The viewer's lists and one of them (`list_id: None` is the default list), sorted.
#[server(client = RapportClient)]
pub async fn my_wishlist(
    list_id: Option<i64>,
    sort: WishlistSort,
    locale: String,
) -> Result<WishlistPage, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    let list = ssr::wishlist(&db, &viewer, list_id, &locale, sort)
        .await
        .map_err(store_error)?;
    let lists = ssr::lists(&db, &viewer).await.map_err(store_error)?;
    Ok(WishlistPage { lists, list })
}

/// Creates a named list (signed-in shoppers).
#[server(client = RapportClient)]
pub async fn create_wishlist(name: String) -> Result<WishlistSummary, AppError> {
    let db = crate::store::db()?;
    let policy: super::rules::WishlistPolicy = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    ssr::create_list(&db, &viewer, &name, &policy, now())
        .await
        .map_err(store_error)
}

/// Renames one of the shopper's lists.
#[server(client = RapportClient)]
pub async fn rename_wishlist(list_id: i64, name: String) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::rename_list(&db, &viewer, list_id, &name)
        .await
        .map_err(store_error)
}

/// Deletes one of the shopper's named lists with its items.
#[server(client = RapportClient)]
pub async fn delete_wishlist(list_id: i64) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::delete_list(&db, &viewer, list_id)
        .await
        .map_err(store_error)
}

/// Moves an item between two of the viewer's lists.
#[server(client = RapportClient)]
pub async fn move_wishlist_item(sku: String, from: i64, to: i64) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let policy: super::rules::WishlistPolicy = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    ssr::move_item(&db, &viewer, &sku, from, to, &policy)
        .await
        .map_err(store_error)
}

/// Shares a list under a new secret link (`shared: true`, returns the link's secret) or makes it private.
#[server(client = RapportClient)]
pub async fn share_wishlist(list_id: i64, shared: bool) -> Result<Option<String>, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::set_shared(&db, &viewer, list_id, shared)
        .await
        .map_err(store_error)
}

/// A shared list, read-only, for anyone with its link.
#[server]
pub async fn open_shared_wishlist(
    token: String,
    locale: String,
) -> Result<SharedWishlist, AppError> {
    let db = crate::store::db()?;
    ssr::shared_list(&db, &token, &locale)
        .await
        .map_err(store_error)
}
