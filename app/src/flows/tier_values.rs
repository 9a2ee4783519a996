//! The merchant's customers page shows what each member tier's members ordered: the insights ask, the tiers
//! answer.

use crate::insights::TierFigures;
use crate::insights::rules::Period;
use crate::insights::ssr::MemberTierValues;
use crate::store::{Db, StoreError};
use futures::future::BoxFuture;

/// The tiers' members and their orders, for the insights.
pub struct TierValues;

impl MemberTierValues for TierValues {
    fn values<'a>(
        &'a self,
        db: &'a Db,
        period: Period,
        currency: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TierFigures>, StoreError>> {
        Box::pin(async move {
            let tiers =
                crate::tiers::ssr::value_by_tier(db, period.from, period.to, currency).await?;
            Ok(tiers
                .into_iter()
                .map(|(tier, value)| TierFigures {
                    code: tier.code,
                    names: tier.names,
                    members: value.members,
                    customers: value.customers,
                    orders: value.orders,
                    value_minor: value.value_minor,
                })
                .collect())
        })
    }
}
