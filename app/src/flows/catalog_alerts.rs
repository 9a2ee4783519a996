//! A price or stock change fires alerts: the catalogue reports each change, the alerts' store decides who is told.

use crate::alerts::rules::AlertPolicy;
use crate::catalog::ssr::ProductChange;
use crate::store::{StoreError, Then, Tx};
use futures::future::BoxFuture;

/// The alerts that follow a catalogue write, under the store's alert policy.
pub struct CatalogAlerts<'a>(pub &'a AlertPolicy);

impl Then<ProductChange> for CatalogAlerts<'_> {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: ProductChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            match change {
                ProductChange::Price {
                    product_id,
                    from_minor,
                    to_minor,
                    currency,
                    change_id,
                    at,
                } => {
                    crate::alerts::ssr::price_changed(
                        tx, product_id, from_minor, to_minor, &currency, change_id, self.0, at,
                    )
                    .await?;
                }
                ProductChange::Stock {
                    product_id,
                    from,
                    to,
                    change_id,
                    at,
                } => {
                    crate::alerts::ssr::stock_changed(
                        tx, product_id, from, to, change_id, self.0, at,
                    )
                    .await?;
                }
            }
            Ok(())
        })
    }
}
