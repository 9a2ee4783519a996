//! Something in a shopper's cart gets cheaper: they are told by email, as a price alert would tell them, in the
//! transaction of the price change. The same guards hold as for alerts: a drop must clear the store's minimum drop
//! (so a price hovering around one value stays quiet), one notice per product within the cooldown, and the notice
//! names the lowest price of the 30 days before. It is marketing, so the shopper's consent, quiet hours, the weekly
//! cap and the non-openers' rule apply. Nobody is told of a drop their own price alert told them of, nor of a cart
//! the store has not shown for a while (abandoned). What the shopper buys or takes out of the cart leaves it
//! ([`CartsAfterOrders`], [`CartsLeft`]), so it is not watched any more; an email about it still waiting in the
//! outbox (the shopper's night, say) is withdrawn then, as it is when the price goes up again.

use super::product_names::ProductNames;
use crate::alerts::PriceRule;
use crate::alerts::rules::{AlertPolicy, PriceWatch, price_drop_fires};
use crate::carts::ssr::{CartChange, CartWatch, holders, mark_told, remove_bought, watching};
use crate::catalog::ssr::{ProductChange, lowest_price_of_30_days, page_url};
use crate::identity::ssr::addressees;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use crate::messages::ssr::{MarketingRules, NewMessage, queue_to, withdraw_all};
use crate::messages::{CartPriceDrop, MessageBody};
use crate::orders::ssr::OrderChange;
use crate::store::{StoreError, Then, Tx};
use futures::future::BoxFuture;

/// When a cart's price drop is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartDropPolicy {
    /// A cart line the store has not shown for this long is abandoned and told nothing; `None` tells no cart of
    /// any drop.
    pub watch_for: Option<Millis>,
    /// A cart's price drop is marketing: the store's rules for it apply.
    pub marketing: MarketingRules,
}

impl Default for CartDropPolicy {
    fn default() -> Self {
        CartDropPolicy {
            watch_for: Some(Millis::days(30)),
            marketing: MarketingRules::default(),
        }
    }
}

/// Whether a drop of a cart line's product to `new_minor` at `now` tells its shopper: the line is still watched,
/// and the drop fires as it would fire a price alert for any drop (the store's minimum drop and cooldown).
pub fn drop_tells(
    line: &CartWatch,
    new_minor: i64,
    alerts: &AlertPolicy,
    watch_for: Millis,
    now: Millis,
) -> bool {
    let watch = PriceWatch {
        rule: PriceRule::AnyDrop,
        reference_minor: line.reference_minor,
        last_notified_at: line.last_notified_at,
    };
    now - line.seen_at <= watch_for && price_drop_fires(&watch, new_minor, alerts, now)
}

/// The outbox's kind of a cart's price-drop message.
const KIND: &str = "cart_price_drop";

/// The outbox's key of a cart's price-drop message: one per price change and shopper, led by the product and
/// the shopper so that every email about one line is withdrawn together ([`key_of_line`]).
fn dedupe_key(product: ProductKey, shopper: ShopperKey, change_id: i64) -> String {
    format!("{}{change_id}", key_of_line(product, Some(shopper)))
}

/// What the keys of the emails about `product` in `shopper`'s cart (or in anyone's) start with.
fn key_of_line(product: ProductKey, shopper: Option<ShopperKey>) -> String {
    match shopper {
        Some(shopper) => format!("cart:{}:{}:", product.0, shopper.0),
        None => format!("cart:{}:", product.0),
    }
}

/// What follows a catalogue write: price and stock alerts, then price drops in shoppers' carts, and the saves a
/// new price fell below. The alerts come first: a shopper their own alert told of a drop is not told again of it
/// by the cart ([`CartPriceDrops`] reads the alerts' notices of the change).
pub fn catalog_flows<'a>(alerts: &'a AlertPolicy, carts: &'a CartDropPolicy) -> CatalogFlows<'a> {
    (
        super::catalog_alerts::CatalogAlerts(alerts),
        (
            CartPriceDrops {
                alerts,
                policy: carts,
            },
            super::save_purchases::SaveFalls,
        ),
    )
}

/// The flows [`catalog_flows`] gives, in their order.
pub type CatalogFlows<'a> = (
    super::catalog_alerts::CatalogAlerts<'a>,
    (CartPriceDrops<'a>, super::save_purchases::SaveFalls),
);

/// Tells shoppers of price drops in their carts, under the store's alert policy (minimum drop, cooldown) and
/// cart rules; a rise withdraws what still waits. It follows [`super::catalog_alerts::CatalogAlerts`] in one
/// change's transaction ([`catalog_flows`]).
pub struct CartPriceDrops<'a> {
    pub alerts: &'a AlertPolicy,
    pub policy: &'a CartDropPolicy,
}

impl Then<ProductChange> for CartPriceDrops<'_> {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: ProductChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            let ProductChange::Price {
                product_id,
                from_minor,
                to_minor,
                currency,
                change_id,
                at,
            } = change
            else {
                return Ok(());
            };
            let Some(watch_for) = self.policy.watch_for else {
                return Ok(());
            };
            let product = ProductKey(product_id);
            if to_minor > from_minor {
                let shoppers = holders(tx, product).await?;
                withdraw_all(tx, KIND, &shoppers, &key_of_line(product, None)).await?;
                return Ok(());
            }
            if to_minor == from_minor {
                return Ok(());
            }
            let lines: Vec<CartWatch> = watching(tx, product, &currency, at - watch_for)
                .await?
                .into_iter()
                .filter(|line| drop_tells(line, to_minor, self.alerts, watch_for, at))
                .collect();
            if lines.is_empty() {
                return Ok(());
            }
            let already_told = crate::alerts::ssr::shoppers_told_of_price(tx, change_id).await?;
            let lowest = lowest_price_of_30_days(tx, product_id, at, from_minor).await?;
            let product_url = page_url(tx, product).await?;
            let to = addressees(tx, lines.iter().map(|line| line.shopper)).await?;
            let locales: Vec<&str> = to.values().map(|to| to.locale.as_str()).collect();
            let names = ProductNames::load(tx, &locales, &[product_id]).await?;
            let money = |minor: i64| Money::new(minor, currency.clone());
            let messages: Vec<NewMessage> = lines
                .iter()
                .filter(|line| !already_told.contains(&line.shopper))
                .filter_map(|line| {
                    let (sku, title) = names.of(product, &to.get(&line.shopper)?.locale)?;
                    Some(NewMessage {
                        shopper: line.shopper,
                        dedupe_key: dedupe_key(product, line.shopper, change_id),
                        body: MessageBody::CartPriceDrop(CartPriceDrop {
                            sku: sku.to_owned(),
                            title: title.to_owned(),
                            product_url: product_url.clone(),
                            quantity: line.quantity,
                            // The price just before this change, as an alert's notice says: the line's watched
                            // price may be older (a drop held back by the cooldown) and is no price to quote.
                            old_price: money(from_minor),
                            new_price: money(to_minor),
                            lowest_30_days: money(lowest),
                        }),
                    })
                })
                .collect();
            queue_to(tx, &messages, &to, &self.policy.marketing, at).await?;
            // Every line the drop concerned now measures from this price, told or not (the shopper's own alert
            // told them, or their preferences or the cap held the email back): the same drop is not news later.
            let concerned: Vec<i64> = lines.iter().map(|line| line.line_id).collect();
            mark_told(tx, &concerned, to_minor, at).await?;
            Ok(())
        })
    }
}

/// Withdraws the price-drop emails still waiting about products that left a shopper's cart.
async fn withdraw_left(
    tx: &mut Tx,
    shopper: ShopperKey,
    products: &[ProductKey],
) -> Result<(), StoreError> {
    for product in products {
        withdraw_all(tx, KIND, &[shopper], &key_of_line(*product, Some(shopper))).await?;
    }
    Ok(())
}

/// Products leaving a cart take their waiting price-drop emails with them.
pub struct CartsLeft;

impl Then<CartChange> for CartsLeft {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: CartChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            let CartChange::Left { shopper, products } = change;
            withdraw_left(tx, shopper, &products).await
        })
    }
}

/// What a buyer buys leaves their cart: a drop of its price is no news to them any more.
pub struct CartsAfterOrders;

impl Then<OrderChange> for CartsAfterOrders {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: OrderChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            if let OrderChange::NewOrder { buyer, bought, .. } = change {
                let Some(placed_at) = bought.first().map(|line| line.placed_at) else {
                    return Ok(());
                };
                let mut products: Vec<ProductKey> =
                    bought.iter().map(|line| ProductKey(line.product)).collect();
                products.sort_unstable();
                let left = remove_bought(tx, ShopperKey(buyer), &products, placed_at).await?;
                withdraw_left(tx, ShopperKey(buyer), &left).await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests;
