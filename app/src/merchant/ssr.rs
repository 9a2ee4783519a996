//! "Widgets at work" from what each capability records, each read through the capability's own store functions.

use super::rules::{
    FOLLOW_UP, alert_figures, moderation_wait, review_figures, tier_activity, wish_list_figures,
};
use super::{WidgetFigures, WidgetReport};
use crate::insights::Comparison;
use crate::insights::rules::Period;
use crate::kernel::time::Millis;
use crate::store::{Db, StoreError};
use std::collections::BTreeSet;

/// The figures of one period, its touches' orders read until [`FOLLOW_UP`] after its end.
async fn figures_of(db: &Db, currency: &str, period: Period) -> Result<WidgetFigures, StoreError> {
    let (started, notices, saves, activity) = futures::try_join!(
        crate::alerts::ssr::alerts_started(db, period.from, period.to),
        crate::alerts::ssr::notice_facts(db, period.from, period.to),
        crate::wishlist::ssr::saves_between(db, period.from, period.to),
        crate::reviews::ssr::review_activity(db, period.from, period.to),
    )?;
    let shoppers: Vec<i64> = notices
        .iter()
        .filter_map(|notice| notice.shopper)
        .chain(saves.iter().filter_map(|save| save.shopper))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let saved: Vec<i64> = saves
        .iter()
        .map(|save| save.product)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (purchases, prices, names) = futures::try_join!(
        crate::orders::ssr::product_purchases(
            db,
            &shoppers,
            period.from,
            period.to + FOLLOW_UP,
            currency
        ),
        crate::catalog::ssr::prices_since(db, &saved, period.from),
        crate::catalog::ssr::names_of(db, &saved),
    )?;
    Ok(WidgetFigures {
        alerts: alert_figures(&started, &notices, &purchases),
        wish_lists: wish_list_figures(&saves, &prices, &purchases, &names),
        reviews: review_figures(&activity, period),
    })
}

/// What the widgets did in `period`, against `previous`; the moderation queue and the tiers' members as of `now`.
pub async fn widget_report(
    db: &Db,
    currency: &str,
    period: Period,
    comparison: Comparison,
    previous: Period,
    now: Millis,
) -> Result<WidgetReport, StoreError> {
    let (figures, before, waiting, overview, moves) = futures::try_join!(
        figures_of(db, currency, period),
        figures_of(db, currency, previous),
        crate::reviews::ssr::waiting_since(db),
        crate::tiers::ssr::overview(db),
        crate::tiers::ssr::tier_moves_since(db, period.from),
    )?;
    let members: Vec<i64> = overview
        .distribution
        .iter()
        .map(|tier| tier.members)
        .collect();
    Ok(WidgetReport {
        period: period.span(),
        comparison,
        previous: previous.span(),
        currency: currency.to_owned(),
        figures,
        before,
        moderation: moderation_wait(&waiting, now),
        tiers: tier_activity(&overview.rules.tiers, &members, &moves, period),
    })
}

#[cfg(test)]
mod tests;
