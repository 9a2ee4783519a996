//! "Widgets at work" from what each capability records, each read through the capability's own store functions.

use super::rules::{
    NOTICE_WINDOW, alert_figures, email_figures, moderation_wait, review_figures, tier_activity,
    wish_list_ranks,
};
use super::{WidgetFigures, WidgetHeadlines, WidgetReport};
use crate::insights::Comparison;
use crate::insights::rules::Period;
use crate::kernel::time::Millis;
use crate::reviews::VotesCast;
use crate::store::{Db, StoreError};
use std::collections::BTreeSet;

/// Every figure of the period.
async fn figures_of(db: &Db, currency: &str, period: Period) -> Result<WidgetFigures, StoreError> {
    let (started, notices, saves, written, votes, feed, messages) = futures::try_join!(
        crate::alerts::ssr::alerts_started(db, period.from, period.to),
        crate::alerts::ssr::notice_activity(db, period.from, period.to, currency),
        crate::wishlist::ssr::save_activity(db, period.from, period.to, currency),
        crate::reviews::ssr::reviews_written(db, period.from, period.to),
        crate::reviews::ssr::votes_cast(db, period.from, period.to),
        crate::feed::ssr::shelf_figures(db, period.from, period.to),
        crate::messages::ssr::message_activity(db, period.from, period.to),
    )?;
    // An email queued in the period may go later (quiet hours, retries): its week runs from when it went.
    let last_sent = messages
        .iter()
        .filter_map(|message| message.sent_at)
        .max()
        .unwrap_or(period.to);
    let recipients: Vec<i64> = messages
        .iter()
        .filter(|message| message.sent_at.is_some())
        .map(|message| message.shopper)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let recipients_orders = crate::orders::ssr::orders_of_shoppers(
        db,
        &recipients,
        period.from,
        last_sent.max(period.to) + NOTICE_WINDOW,
        currency,
    )
    .await?;
    let ranks = wish_list_ranks(&saves);
    let names =
        crate::catalog::ssr::names_of(&mut *db.reader().acquire().await?, &ranks.products())
            .await?;
    Ok(WidgetFigures {
        alerts: alert_figures(&started, &notices),
        wish_lists: ranks.named(&names),
        reviews: review_figures(&written, votes, period),
        feed,
        emails: email_figures(&messages, &recipients_orders),
    })
}

/// The headline figures of the comparison period, read without what only the period's tables show.
async fn headlines_of(
    db: &Db,
    currency: &str,
    period: Period,
) -> Result<WidgetHeadlines, StoreError> {
    let (notices, saves, written) = futures::try_join!(
        crate::alerts::ssr::notice_activity(db, period.from, period.to, currency),
        crate::wishlist::ssr::saves_made(db, period.from, period.to),
        crate::reviews::ssr::reviews_written(db, period.from, period.to),
    )?;
    Ok(WidgetHeadlines::of(
        &alert_figures(&[], &notices),
        saves,
        &review_figures(&written, VotesCast::default(), period),
    ))
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
    let (figures, before, waiting, (rules, members), moves) = futures::try_join!(
        figures_of(db, currency, period),
        headlines_of(db, currency, previous),
        crate::reviews::ssr::waiting_since(db),
        crate::tiers::ssr::members_per_tier(db),
        crate::tiers::ssr::tier_moves_since(db, period.from),
    )?;
    let members: Vec<i64> = members.iter().map(|tier| tier.members).collect();
    Ok(WidgetReport {
        period: period.span(),
        comparison,
        previous: previous.span(),
        currency: currency.to_owned(),
        headlines: figures.headlines(),
        figures,
        before,
        moderation: moderation_wait(&waiting, now),
        tiers: tier_activity(&rules.tiers, &members, &moves, period),
    })
}

#[cfg(test)]
mod tests;
