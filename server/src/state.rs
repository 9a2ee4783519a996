//! The server's state: what its axum handlers take through `State`, and what it hands each server function and
//! page render through Leptos context, one piece per layer (the database, identity, each capability's policy), so
//! that no part of the app needs a state that knows every capability.

use app::identity::ssr::Identity;
use app::kernel::context::{PublicUrl, ShopName};
use app::store::Db;
use axum::extract::FromRef;
use leptos::prelude::*;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// The store's secret and API keys, the counts that slow guessing, and whether demo sign-in is on.
    pub identity: Identity,
    /// The store's rules for reviews (auto-publishing, ranking weight, rate limits) and what follows an award.
    pub reviews: app::reviews::ssr::Reviews,
    /// Where review photos are kept, and how many may be decoded at once.
    pub photos: app::reviews::ssr::ReviewPhotos,
    /// The store's limits on questions and answers, and who bought what (for who may answer).
    pub questions: app::questions::ssr::Questions,
    /// The shop's name, shown with its replies and answers.
    pub shop_name: ShopName,
    /// The store's limits on wish lists.
    pub wishlists: app::wishlist::rules::WishlistPolicy,
    /// The store's rules for price and stock alerts, and the channels it sends them on.
    pub alerts: app::alerts::rules::AlertPolicy,
    /// How the feed's similarity is built and refreshed.
    pub feed: app::feed::ssr::FeedPolicy,
    /// The shop's currency for the merchant's figures, and what the tiers add to them.
    pub insights: app::insights::ssr::Insights,
    /// The store's rules for marketing email: consent, quiet hours, weekly cap (`--marketing-*`).
    pub marketing: app::messages::ssr::MarketingRules,
    /// How long a cart is watched for price drops, and the marketing rules its emails follow.
    pub cart_drops: app::flows::cart_price_drops::CartDropPolicy,
    /// What follows a change of a cart (a waiting price-drop email withdrawn when its product leaves).
    pub carts: app::carts::ssr::Carts,
    /// This server's public address (`RAPPORT_PUBLIC_URL`): what store pages load the widgets from.
    pub public_url: PublicUrl,
}

impl AppState {
    /// What follows a catalogue write: price and stock alerts, price drops in shoppers' carts, the saves a new
    /// price fell below.
    pub fn catalog_flows(&self) -> app::flows::cart_price_drops::CatalogFlows<'_> {
        app::flows::cart_price_drops::catalog_flows(&self.alerts, &self.cart_drops)
    }

    /// Provides each layer's piece to the current server function or page render.
    pub fn provide(&self) {
        provide_context(self.db.clone());
        provide_context(self.identity.clone());
        provide_context(self.reviews.clone());
        provide_context(self.photos.clone());
        provide_context(self.questions.clone());
        provide_context(self.shop_name.clone());
        provide_context(self.wishlists);
        provide_context(self.alerts.clone());
        provide_context(self.feed.clone());
        provide_context(self.insights.clone());
        provide_context(self.public_url.clone());
        provide_context(self.marketing.clone());
        provide_context(self.carts.clone());
        // The nonce the response's Content-Security-Policy names (`page_security_policy`), in place of the one
        // Leptos made for this render, so that its inline scripts carry the nonce the browser is told to allow.
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
        {
            provide_context(nonce);
        }
    }
}
