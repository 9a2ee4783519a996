//! The wish lists' server functions, called by the `WishlistButton` and `Wishlist` widgets. Each acts for the
//! verified viewer (shopper or guest) and reaches only that viewer's lists, except the public shared-list read.

use super::{SavedState, SharedWishlist, Wishlist, WishlistSort, WishlistSummary};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr, crate::identity::ssr::current_viewer, crate::kernel::error::respond_with,
    crate::kernel::time::now, crate::state::app_state, crate::store::store_error,
};

/// The viewer's lists and one of them with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishlistPage {
    pub lists: Vec<WishlistSummary>,
    pub list: Wishlist,
}

/// Where a product stands in the viewer's lists.
#[server(client = RapportClient)]
pub async fn wishlist_state(sku: String) -> Result<SavedState, AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::saved_state(&state.db, &viewer, &sku, &state.wishlists)
        .await
        .map_err(store_error)
}

/// Where each of a page's products stands in the viewer's lists, in the order given (at most 100).
#[server(client = RapportClient)]
pub async fn wishlist_states(skus: Vec<String>) -> Result<Vec<SavedState>, AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::saved_states(&state.db, &viewer, &skus, &state.wishlists)
        .await
        .map_err(store_error)
}

/// Saves (`save: true`) or removes a product in one of the viewer's lists (`list_id: None` is the default list).
#[server(client = RapportClient)]
pub async fn change_wishlist(
    sku: String,
    list_id: Option<i64>,
    save: bool,
) -> Result<SavedState, AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    if save {
        ssr::save(&state.db, &viewer, &sku, list_id, &state.wishlists, now()).await
    } else {
        ssr::remove(&state.db, &viewer, &sku, list_id, now()).await
    }
    .map_err(store_error)?;
    ssr::saved_state(&state.db, &viewer, &sku, &state.wishlists)
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
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    let list = ssr::wishlist(&state.db, &viewer, list_id, &locale, sort)
        .await
        .map_err(store_error)?;
    let lists = ssr::lists(&state.db, &viewer).await.map_err(store_error)?;
    Ok(WishlistPage { lists, list })
}

/// Creates a named list (signed-in shoppers).
#[server(client = RapportClient)]
pub async fn create_wishlist(name: String) -> Result<WishlistSummary, AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::create_list(&state.db, &viewer, &name, &state.wishlists, now())
        .await
        .map_err(store_error)
}

/// Renames one of the shopper's lists.
#[server(client = RapportClient)]
pub async fn rename_wishlist(list_id: i64, name: String) -> Result<(), AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::rename_list(&state.db, &viewer, list_id, &name)
        .await
        .map_err(store_error)
}

/// Deletes one of the shopper's named lists with its items.
#[server(client = RapportClient)]
pub async fn delete_wishlist(list_id: i64) -> Result<(), AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::delete_list(&state.db, &viewer, list_id)
        .await
        .map_err(store_error)
}

/// Moves an item between two of the viewer's lists.
#[server(client = RapportClient)]
pub async fn move_wishlist_item(sku: String, from: i64, to: i64) -> Result<(), AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::move_item(&state.db, &viewer, &sku, from, to, &state.wishlists)
        .await
        .map_err(store_error)
}

/// Shares a list under a new secret link (`shared: true`, returns the link's secret) or makes it private.
#[server(client = RapportClient)]
pub async fn share_wishlist(list_id: i64, shared: bool) -> Result<Option<String>, AppError> {
    let state = app_state()?;
    let viewer = current_viewer(&state).await.map_err(respond_with)?;
    ssr::set_shared(&state.db, &viewer, list_id, shared)
        .await
        .map_err(store_error)
}

/// A shared list, read-only, for anyone with its link.
#[server]
pub async fn open_shared_wishlist(
    token: String,
    locale: String,
) -> Result<SharedWishlist, AppError> {
    let state = app_state()?;
    ssr::shared_list(&state.db, &token, &locale)
        .await
        .map_err(store_error)
}
