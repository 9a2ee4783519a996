use crate::i18n::use_i18n;
use crate::wishlist::Wishlist;
use leptos::prelude::*;
use leptos_meta::Title;

/// The shopper's wish lists. Lists belong to the token in the browser, so the page fills in after hydration.
#[component]
pub fn WishlistPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t("wishlist.title") />
        <section class="shop-section">
            <h1>{move || i18n.t("wishlist.title")}</h1>
            <Wishlist />
        </section>
    }
}
