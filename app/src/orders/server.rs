//! Orders' server functions: a shopper's own orders, and the demo's busiest buyers.

use super::{Buyer, OrderSummary};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::ssr,
    crate::identity::ssr::{identity, request_shopper},
    crate::kernel::error::{ErrorCode, respond_with},
};

/// The signed-in shopper's most recent orders, newest first.
#[server(client = RapportClient)]
pub async fn my_orders() -> Result<Vec<OrderSummary>, AppError> {
    let db = crate::store::db()?;
    let shopper_id = request_shopper().await?;
    Ok(ssr::recent_orders(&db, &shopper_id, 10).await?)
}

/// Demo mode only: the shoppers the sign-in page offers, those with the most orders first.
#[server(client = RapportClient)]
pub async fn demo_shoppers() -> Result<Vec<Buyer>, AppError> {
    let db = crate::store::db()?;
    if !identity()?.demo {
        return Err(respond_with(AppError::new(
            ErrorCode::Disabled,
            "Demo sign-in is turned off on this store.",
        )));
    }
    Ok(ssr::busiest_buyers(&db, 12).await?)
}
