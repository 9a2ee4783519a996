//! The merchant's customers page shows what each member tier's members ordered: the insights ask who holds each
//! tier, the tiers answer.

use crate::insights::rules::TierMembers;
use crate::insights::ssr::MemberTiers;
use crate::store::{Db, StoreError};
use futures::future::BoxFuture;

/// The tiers' members, for the insights.
pub struct TierValues;

impl MemberTiers for TierValues {
    fn members<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Result<Vec<TierMembers>, StoreError>> {
        Box::pin(async move {
            Ok(crate::tiers::ssr::members_by_tier(db)
                .await?
                .into_iter()
                .map(|(tier, shoppers)| TierMembers {
                    code: tier.code,
                    names: tier.names,
                    shoppers,
                })
                .collect())
        })
    }
}
