//! The store's catalogue: categories and products as the merchant pushes them, and as shoppers see them.

pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use server::*;
pub use widget::ProductGrid;

use crate::kernel::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every criterion a category may ask its reviews to rate besides the overall stars. A fixed vocabulary, so that
/// each has a name in every language (`reviews.criterion.<name>` in the translation files).
pub const CRITERIA_VOCABULARY: [&str; 12] = [
    "quality",
    "value",
    "fit",
    "delivery",
    "comfort",
    "durability",
    "ease_of_use",
    "battery_life",
    "sound",
    "taste",
    "freshness",
    "design",
];

/// The most criteria one category may ask for: more would make writing a review a chore.
pub const MAX_CRITERIA: usize = 5;

/// A category as shown to a shopper, in the shopper's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub slug: String,
    pub name: String,
}

/// What a product card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub sku: String,
    pub title: String,
    pub image_url: String,
    pub price: Money,
    pub stock: i64,
}

/// A product page's data, in the shopper's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub sku: String,
    pub title: String,
    pub description: String,
    pub image_url: String,
    pub page_url: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub category: Category,
}

/// One page of a category's products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub category: Category,
    pub products: Vec<ProductCard>,
    pub page: i64,
    pub pages: i64,
}

/// A category as the merchant API receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// URL-safe identifier, e.g. `kitchen`.
    pub slug: String,
    /// Name in the store's default language.
    pub name: String,
    /// Names in other languages, keyed by locale (`zh-CN`).
    #[serde(default)]
    pub translations: BTreeMap<String, String>,
    /// Order in menus, smallest first.
    #[serde(default)]
    pub position: i64,
    /// What reviews in this category rate besides the overall stars, at most five names from `quality`, `value`,
    /// `fit`, `delivery`, `comfort`, `durability`, `ease_of_use`, `battery_life`, `sound`, `taste`, `freshness`,
    /// `design`. Omitted: `quality`, `value`, `delivery`. Empty: overall stars only.
    #[serde(default)]
    pub review_criteria: Option<Vec<String>>,
    /// Whether shoppers buy this category's products again and again (coffee, groceries): the personalised feed
    /// keeps recommending them after a purchase. Omitted: no.
    #[serde(default)]
    pub repeatable: bool,
}

/// Title and description of a product in one more language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductText {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// A product as the merchant API receives it: created when the SKU is new, replaced otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// The merchant's stock-keeping unit, unique in the store.
    pub sku: String,
    /// Slug of an existing category.
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute http(s) URL or a path on this server.
    #[serde(default)]
    pub image_url: String,
    /// The product's page in the merchant's store.
    #[serde(default)]
    pub page_url: String,
    /// Price in minor units of `currency` (fen, cents).
    pub price_minor: i64,
    /// ISO 4217 code, e.g. `CNY`.
    pub currency: String,
    pub stock: i64,
    #[serde(default = "yes")]
    pub active: bool,
    /// Title and description in other languages, keyed by locale (`zh-CN`).
    #[serde(default)]
    pub translations: BTreeMap<String, ProductText>,
}

fn yes() -> bool {
    true
}

/// A new price for an existing product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriceChange {
    pub sku: String,
    pub price_minor: i64,
    /// Must be the product's currency.
    pub currency: String,
}

/// A new stock level for an existing product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockChange {
    pub sku: String,
    pub stock: i64,
}
