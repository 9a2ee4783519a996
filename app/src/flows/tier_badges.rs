//! A review shows its author's member-tier badge: the reviews ask, the tiers answer.

use crate::reviews::ssr::AuthorBadges;
use crate::store::{Db, StoreError};
use crate::tiers::Tier;
use futures::future::BoxFuture;
use std::collections::HashMap;

/// The tiers' badges, for the reviews' authors.
pub struct TierBadges;

impl AuthorBadges for TierBadges {
    fn badges_of<'a>(
        &'a self,
        db: &'a Db,
        shoppers: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, Tier>, StoreError>> {
        Box::pin(crate::tiers::ssr::badges_of(db, shoppers))
    }
}
