//! Carts: what each shopper (or guest) has in the store's cart, as far as Rapport hears of it. The cart itself is
//! the store's; Rapport keeps its lines to tell a shopper when something in it gets cheaper
//! ([`crate::flows::cart_price_drops`]). The lines come from the pages' cart events ([`add_to_cart`],
//! [`remove_from_cart`]) and from the store's server, which may send the whole cart (`PUT /api/v1/carts/{shopper_id}`).

pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use server::*;

use crate::kernel::money::Money;
use serde::{Deserialize, Serialize};

/// The most lines one cart may hold.
pub const MAX_CART_LINES: usize = 200;
/// The most of one product a cart line may hold, as the pages' "Add to cart" allows.
pub const MAX_CART_QUANTITY: i64 = 99;

/// A shopper's whole cart as the store's server sends it: it replaces what Rapport knew of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartInput {
    /// Every line of the cart, one per product; empty for an emptied cart.
    pub lines: Vec<CartLineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartLineInput {
    pub sku: String,
    /// From 1 to 99.
    pub quantity: i64,
}

/// A shopper's cart as Rapport knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Cart {
    /// The store's shopper id.
    pub shopper_id: String,
    /// Oldest first.
    pub lines: Vec<CartLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartLine {
    pub sku: String,
    pub quantity: i64,
    /// The price a drop is measured against: the price when the product was last put in the cart from a page (or
    /// first appeared in the cart the store sent), or the price the shopper was last told of.
    pub watched_price: Money,
    /// RFC 3339, when the product was put in the cart.
    pub carted_at: String,
    /// RFC 3339, when the shopper was last told of a drop; absent until then.
    pub notified_at: Option<String>,
}
