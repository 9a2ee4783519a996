//! Price-drop and back-in-stock alerts: shoppers (or guests, by confirmed email) ask to hear when a product gets
//! cheaper or comes back; a price or stock change through the merchant API writes the notices it causes into an
//! outbox in the same transaction, and workers deliver them by email and webhook while the in-widget inbox shows
//! them at once.

mod pages;
pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use pages::{AlertConfirmPage, AlertUnsubscribePage};
pub use server::*;
pub use widget::{ALERT_SUBSCRIBED_EVENT, AlertInbox, MyAlerts, PRICE_ALERT_ANCHOR, PriceAlert};

use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};

/// When a price alert fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PriceRule {
    /// Any real drop (above the store's minimum drop).
    AnyDrop,
    /// A drop to or below a target price.
    Below { target_minor: i64 },
    /// A drop of at least this percentage of the price it is measured against.
    ByPercent { percent: i64 },
}

impl PriceRule {
    /// The name the database stores.
    pub fn name(&self) -> &'static str {
        match self {
            PriceRule::AnyDrop => "any",
            PriceRule::Below { .. } => "target",
            PriceRule::ByPercent { .. } => "percent",
        }
    }
}

/// What an alert waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    PriceDrop,
    BackInStock,
}

impl AlertKind {
    pub fn name(&self) -> &'static str {
        match self {
            AlertKind::PriceDrop => "price_drop",
            AlertKind::BackInStock => "back_in_stock",
        }
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// A guest's alert waiting for its email address to be confirmed.
    Unconfirmed,
    Active,
    /// A back-in-stock alert that has told its shopper; it fires once.
    Fired,
    Cancelled,
}

/// One alert as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub sku: String,
    pub title: String,
    pub kind: AlertKind,
    pub rule: PriceRule,
    /// The price a further drop is measured against.
    pub reference: Money,
    pub status: AlertStatus,
    pub created_at: Millis,
    pub last_notified_at: Option<Millis>,
}

/// A product's price and stock with the viewer's live alerts on it, for the `PriceAlert` widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductAlerts {
    pub price: Money,
    pub stock: i64,
    pub price_drop: Option<Alert>,
    pub back_in_stock: Option<Alert>,
    /// Whether a guest may subscribe with an email address (the store sends email).
    pub guest_email: bool,
}

/// What a notice tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    PriceDrop,
    BackInStock,
    /// Something in the shopper's wish list got dearer (for shoppers who asked to hear it).
    PriceRise,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::PriceDrop,
        NoticeKind::BackInStock,
        NoticeKind::PriceRise,
    ];

    /// Its name in the store and in reports, e.g. `back_in_stock`.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::PriceDrop => "price_drop",
            NoticeKind::BackInStock => "back_in_stock",
            NoticeKind::PriceRise => "price_rise",
        }
    }

    pub fn from_name(name: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// The notices of one kind given to shoppers in a period, for the merchant's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeTally {
    pub kind: NoticeKind,
    pub notices: i64,
    pub emailed: i64,
    /// Shown in the widget's inbox (emails' opens are not tracked).
    pub seen: i64,
    /// Their tracked link was followed.
    pub clicked: i64,
}

/// A notice given to a shopper (row id) about a product (row id): what an order of the product may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeGiven {
    pub id: i64,
    pub kind: NoticeKind,
    pub shopper: i64,
    pub product: i64,
    pub at: Millis,
}

/// An order's products (its lines of one product) that followed a notice ([`rules::followed_notice`]), as the
/// flow that saw the order came in records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFollowed {
    pub notice: NoticeGiven,
    /// The order's row id.
    pub order: i64,
    /// The order's lines of the product, and their quantity times unit price in `currency`.
    pub purchases: i64,
    pub value_minor: i64,
    pub currency: String,
}

/// What followed the notices of one kind given in a period: the products their shoppers ordered after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeCredit {
    pub kind: NoticeKind,
    pub purchases: i64,
    pub value_minor: i64,
}

/// The notices of a period, counted per kind, and what followed them per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeActivity {
    pub tallies: Vec<NoticeTally>,
    pub credits: Vec<NoticeCredit>,
}

/// Alerts of one kind that shoppers set up in a period, and how many of them are confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertsStarted {
    pub kind: AlertKind,
    pub started: i64,
    pub confirmed: i64,
}

/// A notice in the shopper's inbox. Every price notice shows the lowest price of the 30 days before the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub sku: String,
    pub title: String,
    pub old_price: Money,
    pub new_price: Money,
    pub lowest_30_days: Money,
    pub created_at: Millis,
    pub read: bool,
}

/// The shopper's in-widget notices, newest first, with how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub unread: i64,
    pub notices: Vec<Notice>,
}

/// How alerts do on one product, for the merchant: who waits for what, and what the notices achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductAlertReport {
    pub sku: String,
    pub title: String,
    /// Live price-drop alerts (confirmed, or a signed-in shopper's).
    pub price_alerts: i64,
    /// Live back-in-stock alerts.
    pub stock_alerts: i64,
    /// Notices delivered: emails and webhooks sent, and inbox notices of shoppers who are not emailed (an emailed
    /// shopper's inbox shows the email's notice at once).
    pub notices_sent: i64,
    /// Email and webhook notices still waiting or being retried.
    pub notices_queued: i64,
    /// Notices given up on after the store's attempts; see the failed list for why.
    pub notices_failed: i64,
    /// Notices whose tracked link was opened at least once.
    pub notices_clicked: i64,
}

/// A notice that could not be delivered, for the merchant to look into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FailedNotice {
    pub id: i64,
    pub sku: String,
    pub channel: String,
    pub kind: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}
