//! What counts on the "Widgets at work" page, as plain functions of what the capabilities recorded.
//!
//! **An order follows a touch** (a notice, a save, a price fall of a saved product) when the shopper touched
//! orders that product after it and within the touch's window: 7 days for a notice or a price fall, 30 days for a
//! save. Each product bought on an order follows at most one touch of a kind: the latest before it. Cancelled
//! orders, orders refunded in full, and orders in another currency do not count; a line is worth its quantity
//! times its unit price. A guest's touches follow no order: orders name a shopper.

use super::{
    AlertFigures, DroppedProduct, ModerationWait, ReviewFigures, ReviewMonth, TierActivity,
    TierMonth, TierName, TierReviewMoves, WishListFigures, WishedProduct,
};
use crate::alerts::{AlertsStarted, NoticeFact, NoticeKind};
use crate::insights::rules::Period;
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, Millis, Month, iso_date};
use crate::orders::ProductPurchase;
use crate::reviews::{ReviewActivity, ReviewStatus};
use crate::tiers::{Tier, TierMovesOfDay};
use crate::wishlist::SaveFact;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How long after a notice, or after a saved product's price fell, an order of it counts.
pub const NOTICE_WINDOW: Millis = Millis::days(7);
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

/// The alerts' figures per kind of notice.
pub fn alert_figures(
    started: &[AlertsStarted],
    notices: &[NoticeFact],
    purchases: &[ProductPurchase],
) -> Vec<AlertFigures> {
    NoticeKind::ALL
        .into_iter()
        .map(|kind| {
            let given: Vec<&NoticeFact> = notices.iter().filter(|n| n.kind == kind).collect();
            let touches: Vec<Touch> = given
                .iter()
                .filter_map(|n| {
                    Some(Touch {
                        shopper: n.shopper?,
                        product: n.product,
                        at: n.at,
                    })
                })
                .collect();
            let credit = attribute(&touches, purchases, NOTICE_WINDOW)
                .into_iter()
                .fold(Credit::default(), |sum, c| Credit {
                    purchases: sum.purchases + c.purchases,
                    value_minor: sum.value_minor + c.value_minor,
                });
            let set_up = started.iter().find(|s| s.kind.name() == kind.name());
            let count =
                |test: fn(&NoticeFact) -> bool| given.iter().filter(|n| test(n)).count() as i64;
            AlertFigures {
                kind: kind.name().to_owned(),
                alerts_started: set_up.map_or(0, |s| s.started),
                alerts_confirmed: set_up.map_or(0, |s| s.confirmed),
                notices: given.len() as i64,
                emailed: count(|n| n.emailed),
                seen: count(|n| n.seen),
                clicked: count(|n| n.clicked),
                purchases: credit.purchases,
                value_minor: credit.value_minor,
            }
        })
        .collect()
}

/// The first fall of a saved product's price below the saved price within [`SAVE_WINDOW`] of saving, from the
/// product's prices (product, when, price) in time order.
fn first_fall(save: &SaveFact, prices: &[(i64, Millis, Money)]) -> Option<Millis> {
    prices
        .iter()
        .filter(|(product, at, _)| {
            *product == save.product && *at > save.saved_at && *at - save.saved_at <= SAVE_WINDOW
        })
        .find(|(_, _, price)| {
            price.currency == save.saved_price.currency
                && price.amount_minor < save.saved_price.amount_minor
        })
        .map(|(_, at, _)| *at)
}

/// The wish lists' figures. `names` gives each product's store code and title.
pub fn wish_list_figures(
    saves: &[SaveFact],
    prices: &[(i64, Millis, Money)],
    purchases: &[ProductPurchase],
    names: &HashMap<i64, (String, String)>,
) -> WishListFigures {
    let touch = |save: &SaveFact, at: Millis| {
        save.shopper.map(|shopper| Touch {
            shopper,
            product: save.product,
            at,
        })
    };
    let mut save_touches = Vec::new();
    let mut toucher = Vec::new();
    for (index, save) in saves.iter().enumerate() {
        if let Some(t) = touch(save, save.saved_at) {
            save_touches.push(t);
            toucher.push(index);
        }
    }
    let mut bought = vec![Credit::default(); saves.len()];
    for (credit, index) in attribute(&save_touches, purchases, SAVE_WINDOW)
        .into_iter()
        .zip(toucher)
    {
        bought[index] = credit;
    }
    let mut by_product: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (save, credit) in saves.iter().zip(&bought) {
        let entry = by_product.entry(save.product).or_default();
        entry.0 += 1;
        entry.1 += i64::from(credit.purchases > 0);
    }
    let named = |product: i64| {
        names
            .get(&product)
            .cloned()
            .unwrap_or_else(|| (product.to_string(), String::new()))
    };
    let wished = |(product, (saves, bought)): (i64, (i64, i64))| {
        let (sku, title) = named(product);
        WishedProduct {
            sku,
            title,
            saves,
            bought,
        }
    };
    let mut ranked: Vec<(i64, (i64, i64))> = by_product.into_iter().collect();
    ranked.sort_by_key(|(product, (saves, _))| (std::cmp::Reverse(*saves), *product));
    let most_wished = ranked
        .iter()
        .copied()
        .take(TOP_PRODUCTS)
        .map(wished)
        .collect();
    let not_bought = ranked
        .iter()
        .copied()
        .filter(|(_, (_, bought))| *bought == 0)
        .take(TOP_PRODUCTS)
        .map(wished)
        .collect();

    let falls: Vec<(usize, Touch)> = saves
        .iter()
        .enumerate()
        .filter_map(|(index, save)| Some((index, touch(save, first_fall(save, prices)?)?)))
        .collect();
    let fall_touches: Vec<Touch> = falls.iter().map(|(_, t)| *t).collect();
    let mut dropped: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for ((_, t), credit) in falls
        .iter()
        .zip(attribute(&fall_touches, purchases, NOTICE_WINDOW))
    {
        let entry = dropped.entry(t.product).or_default();
        entry.0 += 1;
        entry.1 += i64::from(credit.purchases > 0);
        entry.2 += credit.value_minor;
    }
    let mut price_drops: Vec<DroppedProduct> = dropped
        .into_iter()
        .map(|(product, (saves, bought, value_minor))| {
            let (sku, title) = named(product);
            DroppedProduct {
                sku,
                title,
                saves,
                bought,
                value_minor,
            }
        })
        .collect();
    price_drops.sort_by(|a, b| (b.bought, b.saves, &a.sku).cmp(&(a.bought, a.saves, &b.sku)));
    price_drops.truncate(TOP_PRODUCTS);

    let savers: HashSet<Option<i64>> = saves.iter().filter_map(|s| s.shopper.map(Some)).collect();
    let guests = saves.iter().filter(|s| s.shopper.is_none()).count();
    WishListFigures {
        saves: saves.len() as i64,
        // A guest's list names no shopper: each guest save counts as its own saver, at most.
        savers: (savers.len() + guests) as i64,
        bought: bought.iter().filter(|c| c.purchases > 0).count() as i64,
        bought_value_minor: bought.iter().map(|c| c.value_minor).sum(),
        most_wished,
        not_bought,
        price_drops,
    }
}

/// The reviews' figures, month by month over `period`.
pub fn review_figures(activity: &ReviewActivity, period: Period) -> ReviewFigures {
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
        helpful_votes: activity.helpful_votes,
        not_helpful_votes: activity.not_helpful_votes,
    };
    for day in &activity.written {
        let stars = usize::from(day.rating.clamp(1, 5)) - 1;
        figures.written += day.reviews;
        figures.ratings[stars] += day.reviews;
        match day.status {
            ReviewStatus::Published => figures.published += day.reviews,
            ReviewStatus::Pending => figures.pending += day.reviews,
            ReviewStatus::Rejected => figures.rejected += day.reviews,
        }
        let month = Month::of(Millis::days(day.day));
        let Some(row) = months.get_mut(month.months_since(first)) else {
            continue;
        };
        row.ratings[stars] += day.reviews;
        if day.verified {
            figures.verified += day.reviews;
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
        let up = rank(Some(&change.to)) > rank(change.from.as_ref());
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

#[cfg(test)]
mod tests;
