//! Recording what a shopper does from the browser, the same for the demo storefront's pages and a store's own
//! pages (the loader's `Rapport.track` and `<rapport-product-view>`): the viewer gets a guest token first when
//! it has none, so a guest's browsing counts too.

use super::{add_to_cart, record_view};
use crate::identity::ensure_viewer;
use crate::kernel::error::AppError;

/// Something a store's page saw the shopper do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    /// Opened the product's page.
    View,
    /// Put this many of the product in the store's cart.
    Cart(i64),
}

impl Tracked {
    /// Reads a tracking call's kind (`view` or `cart`), with the quantity a cart event carries (1 when none).
    ///
    /// ```
    /// use app::events::track::Tracked;
    /// assert_eq!(Tracked::parse("cart", Some(2)), Ok(Tracked::Cart(2)));
    /// assert_eq!(Tracked::parse("view", None), Ok(Tracked::View));
    /// assert!(Tracked::parse("purchase", None).is_err());
    /// ```
    pub fn parse(kind: &str, quantity: Option<i64>) -> Result<Self, AppError> {
        match kind {
            "view" => Ok(Self::View),
            "cart" => Ok(Self::Cart(quantity.unwrap_or(1))),
            other => Err(AppError::invalid(
                "kind",
                format!(
                    "\"{other}\" is not something Rapport records from a page; use \"view\" or \"cart\""
                ),
            )),
        }
    }
}

/// Records `tracked` for the product `sku`, for the signed-in shopper or this browser's guest.
pub async fn track(tracked: Tracked, sku: String) -> Result<(), AppError> {
    ensure_viewer().await?;
    match tracked {
        Tracked::View => record_view(sku).await,
        Tracked::Cart(quantity) => add_to_cart(sku, quantity).await.map(|_| ()),
    }
}
