//! What counts on the "Widgets at work" page, as plain functions of what the capabilities recorded.
//!
//! **An order follows a touch** (a notice, a save, a price fall of a saved product) when the shopper touched
//! orders that product after it and within the touch's window: 7 days for a notice or a price fall, 30 days for a
//! save. Each product bought on an order follows at most one touch of a kind (any notice, a save, a fall): the
//! latest before it, wherever it falls. What an order followed is recorded when the order comes in
//! ([`crate::alerts::rules::followed_notice`], `flows::notice_purchases`; [`crate::wishlist::rules::followed_save`]
//! and [`crate::wishlist::rules::followed_fall`], `flows::save_purchases`). Cancelled orders, orders refunded in
//! full, and orders in another currency do not count; a line is worth its quantity times its unit price. A
//! guest's touches follow no order: orders name a shopper.

use super::{
    AlertFigures, DroppedProduct, EmailFigures, ModerationWait, ReviewFigures, ReviewMonth,
    TierActivity, TierMonth, TierName, TierReviewMoves, WishListFigures, WishedProduct,
};
use crate::alerts::{AlertsStarted, NoticeActivity, NoticeKind};
use crate::insights::rules::Period;
use crate::kernel::time::{DAY_MS, Millis, Month, iso_date};
use crate::messages::{MessageFact, MessageKind, Purpose};
use crate::orders::ShopperOrder;
use crate::reviews::{ReviewStatus, ReviewsOfDay, VotesCast};
use crate::tiers::{Tier, TierMovesOfDay};
use crate::wishlist::SaveActivity;
use std::collections::{BTreeMap, HashMap};

/// How long after a notice or an email an order of it counts.
pub use crate::alerts::rules::NOTICE_WINDOW;
/// Products in each of the wish lists' tables.
pub const TOP_PRODUCTS: usize = 10;

/// The alerts' figures per kind of notice: the alerts set up, the notices given and what shoppers did with them,
/// and the products ordered after them. Each purchase follows at most one notice, of whatever kind: a restock that
/// also cut the price tells a shopper twice, and the order counts once, for the later notice.
pub fn alert_figures(started: &[AlertsStarted], notices: &NoticeActivity) -> Vec<AlertFigures> {
    NoticeKind::ALL
        .into_iter()
        .map(|kind| {
            let set_up = started.iter().find(|s| s.kind.name() == kind.name());
            let tally = notices.tallies.iter().find(|t| t.kind == kind);
            let credit = notices.credits.iter().find(|c| c.kind == kind);
            AlertFigures {
                kind: kind.name().to_owned(),
                alerts_started: set_up.map_or(0, |s| s.started),
                alerts_confirmed: set_up.map_or(0, |s| s.confirmed),
                notices: tally.map_or(0, |t| t.notices),
                emailed: tally.map_or(0, |t| t.emailed),
                seen: tally.map_or(0, |t| t.seen),
                clicked: tally.map_or(0, |t| t.clicked),
                purchases: credit.map_or(0, |c| c.purchases),
                value_minor: credit.map_or(0, |c| c.value_minor),
            }
        })
        .collect()
}

/// The wish lists' figures with each product as its row id, to be named ([`WishListRanks::named`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishListRanks {
    pub saves: i64,
    pub savers: i64,
    pub bought: i64,
    pub bought_value_minor: i64,
    /// (product, saves, bought), most saved first.
    pub most_wished: Vec<(i64, i64, i64)>,
    pub not_bought: Vec<(i64, i64, i64)>,
    /// (product, saves that saw a fall, bought after it, value), most bought first.
    pub price_drops: Vec<(i64, i64, i64, i64)>,
}

impl WishListRanks {
    /// Every product the figures name.
    pub fn products(&self) -> Vec<i64> {
        let mut products: Vec<i64> = self
            .most_wished
            .iter()
            .chain(&self.not_bought)
            .map(|(product, _, _)| *product)
            .chain(self.price_drops.iter().map(|(product, ..)| *product))
            .collect();
        products.sort_unstable();
        products.dedup();
        products
    }

    /// The figures, each product by its store code and title (`names`).
    pub fn named(self, names: &HashMap<i64, (String, String)>) -> WishListFigures {
        let named = |product: i64| {
            names
                .get(&product)
                .cloned()
                .unwrap_or_else(|| (product.to_string(), String::new()))
        };
        let wished = |(product, saves, bought): (i64, i64, i64)| {
            let (sku, title) = named(product);
            WishedProduct {
                sku,
                title,
                saves,
                bought,
            }
        };
        WishListFigures {
            saves: self.saves,
            savers: self.savers,
            bought: self.bought,
            bought_value_minor: self.bought_value_minor,
            most_wished: self.most_wished.into_iter().map(wished).collect(),
            not_bought: self.not_bought.into_iter().map(wished).collect(),
            price_drops: self
                .price_drops
                .into_iter()
                .map(|(product, saves, bought, value_minor)| {
                    let (sku, title) = named(product);
                    DroppedProduct {
                        sku,
                        title,
                        saves,
                        bought,
                        value_minor,
                    }
                })
                .collect(),
        }
    }
}

/// The wish lists' figures: which saves their savers bought, the most saved products, and the price falls that
/// turned saves into orders, from a period's saves and what followed them.
pub fn wish_list_ranks(activity: &SaveActivity) -> WishListRanks {
    let mut ranked: Vec<(i64, i64, i64)> = activity
        .by_product
        .iter()
        .map(|counted| (counted.product, counted.saves, counted.bought))
        .collect();
    ranked.sort_by_key(|(product, saves, _)| (std::cmp::Reverse(*saves), *product));
    let most_wished = ranked.iter().copied().take(TOP_PRODUCTS).collect();
    let not_bought = ranked
        .iter()
        .copied()
        .filter(|(_, _, bought)| *bought == 0)
        .take(TOP_PRODUCTS)
        .collect();
    let mut price_drops: Vec<(i64, i64, i64, i64)> = activity
        .by_product
        .iter()
        .filter(|counted| counted.fell > 0)
        .map(|counted| {
            (
                counted.product,
                counted.fell,
                counted.bought_after_fall,
                counted.after_fall_value_minor,
            )
        })
        .collect();
    price_drops.sort_by_key(|(product, saves, bought, _)| {
        (
            std::cmp::Reverse(*bought),
            std::cmp::Reverse(*saves),
            *product,
        )
    });
    price_drops.truncate(TOP_PRODUCTS);
    WishListRanks {
        saves: activity.saves,
        savers: activity.savers,
        bought: activity.by_product.iter().map(|c| c.bought).sum(),
        bought_value_minor: activity
            .by_product
            .iter()
            .map(|c| c.bought_value_minor)
            .sum(),
        most_wished,
        not_bought,
        price_drops,
    }
}

/// The reviews' figures, month by month over `period`, from the reviews `written` in it and the `votes` cast.
pub fn review_figures(written: &[ReviewsOfDay], votes: VotesCast, period: Period) -> ReviewFigures {
    let mut months: Vec<ReviewMonth> = months_of(period)
        .into_iter()
        .map(|month| ReviewMonth {
            month: month.label(),
            ratings: vec![0; 5],
            verified: 0,
        })
        .collect();
    let first = Month::of(period.from);
    let mut figures = ReviewFigures {
        written: 0,
        published: 0,
        pending: 0,
        rejected: 0,
        verified: 0,
        ratings: vec![0; 5],
        months: Vec::new(),
        helpful_votes: votes.helpful,
        not_helpful_votes: votes.not_helpful,
    };
    for day in written {
        let stars = usize::from(day.rating.clamp(1, 5)) - 1;
        figures.written += day.reviews;
        figures.ratings[stars] += day.reviews;
        match day.status {
            ReviewStatus::Published => figures.published += day.reviews,
            ReviewStatus::Pending => figures.pending += day.reviews,
            ReviewStatus::Rejected => figures.rejected += day.reviews,
        }
        if day.verified {
            figures.verified += day.reviews;
        }
        let month = Month::of(Millis::days(day.day));
        let Some(row) = months.get_mut(month.months_since(first)) else {
            continue;
        };
        row.ratings[stars] += day.reviews;
        if day.verified {
            row.verified += day.reviews;
        }
    }
    figures.months = months;
    figures
}

/// Every month `period` touches, oldest first.
fn months_of(period: Period) -> Vec<Month> {
    let last = Month::of(period.to - Millis(1));
    let mut month = Month::of(period.from);
    let mut months = vec![month];
    while month < last {
        month = month.next();
        months.push(month);
    }
    months
}

/// How long the reviews waiting now (`since`: when each started waiting) have waited, in days.
pub fn moderation_wait(since: &[Millis], now: Millis) -> ModerationWait {
    let mut days: Vec<f64> = since
        .iter()
        .map(|at| now.saturating_sub(*at).ratio(DAY_MS))
        .collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    ModerationWait {
        waiting: days.len() as i64,
        oldest_days: days.last().copied(),
        median_days: median,
    }
}

/// The tiers' activity over `period`: `now` is each tier's members today (lowest first, as `tiers`), `moves`
/// every tier change from the period's start until today. A member's past tier is today's with the later moves
/// undone; codes the rules no longer hold count as the lowest tier.
pub fn tier_activity(
    tiers: &[Tier],
    now: &[i64],
    moves: &[TierMovesOfDay],
    period: Period,
) -> TierActivity {
    let rank = |code: Option<&String>| {
        code.and_then(|code| tiers.iter().position(|tier| tier.code == *code))
            .unwrap_or(0)
    };
    let mut months = Vec::new();
    for month in months_of(period) {
        let end = month.next().start().min(period.to);
        let mut members: Vec<i64> = now.to_vec();
        for change in moves.iter().filter(|m| Millis::days(m.day) >= end) {
            members[rank(Some(&change.to))] -= change.members;
            if change.from.is_some() {
                members[rank(change.from.as_ref())] += change.members;
            }
        }
        months.push(TierMonth {
            month: month.label(),
            members: members.into_iter().skip(1).collect(),
        });
    }
    let mut reviews: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let (mut growth_up, mut growth_down) = (0, 0);
    for change in moves.iter().filter(|m| period.holds(Millis::days(m.day))) {
        let (to, from) = (rank(Some(&change.to)), rank(change.from.as_ref()));
        // A code the rules no longer hold counts as the lowest tier: a move from it to the lowest is no move.
        if to == from {
            continue;
        }
        let up = to > from;
        let (ups, downs) = if change.at_review {
            let day = reviews.entry(change.day).or_default();
            (&mut day.0, &mut day.1)
        } else {
            (&mut growth_up, &mut growth_down)
        };
        if up {
            *ups += change.members;
        } else {
            *downs += change.members;
        }
    }
    TierActivity {
        tiers: tiers
            .iter()
            .map(|tier| TierName {
                code: tier.code.clone(),
                names: tier.names.clone(),
            })
            .collect(),
        months,
        reviews: reviews
            .into_iter()
            .map(|(day, (up, down))| TierReviewMoves {
                day: iso_date(Millis::days(day)),
                up,
                down,
            })
            .collect(),
        growth_up,
        growth_down,
    }
}

/// The emails' figures per kind of message. **An order follows an email** when its buyer placed it after the
/// email was delivered to them and within [`NOTICE_WINDOW`] of it; each order follows at most one email, the
/// latest delivered before it, of whatever kind. `orders` are the recipients' paid orders in the store's currency.
/// Messages handed to the store's webhook are counted apart, and no order follows them: the store's other channel
/// reached the shopper, not Rapport's email.
pub fn email_figures(messages: &[MessageFact], orders: &[ShopperOrder]) -> Vec<EmailFigures> {
    let mut delivered: HashMap<i64, Vec<(Millis, MessageKind)>> = HashMap::new();
    let emailed = |message: &&MessageFact| !message.webhook;
    for message in messages.iter().filter(emailed) {
        if let Some(at) = message.sent_at {
            delivered
                .entry(message.shopper)
                .or_default()
                .push((at, message.kind));
        }
    }
    for times in delivered.values_mut() {
        times.sort_unstable_by_key(|(at, _)| *at);
    }
    let mut credit: HashMap<MessageKind, (i64, i64)> = HashMap::new();
    for order in orders {
        let Some(times) = delivered.get(&order.shopper) else {
            continue;
        };
        let before = times.partition_point(|(at, _)| *at < order.at);
        if let Some(&(at, kind)) = before.checked_sub(1).map(|last| &times[last])
            && order.at - at <= NOTICE_WINDOW
        {
            let (purchases, value) = credit.entry(kind).or_default();
            *purchases += 1;
            *value += order.value_minor;
        }
    }
    MessageKind::ALL
        .into_iter()
        .map(|kind| {
            let of_kind = || messages.iter().filter(move |message| message.kind == kind);
            let delivered = || {
                of_kind()
                    .filter(emailed)
                    .filter(|message| message.sent_at.is_some())
            };
            let (purchases, value_minor) = credit.get(&kind).copied().unwrap_or_default();
            EmailFigures {
                kind: kind.key().to_owned(),
                purpose: match kind.purpose() {
                    Purpose::Transactional => "transactional",
                    Purpose::Marketing => "marketing",
                }
                .to_owned(),
                queued: of_kind().count() as i64,
                delivered: delivered().count() as i64,
                failed: of_kind().filter(|message| message.failed).count() as i64,
                to_webhook: of_kind()
                    .filter(|message| message.webhook && message.sent_at.is_some())
                    .count() as i64,
                opened: delivered().filter(|message| message.opened).count() as i64,
                clicked: delivered().filter(|message| message.clicked).count() as i64,
                purchases,
                value_minor,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
