//! Delivered orders ask their buyers for reviews: a set time after the store reports an order delivered, its buyer
//! gets one email naming the products they have not reviewed yet, each with one-click star links that open the
//! review form for that product (a signed link: no sign-in, and the review counts as a verified purchase); a while
//! later, one reminder names what is still not reviewed. An order is considered once for each; a cancelled or
//! wholly refunded order, a shopper without an address, or an order whose every product is reviewed asks nothing.

use super::product_names::ProductNames;
use crate::identity::ssr::addressees;
use crate::identity::token::{StoreSecret, issue_review_link};
use crate::kernel::time::Millis;
use crate::messages::ssr::{MarketingRules, NewMessage, queue_to};
use crate::messages::{MessageBody, RequestedReview, ReviewRequest};
use crate::orders::ssr::FollowUp;
use crate::store::{Db, StoreError};

/// When review requests and their reminders go, and how long their links last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewRequestPolicy {
    /// After delivery; `None` sends no requests (nor reminders).
    pub after: Option<Millis>,
    /// After the request, the one reminder of what is still not reviewed; `None` sends none.
    pub remind_after: Option<Millis>,
    /// How long a request's links open the review form.
    pub links_last: Millis,
}

impl Default for ReviewRequestPolicy {
    fn default() -> Self {
        ReviewRequestPolicy {
            after: Some(Millis::days(7)),
            remind_after: Some(Millis::days(7)),
            links_last: Millis::days(60),
        }
    }
}

/// Orders considered per transaction: a store that turns requests on with a year of deliveries behind it queues
/// them in steps that leave room for other writers.
const ORDERS_PER_TRANSACTION: i64 = 1_000;

/// Queues the review requests of every order delivered at least `policy.after` before `now`, and the reminders of
/// every request considered at least `policy.remind_after` before, each not considered yet; returns how many
/// emails were queued.
pub async fn queue_review_requests(
    db: &Db,
    secret: &StoreSecret,
    policy: &ReviewRequestPolicy,
    now: Millis,
) -> Result<u64, StoreError> {
    let Some(after) = policy.after else {
        return Ok(0);
    };
    let stages = [
        (FollowUp::Request, Some(after)),
        (FollowUp::Reminder, policy.remind_after),
    ];
    let mut queued = 0;
    for (follow_up, wait) in stages {
        if let Some(wait) = wait {
            queued += queue_stage(db, secret, policy, follow_up, now - wait, now).await?;
        }
    }
    Ok(queued)
}

/// Queues `follow_up` for every order it is due for by `before`.
async fn queue_stage(
    db: &Db,
    secret: &StoreSecret,
    policy: &ReviewRequestPolicy,
    follow_up: FollowUp,
    before: Millis,
    now: Millis,
) -> Result<u64, StoreError> {
    if !crate::orders::ssr::any_due(db, follow_up, before).await? {
        return Ok(0);
    }
    let expires = (now + policy.links_last).as_seconds();
    let mut queued = 0;
    // The same products come back batch after batch: their names are read once a run.
    let mut names = ProductNames::default();
    loop {
        let mut tx = db.write().await?;
        let Some(orders) =
            crate::orders::ssr::take_due(&mut tx, follow_up, before, ORDERS_PER_TRANSACTION, now)
                .await?
        else {
            tx.commit().await?;
            return Ok(queued);
        };
        // Buyers without an address are asked nothing: their orders need no names nor reviews read.
        let to = addressees(&mut tx, orders.iter().map(|order| order.shopper)).await?;
        let orders: Vec<_> = orders
            .into_iter()
            .filter_map(|order| Some((to.get(&order.shopper)?, order)))
            .collect();
        let pairs: Vec<_> = orders
            .iter()
            .flat_map(|(_, order)| {
                order
                    .products
                    .iter()
                    .map(|product| (order.shopper, *product))
            })
            .collect();
        let reviewed = crate::reviews::ssr::reviewed(&mut tx, &pairs).await?;
        let products: Vec<i64> = pairs.iter().map(|(_, product)| product.0).collect();
        let locales: Vec<&str> = to.values().map(|to| to.locale.as_str()).collect();
        names.load_more(&mut tx, &locales, &products).await?;
        let reminder = follow_up == FollowUp::Reminder;
        let mut requests = Vec::with_capacity(orders.len());
        for (addressee, order) in &orders {
            let asked: Vec<RequestedReview> = order
                .products
                .iter()
                .filter(|product| !reviewed.contains(&(order.shopper, **product)))
                .filter_map(|product| {
                    let (sku, title) = names.of(*product, &addressee.locale)?;
                    Some(RequestedReview {
                        sku: sku.to_owned(),
                        title: title.to_owned(),
                        link: issue_review_link(secret, order.shopper, *product, expires),
                    })
                })
                .collect();
            if !asked.is_empty() {
                requests.push(NewMessage {
                    shopper: order.shopper,
                    dedupe_key: format!(
                        "order:{}{}",
                        order.order_key,
                        if reminder { ":reminder" } else { "" }
                    ),
                    body: MessageBody::ReviewRequest(ReviewRequest {
                        order_id: order.order_id.clone(),
                        products: asked,
                        reminder,
                    }),
                });
            }
        }
        // A review request is transactional: the store's marketing rules do not apply.
        queued += queue_to(&mut tx, &requests, &to, &MarketingRules::default(), now).await?;
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests;
