//! What counts on the "Widgets at work" page, as plain functions of what the capabilities recorded.
//!
//! **An order follows a touch** (a notice, a save, a price fall of a saved product) when the shopper touched
//! orders that product after it and within the touch's window: 7 days for a notice or a price fall, 30 days for a
//! save. Each product bought on an order follows at most one touch of a kind (any notice, a save, a fall): the
//! latest before it. Which notice an order followed is recorded when the order comes in
//! ([`crate::alerts::rules::followed_notice`], `flows::notice_purchases`), so the latest notice counts wherever
//! it falls; the saves and falls are read per period, so an order in the days after the period follows its latest
//! save or fall within the period. Cancelled orders, orders refunded in full, and orders in another currency do
//! not count; a line is worth its quantity times its unit price. A guest's touches follow no order: orders name a
//! shopper.

use super::{
    AlertFigures, DroppedProduct, EmailFigures, ModerationWait, ReviewFigures, ReviewMonth,
    TierActivity, TierMonth, TierName, TierReviewMoves, WishListFigures, WishedProduct,
};
use crate::alerts::{AlertsStarted, NoticeActivity, NoticeKind};
use crate::insights::rules::Period;
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, Millis, Month, iso_date};
use crate::messages::{MessageFact, MessageKind, Purpose};
use crate::orders::{ProductPurchase, ShopperOrder};
use crate::reviews::{ReviewStatus, ReviewsOfDay, VotesCast};
use crate::tiers::{Tier, TierMovesOfDay};
use crate::wishlist::{SaveActivity, SaveFact};
use std::collections::{BTreeMap, HashMap};

/// How long after a notice, an email, or a saved product's price fall an order of it counts.
pub use crate::alerts::rules::NOTICE_WINDOW;
/// How long after saving a product an order of it counts, and a fall of its price is one the save saw.
pub const SAVE_WINDOW: Millis = Millis::days(30);
/// How far past a period's end its touches' orders are read: a save's fall and the week after it.
pub const FOLLOW_UP: Millis = Millis::days(37);
/// Products in each of the wish lists' tables.
pub const TOP_PRODUCTS: usize = 10;

/// A shopper meeting a product through a widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub shopper: i64,
    pub product: i64,
    pub at: Millis,
}

/// What followed one touch: the products bought (order lines) and their value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credit {
    pub purchases: i64,
    pub value_minor: i64,
}

/// Each touch's credit, in the touches' order: every purchase goes to the latest touch of its shopper and product
/// strictly before it, when it is within `window` of that touch; else to none.
pub fn attribute(touches: &[Touch], purchases: &[ProductPurchase], window: Millis) -> Vec<Credit> {
    let mut by_pair: HashMap<(i64, i64), Vec<(Millis, usize)>> = HashMap::new();
    for (index, touch) in touches.iter().enumerate() {
        by_pair
            .entry((touch.shopper, touch.product))
            .or_default()
            .push((touch.at, index));
    }
    for times in by_pair.values_mut() {
        times.sort_unstable();
    }
    let mut credits = vec![Credit::default(); touches.len()];
    for purchase in purchases {
        let Some(times) = by_pair.get(&(purchase.shopper, purchase.product)) else {
            continue;
        };
        let before = times.partition_point(|(at, _)| *at < purchase.at);
        let Some(&(at, index)) = before.checked_sub(1).map(|last| &times[last]) else {
            continue;
        };
        if purchase.at - at <= window {
            credits[index].purchases += 1;
            credits[index].value_minor += purchase.value_minor;
        }
    }
    credits
}

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

/// The first fall of a saved product's price below the saved price within [`SAVE_WINDOW`] of saving, from the
/// product's prices in time order.
fn first_fall(save: &SaveFact, currency: &str, prices: &[(Millis, &Money)]) -> Option<Millis> {
    prices
        .iter()
        .skip_while(|(at, _)| *at <= save.saved_at)
        .take_while(|(at, _)| *at - save.saved_at <= SAVE_WINDOW)
        .find(|(_, price)| {
            price.currency == currency && price.amount_minor < save.saved_price_minor
        })
        .map(|(at, _)| *at)
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
/// turned saves into orders. `prices` are the saved products' prices (product, when, price) in time order.
pub fn wish_list_ranks(
    activity: &SaveActivity,
    currency: &str,
    prices: &[(i64, Millis, Money)],
    purchases: &[ProductPurchase],
) -> WishListRanks {
    let saves = &activity.by_shoppers;
    let touches: Vec<Touch> = saves
        .iter()
        .map(|save| Touch {
            shopper: save.shopper,
            product: save.product,
            at: save.saved_at,
        })
        .collect();
    let bought = attribute(&touches, purchases, SAVE_WINDOW);
    let mut bought_per_product: HashMap<i64, i64> = HashMap::new();
    for (save, credit) in saves.iter().zip(&bought) {
        if credit.purchases > 0 {
            *bought_per_product.entry(save.product).or_default() += 1;
        }
    }
    let mut ranked: Vec<(i64, i64, i64)> = activity
        .by_product
        .iter()
        .map(|(product, saves)| {
            (
                *product,
                *saves,
                bought_per_product.get(product).copied().unwrap_or(0),
            )
        })
        .collect();
    ranked.sort_by_key(|(product, saves, _)| (std::cmp::Reverse(*saves), *product));
    let most_wished = ranked.iter().copied().take(TOP_PRODUCTS).collect();
    let not_bought = ranked
        .iter()
        .copied()
        .filter(|(_, _, bought)| *bought == 0)
        .take(TOP_PRODUCTS)
        .collect();

    let mut price_lists: HashMap<i64, Vec<(Millis, &Money)>> = HashMap::new();
    for (product, at, price) in prices {
        price_lists.entry(*product).or_default().push((*at, price));
    }
    let falls: Vec<Touch> = saves
        .iter()
        .filter_map(|save| {
            Some(Touch {
                shopper: save.shopper,
                product: save.product,
                at: first_fall(save, currency, price_lists.get(&save.product)?)?,
            })
        })
        .collect();
    let mut dropped: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for (fall, credit) in falls
        .iter()
        .zip(attribute(&falls, purchases, NOTICE_WINDOW))
    {
        let entry = dropped.entry(fall.product).or_default();
        entry.0 += 1;
        entry.1 += i64::from(credit.purchases > 0);
        entry.2 += credit.value_minor;
    }
    let mut price_drops: Vec<(i64, i64, i64, i64)> = dropped
        .into_iter()
        .map(|(product, (saves, bought, value))| (product, saves, bought, value))
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
        bought: bought.iter().filter(|c| c.purchases > 0).count() as i64,
        bought_value_minor: bought.iter().map(|c| c.value_minor).sum(),
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
