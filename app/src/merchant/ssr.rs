//! "Widgets at work" from what each capability records, each read through the capability's own store functions.

use super::rules::{
    FOLLOW_UP, NOTICE_WINDOW, alert_figures, email_figures, moderation_wait, review_figures,
    tier_activity, wish_list_ranks,
};
use super::{EmailFigures, WidgetFigures, WidgetHeadlines, WidgetReport, WishListFigures};
use crate::alerts::AlertsStarted;
use crate::feed::feedback::ShelfFigures;
use crate::insights::Comparison;
use crate::insights::rules::Period;
use crate::kernel::time::Millis;
use crate::reviews::VotesCast;
use crate::store::{Db, StoreError};
use std::collections::BTreeSet;

/// What only the period's own figures read: the alerts set up, the votes, the wish lists with what their savers
/// bought, the shelves and the emails. The notices and reviews are read once for the period and the comparison
/// period together ([`widget_report`]).
struct PeriodReads {
    started: Vec<AlertsStarted>,
    votes: VotesCast,
    wish_lists: WishListFigures,
    feed: Vec<ShelfFigures>,
    emails: Vec<EmailFigures>,
}

async fn period_reads(db: &Db, currency: &str, period: Period) -> Result<PeriodReads, StoreError> {
    let (started, saves, votes, feed, messages) = futures::try_join!(
        crate::alerts::ssr::alerts_started(db, period.from, period.to),
        crate::wishlist::ssr::save_activity(db, period.from, period.to, currency),
        crate::reviews::ssr::votes_cast(db, period.from, period.to),
        crate::feed::ssr::shelf_figures(db, period.from, period.to),
        crate::messages::ssr::message_activity(db, period.from, period.to),
    )?;
    let saved: Vec<i64> = saves
        .by_shoppers
        .iter()
        .map(|save| save.product)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
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
    let (purchases, prices, recipients_orders) = futures::try_join!(
        // What the savers bought: a save's fall and the week after it may run past the period's end.
        crate::orders::ssr::product_purchases(
            db,
            &saved,
            period.from,
            period.to + FOLLOW_UP,
            currency
        ),
        crate::catalog::ssr::prices_since(db, &saved, period.from),
        crate::orders::ssr::orders_of_shoppers(
            db,
            &recipients,
            period.from,
            last_sent.max(period.to) + NOTICE_WINDOW,
            currency
        ),
    )?;
    let ranks = wish_list_ranks(&saves, currency, &prices, &purchases);
    let names =
        crate::catalog::ssr::names_of(&mut *db.reader().acquire().await?, &ranks.products())
            .await?;
    Ok(PeriodReads {
        started,
        votes,
        wish_lists: ranks.named(&names),
        feed,
        emails: email_figures(&messages, &recipients_orders),
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
    let spans = [(period.from, period.to), (previous.from, previous.to)];
    let (notices, written, reads, saves_before, waiting, overview, moves) = futures::try_join!(
        crate::alerts::ssr::notice_activity(db, &spans, currency),
        crate::reviews::ssr::reviews_written(db, &spans),
        period_reads(db, currency, period),
        crate::wishlist::ssr::saves_made(db, previous.from, previous.to),
        crate::reviews::ssr::waiting_since(db),
        crate::tiers::ssr::overview(db),
        crate::tiers::ssr::tier_moves_since(db, period.from),
    )?;
    let [notices_now, notices_before] = notices;
    let [written_now, written_before] = written;
    let figures = WidgetFigures {
        alerts: alert_figures(&reads.started, &notices_now),
        wish_lists: reads.wish_lists,
        reviews: review_figures(&written_now, reads.votes, period),
        feed: reads.feed,
        emails: reads.emails,
    };
    // The comparison period's headlines: what it shares with the period's tables, without what only they show.
    let before = WidgetHeadlines::of(
        &alert_figures(&[], &notices_before),
        saves_before,
        &review_figures(&written_before, VotesCast::default(), previous),
    );
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
        headlines: figures.headlines(),
        figures,
        before,
        moderation: moderation_wait(&waiting, now),
        tiers: tier_activity(&overview.rules.tiers, &members, &moves, period),
    })
}

#[cfg(test)]
mod tests;
