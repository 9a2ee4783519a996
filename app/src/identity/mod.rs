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
    /// Where the shopper lives, as an IANA time zone (`Asia/Shanghai`): marketing email waits out their local
    /// night. The store's own (`--store-time-zone`) when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
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

/// Makes sure this browser holds a token, asking the server for a guest one when it holds none. Widgets that
/// ask at the same moment (a store page's first load) share one request, so that one visitor is one guest.
pub async fn ensure_viewer() -> Result<(), crate::kernel::error::AppError> {
    if client::current_token().is_some() {
        return Ok(());
    }
    #[cfg(feature = "browser")]
    {
        one_guest::starting().await
    }
    #[cfg(not(feature = "browser"))]
    {
        start_guest().await
    }
}

async fn start_guest() -> Result<(), crate::kernel::error::AppError> {
    // A browser that gives the page no storage could not keep the guest's token: a session would be lost at once.
    #[cfg(feature = "browser")]
    if crate::ui::local_storage().is_none() {
        return Err(crate::kernel::error::AppError::unauthorized(
            crate::kernel::error::Translation::of("error.sign_in_or_guest"),
        ));
    }
    let issued = start_guest_session().await?;
    // The store may have signed the shopper in while the guest token was on its way: theirs wins.
    if client::current_token().is_none() {
        client::store_token(Some(&issued.token));
    }
    Ok(())
}

/// How a store page's widgets get a guest session: through the embed loader's `ask` (a function returning a promise
/// that settles once the token is kept, or the ask refused), which also asks beside the widgets' WASM and when a
/// heart it draws is pressed: the page's visitor is one guest. Only after a refusal do the widgets ask themselves.
#[cfg(feature = "browser")]
pub fn guest_sessions_through_loader(ask: js_sys::Function) {
    one_guest::LOADER_ASKS.set(Some(ask));
}

/// The guest session being started, which every widget of the page waits for. The widgets are roots of their own
/// (the embed loader mounts each alone), so no context reaches them all: the page's WASM instance is shared.
#[cfg(feature = "browser")]
mod one_guest {
    use crate::kernel::error::AppError;
    use futures::FutureExt;
    use futures::future::{BoxFuture, Shared};
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;

    type Starting = Shared<BoxFuture<'static, Result<(), AppError>>>;

    thread_local! {
        static STARTING: RefCell<Option<Starting>> = const { RefCell::new(None) };
        pub(super) static LOADER_ASKS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    }

    /// Asks the loader for the guest session, and whether the token is now kept: `None` when the page has no loader
    /// (the storefront's own pages).
    async fn kept_through_loader() -> Option<bool> {
        let asked = LOADER_ASKS.with_borrow(|ask| {
            ask.as_ref()
                .map(|ask| ask.call0(&wasm_bindgen::JsValue::NULL))
        })?;
        if let Some(asked) = asked
            .ok()
            .and_then(|asked| asked.dyn_into::<js_sys::Promise>().ok())
        {
            // It never rejects: a refusal settles it with no token kept.
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        }
        Some(super::client::current_token().is_some())
    }

    pub fn starting() -> Starting {
        STARTING.with_borrow_mut(|starting| {
            starting
                .get_or_insert_with(|| {
                    async {
                        let started = if super::client::current_token().is_some() {
                            Ok(())
                        } else {
                            // The page's one thread: widgets' actions need their futures `Send`.
                            match send_wrapper::SendWrapper::new(kept_through_loader()).await {
                                Some(true) => Ok(()),
                                // Refused (a rate limit, the network, no storage): asking again says what
                                // went wrong.
                                _ => super::start_guest().await,
                            }
                        };
                        // Done: a later need (after a sign-out, say) starts afresh.
                        STARTING.with_borrow_mut(|starting| *starting = None);
                        started
                    }
                    .boxed()
                    .shared()
                })
                .clone()
        })
    }
}
