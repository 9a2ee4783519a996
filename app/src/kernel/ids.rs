//! Row ids that must not be taken for one another: a shopper's and a product's keys are both integers, and they
//! travel side by side (an event names both; a product lookup returns its key beside its price and stock). The
//! store's own ids (SKUs, shopper ids) are text and need no such help.

use serde::{Deserialize, Serialize};

/// A shopper's row id in Rapport's database, not the store's shopper id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct ShopperKey(pub i64);

/// A product's row id in Rapport's database, not its SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct ProductKey(pub i64);
