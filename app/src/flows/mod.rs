//! Flows: where one capability's change causes another's, or one shows another's data, each written once, here.
//!
//! A capability that makes such a change reports it inside its own transaction through [`crate::store::Then`],
//! without knowing who follows; the caller (a server function, a merchant-API handler, a tool) hands in the flow
//! below. So the effect happens in the same transaction as the change, all or none, and a reader finds every
//! cross-capability effect in this folder:
//!
//! - [`catalog_alerts`]: a price or stock change fires the price-drop, price-rise and back-in-stock alerts;
//! - [`tier_growth`]: an order, a refund, a cancellation or a review award changes the member's tier growth;
//! - [`guest_adoption`]: signing in moves a guest's wish lists, alerts and browsing to the shopper;
//! - [`tier_badges`]: a review shows its author's member-tier badge;
//! - [`verified_buyers`]: only shoppers who bought a product answer questions about it;
//! - [`answer_notices`]: an answer to a shopper's question emails them;
//! - [`tier_values`]: the merchant's customers page shows what each member tier's members ordered;
//! - [`order_values`]: the merchant's customers page counts every order as it changes;
//! - [`review_requests`]: a delivered order asks its buyer, a while later, to review what it brought;
//! - [`unpaid_reminders`]: an order left unpaid reminds its buyer once, unless it is paid or cancelled first;
//! - [`cart_price_drops`]: a price drop of something in a shopper's cart tells them, and what they buy leaves it;
//! - [`notice_purchases`]: an order of a product its buyer was told about in the week before follows that notice;
//! - [`save_purchases`]: a price fall of a saved product, and an order of it, follow the save;
//! - [`product_names`]: the products an email names, in its recipient's language.

#[cfg(feature = "ssr")]
pub mod answer_notices;
#[cfg(feature = "ssr")]
pub mod cart_price_drops;
#[cfg(feature = "ssr")]
pub mod catalog_alerts;
pub mod guest_adoption;
#[cfg(feature = "ssr")]
pub mod notice_purchases;
#[cfg(feature = "ssr")]
pub mod order_values;
#[cfg(feature = "ssr")]
pub mod product_names;
#[cfg(feature = "ssr")]
pub mod review_requests;
#[cfg(feature = "ssr")]
pub mod save_purchases;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
#[cfg(feature = "ssr")]
pub mod tier_badges;
#[cfg(feature = "ssr")]
pub mod tier_growth;
#[cfg(feature = "ssr")]
pub mod tier_values;
#[cfg(feature = "ssr")]
pub mod unpaid_reminders;
#[cfg(feature = "ssr")]
pub mod verified_buyers;

pub use guest_adoption::{adopt_guest, demo_sign_in};

/// What follows every change to orders: the buyer's tier growth, an unpaid order's reminder withdrawn when the
/// order is paid or cancelled, what the buyer bought taken out of their cart, and the notices and saves the order
/// followed.
#[cfg(feature = "ssr")]
pub const ORDER_FLOWS: OrderFlows = (
    tier_growth::TierGrowth,
    (
        unpaid_reminders::UnpaidReminders,
        (
            cart_price_drops::CartsAfterOrders,
            (
                notice_purchases::NoticePurchases,
                save_purchases::SavePurchases,
            ),
        ),
    ),
);

/// The flows of [`ORDER_FLOWS`], in their order.
#[cfg(feature = "ssr")]
pub type OrderFlows = (
    tier_growth::TierGrowth,
    (
        unpaid_reminders::UnpaidReminders,
        (
            cart_price_drops::CartsAfterOrders,
            (
                notice_purchases::NoticePurchases,
                save_purchases::SavePurchases,
            ),
        ),
    ),
);
