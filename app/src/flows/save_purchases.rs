//! A saved product's price fall and an order of a saved product follow the save: the wish lists record a fall as
//! the price changes and what an order followed as it comes in, so that the merchant's "Widgets at work" counts a
//! period's saves and their rows rather than reading every save of the period with every order of the saved
//! products. The save or fall is chosen by [`followed_save`] and [`followed_fall`]; an order cancelled or refunded
//! in full stops counting, and a save taken off its list takes what followed it along.

use crate::catalog::ssr::{ProductChange, every_price};
use crate::orders::ssr::{
    OrderChange, OrderedProduct, buyers_between, ordered_products, paid_orders,
};
use crate::store::{Db, StoreError, Then, Tx};
use crate::wishlist::rules::{FALL_WINDOW, SAVE_WINDOW, followed_fall, followed_save};
use crate::wishlist::ssr::{
    price_fell, record_save_purchases, saves_of_buyers, withdraw_save_purchases,
};
use crate::wishlist::{BuyersSave, SaveFollowed, SaveTouch};
use futures::future::BoxFuture;
use std::collections::HashMap;

/// Records which save, or fall of a saved price, each new order's products followed, and forgets it when the
/// order stops counting.
pub struct SavePurchases;

impl Then<OrderChange> for SavePurchases {
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
                } => withdraw_save_purchases(tx, order).await,
                OrderChange::Revalued { .. } | OrderChange::UnpaidClosed { .. } => Ok(()),
            }
        })
    }
}

/// Notes the saves a new price fell below.
pub struct SaveFalls;

impl Then<ProductChange> for SaveFalls {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: ProductChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            match change {
                ProductChange::Price {
                    product_id,
                    to_minor,
                    currency,
                    at,
                    ..
                } => price_fell(tx, product_id, to_minor, &currency, at).await,
                ProductChange::Stock { .. } => Ok(()),
            }
        })
    }
}

/// Records the saves and falls that `orders` (row ids, paid ones; any number) followed: what a tool that writes
/// orders straight into the tables runs after them.
pub async fn follow_orders(tx: &mut Tx, orders: &[i64]) -> Result<(), StoreError> {
    let bought = ordered_products(tx, orders).await?;
    follow_bought(tx, &bought).await
}

/// Records the saves and falls that what orders `bought` followed: what the flow does for each new order.
async fn follow_bought(tx: &mut Tx, bought: &[OrderedProduct]) -> Result<(), StoreError> {
    let Some((first, last, shoppers)) = buyers_between(bought) else {
        return Ok(());
    };
    // A fall comes at most SAVE_WINDOW after its save, and an order at most FALL_WINDOW after the fall.
    let saves = saves_of_buyers(tx, &shoppers, first - SAVE_WINDOW - FALL_WINDOW, last).await?;
    let mut saved: HashMap<(i64, i64), Vec<&BuyersSave>> = HashMap::new();
    for save in &saves {
        saved
            .entry((save.shopper, save.product))
            .or_default()
            .push(save);
    }
    let mut followed = Vec::new();
    for b in bought {
        let Some(saves) = saved.get(&(b.shopper, b.product)) else {
            continue;
        };
        let in_currency = || {
            saves
                .iter()
                .copied()
                .filter(|save| save.currency == b.currency)
        };
        let touches = [
            (SaveTouch::Save, followed_save(in_currency(), b.placed_at)),
            (SaveTouch::Fall, followed_fall(in_currency(), b.placed_at)),
        ];
        for (touch, save) in touches {
            if let Some(save) = save {
                followed.push(SaveFollowed {
                    save: save.clone(),
                    touch,
                    order: b.order,
                    value_minor: b.value_minor,
                    currency: b.currency.clone(),
                });
            }
        }
    }
    record_save_purchases(tx, &followed).await
}

/// Follows everything already recorded, as the flows would have as it happened: every price fall, then every paid
/// order, in transactions of a few thousand. For tools that write saves, prices or orders out of time order or
/// straight into the tables (the demo seed, the benchmarks' loaders); running it twice changes nothing.
pub async fn follow_all(db: &Db) -> Result<(), StoreError> {
    let history = every_price(db).await?;
    for changes in history.chunks(2_000) {
        let mut tx = db.write().await?;
        for (product, at, price) in changes {
            price_fell(&mut tx, *product, price.amount_minor, &price.currency, *at).await?;
        }
        tx.commit().await?;
    }
    let orders = paid_orders(db).await?;
    for batch in orders.chunks(2_000) {
        let mut tx = db.write().await?;
        follow_orders(&mut tx, batch).await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
