//! The server's shared state, handed to server functions through Leptos context and to axum handlers through `State`.

use crate::identity::token::StoreSecret;
use crate::kernel::error::AppError;
use crate::store::Db;
use axum::extract::FromRef;
use leptos::prelude::*;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub secret: StoreSecret,
    /// Demo mode: the "sign in as" page may issue tokens for any shopper. Off unless configured on.
    pub demo: bool,
    /// The store's API keys, for the merchant API and the merchant pages' sign-in.
    pub merchant_keys: crate::identity::merchant::MerchantKeys,
    /// The store's rules for reviews (auto-publishing, ranking weight, rate limits) and what follows an award.
    pub reviews: crate::reviews::ssr::Reviews,
    /// The store's limits on wish lists.
    pub wishlists: crate::wishlist::rules::WishlistPolicy,
    /// The store's rules for price and stock alerts, and the channels it sends them on.
    pub alerts: crate::alerts::rules::AlertPolicy,
    /// How the feed's similarity is built and refreshed.
    pub feed: crate::feed::ssr::RefreshPolicy,
    /// Attempt counts that slow guessing of keys and floods of guest sessions and sign-up emails.
    pub throttles: crate::identity::throttle::Throttles,
    /// This server's public address (`RAPPORT_PUBLIC_URL`): what store pages load the widgets from.
    pub public_url: String,
}

/// The state, from inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from server-function context");
        AppError::internal()
    })
}
