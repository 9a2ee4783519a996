//! Signing in moves what a guest saved (wish-list items, alerts, the cart) and did (browsing, and the feed's cards
//! they saw and clicked) to the shopper, all in one transaction: either everything moves or nothing does, and a retry finishes the job.

use crate::identity::IssuedToken;
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::identity::Viewer, crate::identity::ssr as identity, crate::identity::token,
    crate::kernel::error::ErrorCode, crate::kernel::error::respond_with,
    crate::kernel::time::Millis, crate::store::Db, crate::store::StoreError,
};

/// How long a demo sign-in lasts.
#[cfg(feature = "ssr")]
const DEMO_TOKEN_SECONDS: i64 = 24 * 3600;

/// Moves the guest's wish-list items, live alerts, cart and events to the shopper; returns how many items and alerts
/// were new to the shopper.
#[cfg(feature = "ssr")]
pub async fn adopt(db: &Db, guest: &str, shopper: &str, now: Millis) -> Result<u64, StoreError> {
    let mut tx = db.write().await?;
    let items = crate::wishlist::ssr::adopt_guest_lists(&mut tx, guest, shopper, now).await?;
    let alerts = crate::alerts::ssr::adopt_guest_alerts(&mut tx, guest, shopper, now).await?;
    crate::events::ssr::adopt_guest_events(&mut tx, guest, shopper).await?;
    let shopper_key = identity::known_shopper(&mut tx, shopper).await?;
    crate::feed::ssr::adopt_guest_cards(&mut tx, guest, shopper_key).await?;
    crate::carts::ssr::adopt_guest_cart(&mut tx, guest, shopper_key).await?;
    tx.commit().await?;
    Ok(items + alerts)
}

/// Demo mode only: signs in as a demo shopper, as the store's own login would.
#[server(client = RapportClient)]
pub async fn demo_sign_in(shopper_id: String) -> Result<IssuedToken, AppError> {
    let db = crate::store::db()?;
    let who = identity::identity()?;
    if !who.demo {
        return Err(respond_with(AppError::new(
            ErrorCode::Disabled,
            "Demo sign-in is turned off on this store.",
        )));
    }
    let Some(locale) = identity::shopper_locale(&db, &shopper_id).await? else {
        return Err(respond_with(AppError::not_found(
            Some("shopper_id".into()),
            "There is no such shopper.",
        )));
    };
    let now = crate::kernel::time::now();
    // The browser signing in was a guest until now: what the guest saved moves to the shopper.
    if let Ok(Viewer::Guest(guest)) = identity::current_viewer(&who).await {
        adopt(&db, &guest, &shopper_id, now).await?;
    }
    let viewer = Viewer::Shopper(shopper_id);
    let token = token::issue(
        &who.secret,
        &viewer,
        (now + Millis::seconds(DEMO_TOKEN_SECONDS)).as_seconds(),
    );
    Ok(IssuedToken {
        token,
        viewer,
        locale: Some(locale),
    })
}

/// Moves what a guest saved and did to the signed-in shopper, for stores whose own sign-in issues the shopper
/// token: call it once with the guest token the browser held before. The guest token must be valid (signed by this
/// store), so nobody can claim another visitor's guest data by guessing an id.
#[server(client = RapportClient)]
pub async fn adopt_guest(guest_token: String) -> Result<u64, AppError> {
    // Every piece of the server's context is taken before the first await: a page render polls a server
    // function's later steps outside the request's reactive owner.
    let db = crate::store::db()?;
    let secret = identity::identity()?.secret;
    let shopper_id = identity::request_shopper().await?;
    let now = crate::kernel::time::now();
    let Viewer::Guest(guest) =
        token::verify(&secret, &guest_token, now.as_seconds()).map_err(respond_with)?
    else {
        return Err(respond_with(AppError::invalid(
            "guest_token",
            "is a shopper's token, not a guest's",
        )));
    };
    Ok(adopt(&db, &guest, &shopper_id, now).await?)
}

#[cfg(all(test, feature = "ssr"))]
mod tests;
