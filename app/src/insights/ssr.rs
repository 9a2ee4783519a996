//! The insights' SQL: one read of the paid orders per report, and the shoppers' names for a page of a segment.
//! The orders are the orders capability's table, read and never written here, as the tiers read them.

use super::rules::{OrderFact, Period, TierMembers, customer_figures, standings};
use super::{Comparison, CustomerInsights, Segment, SegmentMember, SegmentMembers};
use crate::identity::ssr::contacts_of;
use crate::kernel::time::{Millis, to_rfc3339};
use crate::store::{Db, JOINED_IDS, StoreError, joined_numbers};
use sqlx::Row;

/// What the insights' server functions need: the store's rules, and who holds each member tier.
#[derive(Clone)]
pub struct Insights {
    pub policy: InsightsPolicy,
    pub tiers: std::sync::Arc<dyn MemberTiers>,
}

/// Who holds each member tier now, lowest tier first (the tiers, in `flows`).
pub trait MemberTiers: Send + Sync {
    fn members<'a>(
        &'a self,
        db: &'a Db,
    ) -> futures::future::BoxFuture<'a, Result<Vec<TierMembers>, StoreError>>;
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

/// Every paid order placed before `until` in the store's currency, in no particular order; and how many paid
/// orders in other currencies were left out. The orders come as a few joined texts (`shopper placed_at value`),
/// not a row each. The orders' growth index holds every column read, so the scan never visits the table.
pub async fn order_facts(
    db: &Db,
    until: Millis,
    currency: &str,
) -> Result<(Vec<OrderFact>, i64), StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {}, CAST(SUM(CASE WHEN currency = $2 THEN 0 ELSE 1 END) AS BIGINT), COUNT(*) \
         FROM orders WHERE status = 'paid' AND placed_at < $1 GROUP BY shopper_id / {JOINED_IDS}",
        db.backend().joined(
            "CASE WHEN currency = $2 THEN shopper_id || ' ' || placed_at || ' ' || \
             (subtotal_minor + shipping_minor + tax_minor - refunded_minor) END"
        )
    ))
    .bind(until)
    .bind(currency)
    .fetch_all(db.reader())
    .await?;
    let mut facts = Vec::new();
    let mut other_currency = 0;
    for row in &rows {
        other_currency += row.try_get::<i64, _>(1)?;
        facts.reserve(row.try_get::<i64, _>(2)? as usize);
        for [shopper, placed_at, value_minor] in joined_numbers(row.try_get(0)?)? {
            facts.push(OrderFact {
                shopper,
                placed_at: Millis(placed_at),
                value_minor,
            });
        }
    }
    Ok((facts, other_currency))
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
        order_facts(db, period.to.max(previous.to), &policy.currency),
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
    policy: &InsightsPolicy,
    period: Period,
    segment: Segment,
    page: i64,
    per_page: i64,
) -> Result<SegmentMembers, StoreError> {
    let (facts, _) = order_facts(db, period.to, &policy.currency).await?;
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
