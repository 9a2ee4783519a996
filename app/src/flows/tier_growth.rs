//! A member's tier growth follows what they spend and the review points they earn: orders, refunds and
//! cancellations report spend changes, reviews report points changes, and the tiers' store recomputes the member.

use crate::orders::ssr::OrderChange;
use crate::reviews::ssr::PointsChange;
use crate::store::{StoreError, Then, Tx};
use crate::tiers::ssr::{GrowthChange, recompute};
use futures::future::BoxFuture;

/// Recomputes a member's tier growth after a change to what counts towards it.
pub struct TierGrowth;

impl Then<OrderChange> for TierGrowth {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: OrderChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        let (buyer, growth, at) = match change {
            OrderChange::NewOrder {
                buyer, order, at, ..
            } => (buyer, GrowthChange::NewOrder(order), at),
            OrderChange::Revalued { buyer, at, .. } => (buyer, GrowthChange::Revalued, at),
            // An unpaid order never counted towards growth.
            OrderChange::UnpaidClosed { .. } => return Box::pin(async { Ok(()) }),
        };
        Box::pin(recompute(tx, buyer, growth, at))
    }
}

impl Then<PointsChange> for TierGrowth {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: PointsChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(recompute(
            tx,
            change.shopper,
            GrowthChange::Revalued,
            change.at,
        ))
    }
}
