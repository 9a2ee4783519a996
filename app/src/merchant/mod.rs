//! The merchant's pages that compose capabilities: "Widgets at work" shows what the alerts, wish lists, reviews,
//! member tiers and the feed's shelves did in a period, and what orders followed them. Each capability reads its own tables (`ssr` of
//! each); what counts as an order that followed a notice or a save is written once, in `rules.rs`, and stated on
//! the page.

#[cfg(feature = "ssr")]
pub mod csv;
mod pages;
pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use pages::WidgetsAtWorkPage;
pub use server::*;

use crate::feed::feedback::ShelfFigures;
use crate::insights::{Comparison, DateSpan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the widgets did in a period, against the comparison period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WidgetReport {
    pub period: DateSpan,
    pub comparison: Comparison,
    pub previous: DateSpan,
    /// The currency values are summed in; orders in any other are not counted.
    pub currency: String,
    pub figures: WidgetFigures,
    /// The period's headline figures, and the comparison period's.
    pub headlines: WidgetHeadlines,
    pub before: WidgetHeadlines,
    /// The moderation queue as it stands now.
    pub moderation: ModerationWait,
    pub tiers: TierActivity,
}

/// The figures of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WidgetFigures {
    /// One row per kind of notice: price drops, back in stock, price rises of wished products.
    pub alerts: Vec<AlertFigures>,
    pub wish_lists: WishListFigures,
    pub reviews: ReviewFigures,
    /// Every shelf of the feed (the home feed's sections, the product pages' lists): cards shown and clicked.
    pub feed: Vec<ShelfFigures>,
    /// One row per kind of message (answers, review requests, unpaid-order reminders, cart price drops).
    #[serde(default)]
    pub emails: Vec<EmailFigures>,
}

/// The emails of one kind queued in a period, and what followed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmailFigures {
    /// `question_answered`, `review_request` or `unpaid_order`.
    pub kind: String,
    /// `transactional` or `marketing`.
    pub purpose: String,
    /// Queued in the period.
    pub queued: i64,
    /// Accepted by the shopper's mail server.
    pub delivered: i64,
    /// Given up: the address was refused, or every attempt failed.
    pub failed: i64,
    /// Handed to the store's webhook instead: their shopper had stopped opening marketing email.
    #[serde(default)]
    pub to_webhook: i64,
    /// Delivered emails opened: their image fetched (where the store tracks opens), or their link followed.
    pub opened: i64,
    /// Delivered emails whose tracked link was followed.
    pub clicked: i64,
    /// Orders the recipient placed within 7 days after a delivered email, each following the latest before it.
    pub purchases: i64,
    /// Their value less refunds, in minor units of the store's currency.
    pub value_minor: i64,
}

impl WidgetFigures {
    pub fn headlines(&self) -> WidgetHeadlines {
        WidgetHeadlines::of(&self.alerts, self.wish_lists.saves, &self.reviews)
    }
}

/// The figures the page compares with the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WidgetHeadlines {
    /// Notices given to shoppers, of every kind.
    pub notices: i64,
    /// Products bought within 7 days after a notice of them, and their value.
    pub purchases_after_notices: i64,
    pub value_after_notices_minor: i64,
    /// Wish-list saves still on a list.
    pub saves: i64,
    pub reviews: i64,
    pub average_rating: Option<f64>,
}

impl WidgetHeadlines {
    pub fn of(alerts: &[AlertFigures], saves: i64, reviews: &ReviewFigures) -> WidgetHeadlines {
        WidgetHeadlines {
            notices: alerts.iter().map(|row| row.notices).sum(),
            purchases_after_notices: alerts.iter().map(|row| row.purchases).sum(),
            value_after_notices_minor: alerts.iter().map(|row| row.value_minor).sum(),
            saves,
            reviews: reviews.written,
            average_rating: reviews.average(),
        }
    }
}

/// Alerts of one kind: set up, notices given, and what followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AlertFigures {
    /// `price_drop`, `back_in_stock` or `price_rise`.
    pub kind: String,
    /// Alerts shoppers set up in the period (none for price rises: those follow wish lists).
    pub alerts_started: i64,
    /// Of those, the ones confirmed (a guest's email alert needs the double opt-in).
    pub alerts_confirmed: i64,
    /// Notices given to shoppers, in the widget's inbox or by email.
    pub notices: i64,
    pub emailed: i64,
    /// Notices the shopper saw in the widget's inbox (opens of emails are not tracked).
    pub seen: i64,
    /// Notices whose tracked link was followed.
    pub clicked: i64,
    /// Products bought within 7 days after a notice of them, by the shopper notified (order lines).
    pub purchases: i64,
    /// Their value, in minor units of the store's currency.
    pub value_minor: i64,
}

/// Wish lists in a period: what was saved, and what the savers went on to buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WishListFigures {
    /// Products saved in the period and still on a list.
    pub saves: i64,
    /// The shoppers and guests who saved them.
    pub savers: i64,
    /// Saves the saver bought within 30 days.
    pub bought: i64,
    pub bought_value_minor: i64,
    /// The most saved products, most first.
    pub most_wished: Vec<WishedProduct>,
    /// The most saved products that no saver bought, most first.
    pub not_bought: Vec<WishedProduct>,
    /// Products whose price fell below the saved price, with the saves bought within 7 days of the fall.
    pub price_drops: Vec<DroppedProduct>,
}

/// A product's saves in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WishedProduct {
    pub sku: String,
    pub title: String,
    pub saves: i64,
    /// Saves bought by their saver within 30 days.
    pub bought: i64,
}

/// A product whose price fell after shoppers saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DroppedProduct {
    pub sku: String,
    pub title: String,
    /// Saves of the period whose product fell below the saved price within 30 days of saving.
    pub saves: i64,
    /// Of those, bought by the saver within 7 days after the fall.
    pub bought: i64,
    pub value_minor: i64,
}

/// Reviews written in a period, as they stand now, and the helpfulness votes cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewFigures {
    pub written: i64,
    pub published: i64,
    pub pending: i64,
    pub rejected: i64,
    /// Written by a buyer of the product.
    pub verified: i64,
    /// Reviews with 1 to 5 stars.
    pub ratings: Vec<i64>,
    /// Month by month, oldest first.
    pub months: Vec<ReviewMonth>,
    pub helpful_votes: i64,
    pub not_helpful_votes: i64,
}

impl ReviewFigures {
    /// The mean rating, when there are reviews.
    pub fn average(&self) -> Option<f64> {
        let stars: i64 = (1..).zip(&self.ratings).map(|(stars, n)| stars * n).sum();
        (self.written > 0).then(|| stars as f64 / self.written as f64)
    }
}

/// The reviews written in one month (`2026-01`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewMonth {
    pub month: String,
    /// Reviews with 1 to 5 stars.
    pub ratings: Vec<i64>,
    pub verified: i64,
}

/// How long reviews have waited for moderation, now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModerationWait {
    pub waiting: i64,
    pub oldest_days: Option<f64>,
    pub median_days: Option<f64>,
}

/// Member tiers: members at each month's end, and the moves up and down in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierActivity {
    /// The tiers of the rules in force, lowest first.
    pub tiers: Vec<TierName>,
    /// Members of each tier above the lowest (which holds every other shopper) at each month's end.
    pub months: Vec<TierMonth>,
    /// The moves of each periodic review in the period, oldest first.
    pub reviews: Vec<TierReviewMoves>,
    /// Moves up between reviews, as orders, refunds and review awards arrived.
    pub growth_up: i64,
    pub growth_down: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierName {
    pub code: String,
    /// Per language.
    pub names: BTreeMap<String, String>,
}

/// Members per tier above the lowest, at the end of a month (`2026-01`, or its last day in the period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierMonth {
    pub month: String,
    /// In the order of the tiers, the lowest left out.
    pub members: Vec<i64>,
}

/// What one periodic review (a day, `2026-01-01`) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierReviewMoves {
    pub day: String,
    pub up: i64,
    pub down: i64,
}
