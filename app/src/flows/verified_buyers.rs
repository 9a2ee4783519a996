//! Only shoppers who bought a product answer questions about it: the questions ask, the orders answer.

use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::questions::ssr::Purchases;
use crate::store::{StoreError, Tx};
use futures::future::BoxFuture;

/// The orders' paid order lines, for the questions' answerers.
pub struct OrderedProducts;

impl Purchases for OrderedProducts {
    fn has_bought<'a>(
        &'a self,
        tx: &'a mut Tx,
        shopper: ShopperKey,
        product: ProductKey,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move { Ok(crate::orders::ssr::has_bought(tx, shopper, product).await?) })
    }
}
