//! Unpaid orders remind their buyers: a set time after the store reports an order placed but not paid, its buyer
//! gets one email naming what they ordered and the total, with a button to the store's payment page. An order paid
//! or cancelled first is never reminded: it leaves the unpaid orders, and a reminder already queued but not sent is
//! withdrawn in the same transaction ([`UnpaidReminders`]). Each order is considered once.

use super::product_names::ProductNames;
use crate::identity::ssr::addressees;
use crate::kernel::time::Millis;
use crate::messages::ssr::{MarketingRules, NewMessage, queue_to, withdraw};
use crate::messages::{MessageBody, UnpaidOrderReminder, UnpaidProduct};
use crate::orders::ssr::{OrderChange, any_unpaid_due, take_unpaid_due};
use crate::store::{Db, StoreError, Then, Tx};
use futures::future::BoxFuture;

/// When an unpaid order's reminder goes, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidReminderPolicy {
    /// This long after the order was placed; `None` sends none.
    pub after: Option<Millis>,
    /// A reminder is marketing: the store's rules for it (consent, quiet hours, weekly cap) apply.
    pub marketing: MarketingRules,
}

impl Default for UnpaidReminderPolicy {
    fn default() -> Self {
        UnpaidReminderPolicy {
            after: Some(Millis::hours(24)),
            marketing: MarketingRules::default(),
        }
    }
}

/// The outbox's kind and key of an unpaid order's reminder: one per order.
const KIND: &str = "unpaid_order";

fn dedupe_key(unpaid_key: i64) -> String {
    format!("unpaid:{unpaid_key}")
}

/// Orders considered per transaction, as for review requests.
const ORDERS_PER_TRANSACTION: i64 = 1_000;

/// Queues the reminder of every unpaid order placed at least `policy.after` before `now` and not considered yet;
/// returns how many emails were queued.
pub async fn queue_unpaid_reminders(
    db: &Db,
    policy: &UnpaidReminderPolicy,
    now: Millis,
) -> Result<u64, StoreError> {
    let Some(after) = policy.after else {
        return Ok(0);
    };
    let before = now - after;
    if !any_unpaid_due(db, before).await? {
        return Ok(0);
    }
    let mut queued = 0;
    // The same products come back batch after batch: their names are read once a run.
    let mut names = ProductNames::default();
    loop {
        let mut tx = db.write().await?;
        let orders = take_unpaid_due(&mut tx, before, ORDERS_PER_TRANSACTION, now).await?;
        if orders.is_empty() {
            tx.commit().await?;
            return Ok(queued);
        }
        let to = addressees(&mut tx, orders.iter().map(|order| order.shopper)).await?;
        let orders: Vec<_> = orders
            .into_iter()
            .filter_map(|order| Some((to.get(&order.shopper)?, order)))
            .collect();
        let products: Vec<i64> = orders
            .iter()
            .flat_map(|(_, order)| order.lines.iter().map(|(product, _)| product.0))
            .collect();
        let locales: Vec<&str> = to.values().map(|to| to.locale.as_str()).collect();
        names.load_more(&mut tx, &locales, &products).await?;
        let reminders: Vec<NewMessage> = orders
            .into_iter()
            .map(|(addressee, order)| NewMessage {
                shopper: order.shopper,
                dedupe_key: dedupe_key(order.unpaid_key),
                body: MessageBody::UnpaidOrder(UnpaidOrderReminder {
                    products: order
                        .lines
                        .iter()
                        .filter_map(|(product, quantity)| {
                            let (sku, title) = names.of(*product, &addressee.locale)?;
                            Some(UnpaidProduct {
                                sku: sku.to_owned(),
                                title: title.to_owned(),
                                quantity: *quantity,
                            })
                        })
                        .collect(),
                    order_id: order.order_id,
                    total: order.total,
                    payment_url: order.payment_url,
                }),
            })
            .collect();
        queued += queue_to(&mut tx, &reminders, &to, &policy.marketing, now).await?;
        tx.commit().await?;
    }
}

/// Withdraws an unpaid order's reminder still waiting in the outbox when the order is paid or cancelled.
pub struct UnpaidReminders;

impl Then<OrderChange> for UnpaidReminders {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: OrderChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            if let OrderChange::UnpaidClosed { unpaid } = change {
                withdraw(tx, KIND, &dedupe_key(unpaid)).await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
