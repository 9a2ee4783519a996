//! Orders and refunds, as the merchant's systems report them. Idempotency keys make retries safe.

mod server;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use server::*;

use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub sku: String,
    pub quantity: i64,
    /// Price paid per unit, in minor units of the order's currency.
    pub unit_price_minor: i64,
}

/// A paid order as the merchant API receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The store's own order number.
    pub order_id: String,
    /// The store's shopper id.
    pub shopper_id: String,
    pub currency: String,
    pub lines: Vec<OrderLineInput>,
    #[serde(default)]
    pub shipping_minor: i64,
    #[serde(default)]
    pub tax_minor: i64,
    /// RFC 3339 time the order was paid; now when absent. Not in the future.
    #[serde(default)]
    pub placed_at: Option<String>,
}

/// A refund of part or all of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub amount_minor: i64,
    /// RFC 3339 time of the refund; now when absent. Not in the future.
    #[serde(default)]
    pub refunded_at: Option<String>,
}

/// Where an order stands after a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderOutcome {
    pub order_id: String,
    /// `paid`, `refunded` or `cancelled`.
    pub status: String,
    pub total_minor: i64,
    pub refunded_minor: i64,
    /// True when this request repeated an earlier one with the same idempotency key and changed nothing.
    pub replayed: bool,
}

/// An order placed but not paid yet, as the merchant API receives it (`PUT /api/v1/unpaid-orders/{order_id}`). It
/// counts as no purchase; its buyer is reminded once, a while after placing it, unless it is paid (recorded through
/// `POST /api/v1/orders` under the same number) or cancelled first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnpaidOrderInput {
    /// The store's shopper id.
    pub shopper_id: String,
    pub currency: String,
    pub lines: Vec<OrderLineInput>,
    #[serde(default)]
    pub shipping_minor: i64,
    #[serde(default)]
    pub tax_minor: i64,
    /// RFC 3339 time the order was placed; now when absent. Not in the future.
    #[serde(default)]
    pub placed_at: Option<String>,
    /// The store's page where the buyer pays for this order (an absolute `https://` or `http://` address): the
    /// reminder's button.
    pub payment_url: String,
}

/// An unpaid order as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnpaidOrderState {
    pub order_id: String,
    pub shopper_id: String,
    pub total: Money,
    pub payment_url: String,
    /// RFC 3339.
    pub placed_at: String,
    /// RFC 3339, when its reminder was considered; absent while it is still to come.
    pub reminded_at: Option<String>,
}

/// An unpaid order whose reminder is due, with what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidOrder {
    pub unpaid_key: i64,
    pub order_id: String,
    pub shopper: crate::kernel::ids::ShopperKey,
    pub total: Money,
    pub payment_url: String,
    /// Each line's product and quantity, in the order's line order.
    pub lines: Vec<(crate::kernel::ids::ProductKey, i64)>,
}

/// How far an order has come on its way to the shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Fulfilment {
    Shipped,
    Delivered,
}

/// A report of an order's shipping or delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FulfilmentInput {
    pub status: Fulfilment,
    /// RFC 3339 time it happened; now when absent. Not before the order was placed, nor in the future.
    #[serde(default)]
    pub at: Option<String>,
}

/// An order's way to the shopper, as reported so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FulfilmentState {
    pub order_id: String,
    /// RFC 3339, when shipped (a delivery reported first counts as shipped then too).
    pub shipped_at: Option<String>,
    /// RFC 3339, when delivered.
    pub delivered_at: Option<String>,
}

/// An order delivered long enough ago to ask its buyer for reviews, with what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredOrder {
    pub order_key: i64,
    pub order_id: String,
    pub shopper: crate::kernel::ids::ShopperKey,
    /// The products ordered, in the order's line order, each once.
    pub products: Vec<crate::kernel::ids::ProductKey>,
}

/// A past order as its buyer sees it on their account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order_id: String,
    pub placed_at: Millis,
    /// `paid`, `refunded` or `cancelled`.
    pub status: String,
    pub total: Money,
    pub items: i64,
}

/// A shopper the demo's sign-in page offers, with how many orders they placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub shopper_id: String,
    pub display_name: String,
    pub orders: i64,
}

/// Where a reader of the orders' values stands (`ssr::order_values_since`): every change committed before it was
/// read. On PostgreSQL the oldest transaction still running at the read, on SQLite one past the changes counted.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderMark(pub(super) i64);

/// What an order is worth to the store's figures, as it stands.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderValue {
    /// The order's row id.
    pub order: i64,
    /// The buyer's row id.
    pub shopper: i64,
    pub placed_at: Millis,
    /// Lines, shipping and tax, less refunds, in minor units of the order's currency.
    pub value_minor: i64,
    /// Still paid: neither cancelled nor refunded in full.
    pub paid: bool,
    /// In the currency the reader asked about.
    pub in_currency: bool,
}

/// A paid order as the merchant's figures of what an email led to count it: `shopper` is the buyer's row id,
/// `value_minor` its total less refunds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShopperOrder {
    pub shopper: i64,
    pub at: Millis,
    pub value_minor: i64,
}
