//! Identity's server functions.

use super::client::RapportClient;
use super::{Account, IssuedToken};
use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::Viewer,
    super::ssr,
    super::ssr::{identity, request_shopper},
    super::token,
    crate::kernel::error::{Translation, respond_with},
};

/// How long a guest token lasts.
#[cfg(feature = "ssr")]
const GUEST_TOKEN_SECONDS: i64 = 365 * 24 * 3600;

/// Where builds before this function had a path of its own asked for a guest session.
#[cfg(feature = "ssr")]
pub const HASHED_GUEST_SESSION_PATH: &str =
    crate::kernel::hashed_server_fn_path!("start_guest_session");

/// Gives an anonymous visitor a signed guest id, so that widgets work before signing in. At a path of its own,
/// without the hash server functions get: the embed loader asks for it by that path, beside the widgets' WASM.
#[server(client = RapportClient, endpoint = "start_guest_session")]
pub async fn start_guest_session() -> Result<IssuedToken, AppError> {
    let identity = identity()?;
    identity
        .throttles
        .guest_sessions
        .admit(
            &[super::throttle::current_client()],
            std::time::Instant::now(),
            Translation::of("error.guest_sessions"),
        )
        .map_err(respond_with)?;
    let viewer = Viewer::Guest(format!("g{:032x}", rand::random::<u128>()));
    let token = token::issue(
        &identity.secret,
        &viewer,
        (crate::kernel::time::now() + crate::kernel::time::Millis::seconds(GUEST_TOKEN_SECONDS))
            .as_seconds(),
    );
    Ok(IssuedToken {
        token,
        viewer,
        locale: None,
    })
}

/// The signed-in shopper's own account.
#[server(client = RapportClient)]
pub async fn my_account() -> Result<Account, AppError> {
    let db = crate::store::db()?;
    let shopper_id = request_shopper().await?;
    ssr::account(&db, &shopper_id).await?.ok_or_else(|| {
        respond_with(AppError::not_found(
            None,
            Translation::of("error.profile_unknown"),
        ))
    })
}
