//! Identity's server functions.

use super::client::RapportClient;
use super::{Account, DemoShopper, IssuedToken};
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::Viewer, super::ssr, super::token, crate::kernel::error::ErrorCode,
    crate::kernel::error::respond_with, crate::state::app_state,
};

/// How long a guest token lasts.
#[cfg(feature = "ssr")]
const GUEST_TOKEN_SECONDS: i64 = 365 * 24 * 3600;
/// How long a demo sign-in lasts.
#[cfg(feature = "ssr")]
const DEMO_TOKEN_SECONDS: i64 = 24 * 3600;

/// Gives an anonymous visitor a signed guest id, so that widgets work before signing in.
#[server(client = RapportClient)]
pub async fn start_guest_session() -> Result<IssuedToken, AppError> {
    let state = app_state()?;
    state
        .throttles
        .guest_sessions
        .admit(
            &[super::throttle::current_client()],
            std::time::Instant::now(),
            "Too many new visitors from here at once; please try again in a minute.",
        )
        .map_err(respond_with)?;
    let viewer = Viewer::Guest(format!("g{:032x}", rand::random::<u128>()));
    let token = token::issue(
        &state.secret,
        &viewer,
        crate::kernel::time::now() / 1000 + GUEST_TOKEN_SECONDS,
    );
    Ok(IssuedToken {
        token,
        viewer,
        locale: None,
    })
}

/// Demo mode only: the shoppers the sign-in page offers.
#[server(client = RapportClient)]
pub async fn demo_shoppers() -> Result<Vec<DemoShopper>, AppError> {
    let state = app_state()?;
    if !state.demo {
        return Err(respond_with(AppError::new(
            ErrorCode::Disabled,
            "Demo sign-in is turned off on this store.",
        )));
    }
    Ok(ssr::demo_shoppers(&state.db, 12).await?)
}

/// Demo mode only: signs in as a demo shopper, as the store's own login would.
#[server(client = RapportClient)]
pub async fn demo_sign_in(shopper_id: String) -> Result<IssuedToken, AppError> {
    let state = app_state()?;
    if !state.demo {
        return Err(respond_with(AppError::new(
            ErrorCode::Disabled,
            "Demo sign-in is turned off on this store.",
        )));
    }
    let Some(locale) = ssr::shopper_locale(&state.db, &shopper_id).await? else {
        return Err(respond_with(AppError::not_found(
            Some("shopper_id".into()),
            "There is no such shopper.",
        )));
    };
    // The browser signing in was a guest until now: what the guest saved moves to the shopper.
    if let Ok(Viewer::Guest(guest)) = ssr::current_viewer(&state).await {
        crate::wishlist::ssr::adopt_guest_lists(
            &state.db,
            &guest,
            &shopper_id,
            crate::kernel::time::now(),
        )
        .await?;
        crate::alerts::ssr::adopt_guest_alerts(
            &state.db,
            &guest,
            &shopper_id,
            crate::kernel::time::now(),
        )
        .await?;
        crate::events::ssr::adopt_guest_events(&state.db, &guest, &shopper_id).await?;
    }
    let viewer = Viewer::Shopper(shopper_id);
    let token = token::issue(
        &state.secret,
        &viewer,
        crate::kernel::time::now() / 1000 + DEMO_TOKEN_SECONDS,
    );
    Ok(IssuedToken {
        token,
        viewer,
        locale: Some(locale),
    })
}

/// Moves what a guest saved (wish-list items, alerts) and did (browsing, for the feed) to the signed-in shopper, for stores whose own sign-in issues the shopper token:
/// call it once with the guest token the browser held before. The guest token must be valid (signed by this
/// store), so nobody can claim another visitor's guest data by guessing an id.
#[server(client = RapportClient)]
pub async fn adopt_guest(guest_token: String) -> Result<u64, AppError> {
    let state = app_state()?;
    let shopper_id = ssr::current_shopper(&state).await.map_err(respond_with)?;
    let Viewer::Guest(guest) = token::verify(
        &state.secret,
        &guest_token,
        crate::kernel::time::now() / 1000,
    )
    .map_err(respond_with)?
    else {
        return Err(respond_with(AppError::invalid(
            "guest_token",
            "is a shopper's token, not a guest's",
        )));
    };
    let now = crate::kernel::time::now();
    let items =
        crate::wishlist::ssr::adopt_guest_lists(&state.db, &guest, &shopper_id, now).await?;
    let alerts =
        crate::alerts::ssr::adopt_guest_alerts(&state.db, &guest, &shopper_id, now).await?;
    crate::events::ssr::adopt_guest_events(&state.db, &guest, &shopper_id).await?;
    Ok(items + alerts)
}

/// The signed-in shopper's own account.
#[server(client = RapportClient)]
pub async fn my_account() -> Result<Account, AppError> {
    let state = app_state()?;
    let shopper_id = ssr::current_shopper(&state).await.map_err(respond_with)?;
    ssr::account(&state.db, &shopper_id, 10)
        .await?
        .ok_or_else(|| {
            respond_with(AppError::not_found(
                None,
                "The store has not shared your profile with us yet.",
            ))
        })
}
