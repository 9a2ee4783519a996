//! Who a request acts for: a shopper proven by the store's signed token, or an anonymous guest.
//! Every server function that reads or writes a shopper's data asks [`ssr::current_viewer`] first.

pub mod client;
pub mod merchant;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod token;
pub use server::*;

use serde::{Deserialize, Serialize};

/// The request header widgets send the token in (never a cookie, so that other sites cannot ride on it).
pub const TOKEN_HEADER: &str = "x-rapport-token";

/// Who a request speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// A shopper, by the store's own shopper id.
    Shopper(String),
    /// An anonymous visitor, by a random guest id.
    Guest(String),
}

/// A shopper as the merchant API receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopperInput {
    /// The store's own id for this shopper.
    pub shopper_id: String,
    #[serde(default)]
    pub email: Option<String>,
    pub display_name: String,
    /// Preferred language, e.g. `en` or `zh-CN`.
    #[serde(default = "default_locale")]
    pub locale: String,
}

fn default_locale() -> String {
    "en".into()
}

/// What the account page shows a signed-in shopper about themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub shopper_id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub locale: String,
}

/// A token issued to the browser, with the viewer it speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub token: String,
    pub viewer: Viewer,
    /// The shopper's preferred language, for the page to switch to on signing in.
    pub locale: Option<String>,
}

/// Makes sure this browser holds a token, asking the server for a guest one when it holds none.
pub async fn ensure_viewer() -> Result<(), crate::kernel::error::AppError> {
    if client::current_token().is_none() {
        let issued = start_guest_session().await?;
        // The store may have signed the shopper in while the guest token was on its way: theirs wins.
        if client::current_token().is_none() {
            client::store_token(Some(&issued.token));
        }
    }
    Ok(())
}
