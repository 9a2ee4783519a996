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
    let issued = start_guest_session().await?;
    // The store may have signed the shopper in while the guest token was on its way: theirs wins.
    if client::current_token().is_none() {
        client::store_token(Some(&issued.token));
    }
    Ok(())
}

/// The guest session the embed loader asked for beside the widgets' WASM (`asked` settles once it is answered,
/// the token kept if one came): the widgets wait for it rather than ask for a second.
#[cfg(feature = "browser")]
pub fn guest_session_asked_by_loader(asked: js_sys::Promise) {
    one_guest::ASKED_BY_LOADER.set(Some(asked));
}

/// The guest session being started, which every widget of the page waits for. The widgets are roots of their own
/// (the embed loader mounts each alone), so no context reaches them all: the page's WASM instance is shared.
#[cfg(feature = "browser")]
mod one_guest {
    use crate::kernel::error::AppError;
    use futures::FutureExt;
    use futures::future::{BoxFuture, Shared};
    use std::cell::RefCell;

    type Starting = Shared<BoxFuture<'static, Result<(), AppError>>>;

    thread_local! {
        static STARTING: RefCell<Option<Starting>> = const { RefCell::new(None) };
        pub(super) static ASKED_BY_LOADER: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    }

    pub fn starting() -> Starting {
        STARTING.with_borrow_mut(|starting| {
            starting
                .get_or_insert_with(|| {
                    async {
                        if let Some(asked) = ASKED_BY_LOADER.take() {
                            // It never rejects: a failed ask (a rate limit, the network) leaves no token, and
                            // the request below asks again and says what went wrong.
                            let asked = wasm_bindgen_futures::JsFuture::from(asked);
                            // The page's one thread: widgets' actions need their futures `Send`.
                            let _ = send_wrapper::SendWrapper::new(asked).await;
                        }
                        let started = if super::client::current_token().is_some() {
                            Ok(())
                        } else {
                            super::start_guest().await
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
