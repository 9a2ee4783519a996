//! `<rapport-product-view>`: the invisible element a store's product page holds so that Rapport learns the
//! product was viewed, as the demo storefront's product page records it.

use super::record_view_from_page;
use crate::ui::Pending;
use leptos::prelude::*;

/// Records one view of `sku` once it is in a browser, and shows nothing. Until the view is recorded it is
/// pending, so the embed loader calls it ready (and sends `rapport:ready`) only once it is.
#[component]
pub fn ProductView(sku: String) -> impl IntoView {
    let recorded = LocalResource::new(move || {
        let sku = sku.clone();
        async move {
            let outcome = record_view_from_page(sku).await;
            if let Err(error) = &outcome {
                leptos::logging::warn!("Rapport: the product view was not recorded: {error}");
            }
            outcome.is_ok()
        }
    });
    move || match recorded.get() {
        None => view! { <Pending /> }.into_any(),
        Some(recorded) => {
            view! { <span hidden data-recorded=recorded.to_string()></span> }.into_any()
        }
    }
}
