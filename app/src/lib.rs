//! Rapport: customer-relationship widgets for online stores, as a Leptos app.
//!
//! Organised by capability: each module holds its types, its server functions, its views and, under the
//! `ssr` feature, its SQL. The demo storefront (`storefront`) shows every widget in place.

// Leptos views are deeply nested types; the review form's outgrows the default limit in the size-optimised WASM.
#![recursion_limit = "256"]

pub mod alerts;
pub mod carts;
pub mod catalog;
pub mod embed;
pub mod events;
pub mod feed;
pub mod flows;
pub mod i18n;
pub mod identity;
pub mod insights;
pub mod kernel;
pub mod merchant;
pub mod messages;
pub mod orders;
pub mod questions;
pub mod reviews;
#[cfg(feature = "ssr")]
pub mod store;
pub mod storefront;
pub mod tiers;
pub mod ui;
pub mod wishlist;

pub use storefront::{App, shell};

/// Entry point of the storefront's WASM bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
