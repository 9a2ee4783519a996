//! The carts' server functions: a page tells Rapport that the shopper (or guest) put a product in the store's cart
//! or took it out, as the store's own cart did.

use crate::identity::client::RapportClient;
use crate::identity::ensure_viewer;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::MAX_CART_QUANTITY,
    super::ssr::Carts,
    crate::catalog::ssr::{active_product_price, product_for_update},
    crate::events::EventKind,
    crate::events::ssr::{NewEvent, record},
    crate::identity::Viewer,
    crate::identity::ssr::{Owner, request_viewer},
    crate::kernel::error::{Translation, respond_with},
    crate::kernel::time::Millis,
    crate::store::{Db, StoreError},
};

/// Records that the viewer put `quantity` of a product in the store's cart: a line of their cart, watched from
/// today's price, and a `carted` event for the feed. Returns the quantity.
#[server(client = RapportClient)]
pub async fn add_to_cart(sku: String, quantity: i64) -> Result<i64, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    if !(1..=MAX_CART_QUANTITY).contains(&quantity) {
        return Err(respond_with(AppError::invalid(
            "quantity",
            Translation::with(
                "error.rule.between",
                &[
                    ("min", "1".to_owned()),
                    ("max", MAX_CART_QUANTITY.to_string()),
                ],
            ),
        )));
    }
    carted(&db, &viewer, &sku, quantity, crate::kernel::time::now())
        .await
        .map_err(|error| respond_with(error.into()))?;
    Ok(quantity)
}

/// Records that the viewer took a product out of the store's cart; `false` when it was not in it as far as Rapport
/// knows.
#[server(client = RapportClient)]
pub async fn remove_from_cart(sku: String) -> Result<bool, AppError> {
    let db = crate::store::db()?;
    let carts: Carts = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    uncarted(&db, &viewer, &sku, carts.then.as_ref())
        .await
        .map_err(|error| respond_with(error.into()))
}

/// [`add_to_cart`]'s work, in one transaction.
#[cfg(feature = "ssr")]
pub async fn carted(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    quantity: i64,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    let (product, price, currency) = active_product_price(&mut tx, sku).await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    super::ssr::add(&mut tx, &owner, product, quantity, (price, &currency), now).await?;
    let (shopper_id, guest_id) = owner.binds();
    record(
        &mut tx,
        &[NewEvent {
            shopper_id,
            guest_id,
            product_id: product,
            kind: EventKind::Carted,
            at: now,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// [`remove_from_cart`]'s work, `then` following what left: a product the store withdrew can still leave the
/// cart.
#[cfg(feature = "ssr")]
pub async fn uncarted(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    then: &dyn crate::store::Then<super::ssr::CartChange>,
) -> Result<bool, StoreError> {
    let mut tx = db.write().await?;
    let (product, ..) = product_for_update(&mut tx, sku, "sku").await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let removed = super::ssr::remove(&mut tx, &owner, product, then).await?;
    tx.commit().await?;
    Ok(removed)
}

/// From a page: puts `quantity` of `sku` in the viewer's cart, getting this browser a guest token first when it
/// has none, so a guest's cart counts too.
pub async fn put_in_cart(sku: String, quantity: i64) -> Result<i64, AppError> {
    ensure_viewer().await?;
    add_to_cart(sku, quantity).await
}

/// From a page: takes `sku` out of the viewer's cart.
pub async fn take_out_of_cart(sku: String) -> Result<bool, AppError> {
    ensure_viewer().await?;
    remove_from_cart(sku).await
}
