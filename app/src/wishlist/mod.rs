//! Wish lists: shoppers and guests save products into a default list and named lists, see what changed since
//! saving (price, stock), and may share a list read-only through an unguessable link.

pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use server::*;
pub use widget::{
    SharedWishlistPage, WISHLIST_CHANGE_EVENT, Wishlist, WishlistButton, WishlistProductGrid,
};

use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};

/// Most products one request asks the saved states of.
pub const MAX_STATES: usize = 100;

/// A wish list as its owner sees it in list choosers and menus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishlistSummary {
    pub id: i64,
    /// Empty for the default list, which each language names itself.
    pub name: String,
    pub is_default: bool,
    pub items: i64,
    /// The secret of the public link, when the list is shared.
    pub share_token: Option<String>,
}

/// A saved product with what it was like when saved and what it is like now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishlistItem {
    pub sku: String,
    pub title: String,
    pub image_url: String,
    pub price: Money,
    pub stock: i64,
    /// False once the merchant withdrew the product; the item stays, marked "no longer available".
    pub available: bool,
    /// Epoch milliseconds.
    pub saved_at: Millis,
    pub saved_price: Money,
    pub saved_in_stock: bool,
}

/// What changed about a saved product since it was saved, most important first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemChange {
    NoLongerAvailable,
    BackInStock,
    OutOfStock,
    /// Cheaper than when saved, by this much.
    Cheaper(Money),
    /// Dearer than when saved, by this much.
    Dearer(Money),
    Unchanged,
}

/// How the items of a list are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WishlistSort {
    /// Most recently saved first.
    #[default]
    Saved,
    /// Cheapest first.
    Price,
    /// Biggest price drop since saving first.
    PriceDrop,
}

/// One list with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wishlist {
    pub summary: WishlistSummary,
    pub items: Vec<WishlistItem>,
}

/// A shared list as anyone with its link sees it: read-only, with the owner's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedWishlist {
    pub name: String,
    pub owner: String,
    pub items: Vec<WishlistItem>,
}

/// Where a product stands in the viewer's lists, for the heart button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedState {
    /// The viewer's lists, each with whether it holds the product.
    pub lists: Vec<(WishlistSummary, bool)>,
    /// How many shoppers saved the product, when the store shows it.
    pub saved_by: Option<i64>,
}

/// A product merchants see in "most wished".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MostWished {
    pub sku: String,
    pub title: String,
    /// Shoppers and guests who have it in a list.
    pub savers: i64,
}

/// A product a shopper (row id) saved, still on their list, for what followed it; the price it had then is in
/// the store's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveFact {
    pub shopper: i64,
    pub product: i64,
    pub saved_at: Millis,
    pub saved_price_minor: i64,
}

/// The saves of a period still on a list, for the merchant's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveActivity {
    pub saves: i64,
    /// Shoppers and guests who saved.
    pub savers: i64,
    /// Saves per product (row id).
    pub by_product: Vec<(i64, i64)>,
    /// The shoppers' saves at a price in the store's currency (guests' name no shopper).
    pub by_shoppers: Vec<SaveFact>,
}
