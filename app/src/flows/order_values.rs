//! The merchant's customers page counts what every order is worth: the insights ask what changed since they last
//! read, the orders answer.

use crate::insights::ssr::OrderValues;
use crate::orders::{OrderMark, OrderValue};
use crate::store::{Db, StoreError};
use futures::future::BoxFuture;

/// The orders' values, for the insights.
pub struct OrdersValued;

impl OrderValues for OrdersValued {
    fn since<'a>(
        &'a self,
        db: &'a Db,
        mark: Option<OrderMark>,
        currency: &'a str,
    ) -> BoxFuture<'a, Result<(Vec<OrderValue>, OrderMark), StoreError>> {
        Box::pin(crate::orders::ssr::order_values_since(db, mark, currency))
    }
}
