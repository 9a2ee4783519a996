//! An order of a product its buyer was told about (a price drop, a restock, a price rise) in the week before
//! follows that notice: the alerts record it when the order comes in, so that the merchant's "Widgets at work"
//! sums what followed a period's notices rather than joining every order of the period with every notice. The
//! notice is chosen by [`followed_notice`]; an order cancelled or refunded in full stops counting.

use crate::alerts::NoticeFollowed;
use crate::alerts::rules::{NOTICE_WINDOW, followed_notice};
use crate::alerts::ssr::{notices_to, record_followed, withdraw_followed};
use crate::orders::ssr::{OrderChange, OrderedProduct, buyers_between, ordered_products};
use crate::store::{StoreError, Then, Tx};
use futures::future::BoxFuture;
use std::collections::HashMap;

/// Records which notice each new order's products followed, and forgets it when the order stops counting.
pub struct NoticePurchases;

impl Then<OrderChange> for NoticePurchases {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: OrderChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            match change {
                OrderChange::NewOrder { bought, .. } => follow_bought(tx, &bought).await,
                OrderChange::Revalued {
                    order, paid: false, ..
                } => withdraw_followed(tx, order).await,
                OrderChange::Revalued { .. } | OrderChange::UnpaidClosed { .. } => Ok(()),
            }
        })
    }
}

/// Records the notices that `orders` (row ids, paid ones; any number) followed: what a tool that writes orders
/// straight into the tables runs after them.
pub async fn follow_orders(tx: &mut Tx, orders: &[i64]) -> Result<(), StoreError> {
    let bought = ordered_products(tx, orders).await?;
    follow_bought(tx, &bought).await
}

/// Records the notices that what orders `bought` followed: what the flow does for each new order.
async fn follow_bought(tx: &mut Tx, bought: &[OrderedProduct]) -> Result<(), StoreError> {
    let Some((first, last, shoppers)) = buyers_between(bought) else {
        return Ok(());
    };
    let notices = notices_to(tx, &shoppers, first - NOTICE_WINDOW, last).await?;
    let mut told: HashMap<(i64, i64), Vec<_>> = HashMap::new();
    for notice in &notices {
        told.entry((notice.shopper, notice.product))
            .or_default()
            .push(notice);
    }
    let followed: Vec<NoticeFollowed> = bought
        .iter()
        .filter_map(|b| {
            let notices = told.get(&(b.shopper, b.product))?;
            let notice = followed_notice(notices.iter().copied(), b.placed_at)?;
            Some(NoticeFollowed {
                notice: *notice,
                order: b.order,
                purchases: b.lines,
                value_minor: b.value_minor,
                currency: b.currency.clone(),
            })
        })
        .collect();
    record_followed(tx, &followed).await
}

#[cfg(test)]
mod tests;
