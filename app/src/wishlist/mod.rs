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

/// A shopper's save of a product, as an order of that product by them is matched with it
/// ([`rules::followed_save`], [`rules::followed_fall`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyersSave {
    /// The list it is on (row id): with the product, the save's key.
    pub list: i64,
    pub shopper: i64,
    pub product: i64,
    pub saved_at: Millis,
    /// When the price first fell below the saved price within [`rules::SAVE_WINDOW`] of saving, if it did.
    pub fell_at: Option<Millis>,
    /// The currency of the saved price: only orders in it follow the save.
    pub currency: String,
}

/// What an order's product followed: the save itself, or the fall of the saved price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveTouch {
    Save,
    Fall,
}

impl SaveTouch {
    /// The name the database keeps.
    pub fn name(self) -> &'static str {
        match self {
            Self::Save => "save",
            Self::Fall => "fall",
        }
    }
}

/// An order's product that followed a save or its price's fall, as the flow records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFollowed {
    pub save: BuyersSave,
    pub touch: SaveTouch,
    pub order: i64,
    /// The order's lines of the product: their quantity times unit price, in `currency`.
    pub value_minor: i64,
    pub currency: String,
}

/// One product's saves of a period still on a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProductSaves {
    pub product: i64,
    /// Saves by shoppers and guests.
    pub saves: i64,
    /// The shoppers' saves at a price in the store's currency that saw that price fall.
    pub fell: i64,
    /// The shoppers' saves followed by an order of the product within [`rules::SAVE_WINDOW`], and those orders'
    /// value.
    pub bought: i64,
    pub bought_value_minor: i64,
    /// The saves followed by an order within [`rules::FALL_WINDOW`] of their fall, and those orders' value.
    pub bought_after_fall: i64,
    pub after_fall_value_minor: i64,
}

/// The saves of a period still on a list, for the merchant's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveActivity {
    pub saves: i64,
    /// Shoppers and guests who saved.
    pub savers: i64,
    /// Per product (row id), in the products' order.
    pub by_product: Vec<ProductSaves>,
}
