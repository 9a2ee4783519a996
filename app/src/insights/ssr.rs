//! The insights' reads: the orders' values (through the orders' store, kept in an order book), who holds each
//! member tier, and the shoppers' names for a page of a segment.

use super::rules::{OrderFact, Period, TierMembers, customer_figures, standings};
use super::{Comparison, CustomerInsights, Segment, SegmentMember, SegmentMembers};
use crate::identity::ssr::contacts_of;
use crate::kernel::time::{Millis, to_rfc3339};
use crate::orders::{OrderMark, OrderValue};
use crate::store::{Db, StoreError};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;

/// What the insights' server functions need: the store's rules, who holds each member tier, the orders' values as
/// they change, and those values read so far.
#[derive(Clone)]
pub struct Insights {
    pub policy: InsightsPolicy,
    pub tiers: Arc<dyn MemberTiers>,
    orders: Arc<dyn OrderValues>,
    book: OrderBook,
}

impl Insights {
    /// Insights with an empty order book: the first report reads every order.
    pub fn new(
        policy: InsightsPolicy,
        tiers: Arc<dyn MemberTiers>,
        orders: Arc<dyn OrderValues>,
    ) -> Self {
        Insights {
            policy,
            tiers,
            orders,
            book: OrderBook::default(),
        }
    }
}

/// The orders' values changed since a mark, every order's for none, with the mark to read from next (the orders,
/// in `flows`). An order may come again unchanged: the latest read of each is what it is worth.
pub trait OrderValues: Send + Sync {
    fn since<'a>(
        &'a self,
        db: &'a Db,
        mark: Option<OrderMark>,
        currency: &'a str,
    ) -> BoxFuture<'a, Result<(Vec<OrderValue>, OrderMark), StoreError>>;
}

/// Who holds each member tier now, lowest tier first (the tiers, in `flows`).
pub trait MemberTiers: Send + Sync {
    fn members<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Result<Vec<TierMembers>, StoreError>>;
}

/// The store's rules for its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsPolicy {
    /// The currency the store sells in (`RAPPORT_STORE_CURRENCY`): values are summed in it, and orders in any
    /// other are counted apart.
    pub currency: String,
}

/// The most customers a page of a segment lists.
pub const MAX_PER_PAGE: i64 = 1_000;
/// The last page a segment's customers are asked for by: a million pages of a thousand.
pub const MAX_PAGE: i64 = 1_000_000;

/// The orders' values kept in memory between reports: each report first reads only the orders changed since the
/// one before ([`OrderValues`]), so a server reads a store's hundreds of thousands of orders once, not once a
/// page. Clones share the book; each server process keeps its own, and every one follows the database.
#[derive(Clone, Default)]
struct OrderBook(Arc<tokio::sync::Mutex<Book>>);

#[derive(Default)]
struct Book {
    /// The currency the values were read against: another starts the book again.
    currency: String,
    mark: Option<OrderMark>,
    orders: HashMap<i64, OrderValue>,
}

impl OrderBook {
    /// Every paid order placed before `until` in `currency`, in no particular order; and how many paid orders in
    /// other currencies were left out.
    async fn facts(
        &self,
        orders: &dyn OrderValues,
        db: &Db,
        until: Millis,
        currency: &str,
    ) -> Result<(Vec<OrderFact>, i64), StoreError> {
        let mut book = self.0.lock().await;
        if book.currency != currency {
            *book = Book {
                currency: currency.to_owned(),
                ..Book::default()
            };
        }
        let (changed, mark) = orders.since(db, book.mark, currency).await?;
        book.orders
            .extend(changed.into_iter().map(|value| (value.order, value)));
        book.mark = Some(mark);
        let mut facts = Vec::with_capacity(book.orders.len());
        let mut other_currency = 0;
        for value in book.orders.values() {
            if !value.paid || value.placed_at >= until {
                continue;
            }
            if !value.in_currency {
                other_currency += 1;
                continue;
            }
            facts.push(OrderFact {
                shopper: value.shopper,
                placed_at: value.placed_at,
                value_minor: value.value_minor,
            });
        }
        Ok((facts, other_currency))
    }
}

/// The customers' page: every figure of `period`, compared with `previous`. The tiers' members are read at the
/// same time as the orders.
pub async fn customer_insights(
    db: &Db,
    insights: &Insights,
    period: Period,
    comparison: Comparison,
    previous: Period,
) -> Result<CustomerInsights, StoreError> {
    let policy = &insights.policy;
    let ((facts, other_currency_orders), tiers) = futures::try_join!(
        insights.book.facts(
            &*insights.orders,
            db,
            period.to.max(previous.to),
            &policy.currency
        ),
        insights.tiers.members(db),
    )?;
    let figures = customer_figures(&facts, period, previous, &tiers);
    Ok(CustomerInsights {
        period: period.span(),
        comparison,
        previous: previous.span(),
        currency: policy.currency.clone(),
        other_currency_orders,
        segments: figures.segments,
        movement: figures.movement,
        repeat: figures.repeat,
        months: figures.months,
        cohorts: figures.cohorts,
        tiers: figures.tiers,
    })
}

/// Page `page` (from 1) of the customers in `segment` over `period`, highest spenders first (then by shopper).
pub async fn segment_members(
    db: &Db,
    insights: &Insights,
    period: Period,
    segment: Segment,
    page: i64,
    per_page: i64,
) -> Result<SegmentMembers, StoreError> {
    let policy = &insights.policy;
    let (facts, _) = insights
        .book
        .facts(&*insights.orders, db, period.to, &policy.currency)
        .await?;
    let mut members: Vec<_> = standings(&facts, period)
        .into_iter()
        .filter(|customer| customer.rfm.segment() == segment)
        .collect();
    members.sort_by_key(|customer| (std::cmp::Reverse(customer.value_minor), customer.shopper));
    let total = members.len() as i64;
    let shown: Vec<_> = members
        .into_iter()
        .skip(usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(0))
        .collect();
    let keys: Vec<i64> = shown.iter().map(|customer| customer.shopper).collect();
    let contacts = contacts_of(&mut *db.reader().acquire().await?, &keys).await?;
    Ok(SegmentMembers {
        segment,
        period: period.span(),
        currency: policy.currency.clone(),
        total,
        page,
        per_page,
        members: shown
            .into_iter()
            .filter_map(|customer| {
                let contact = contacts.get(&customer.shopper)?;
                Some(SegmentMember {
                    shopper_id: contact.shopper_id.clone(),
                    email: contact.email.clone(),
                    display_name: contact.display_name.clone(),
                    last_order_at: to_rfc3339(customer.last_order),
                    orders: customer.orders,
                    value_minor: customer.value_minor,
                    rfm: customer.rfm,
                })
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests;
