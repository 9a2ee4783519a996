//! The shop's frame: header with categories, language switch, account and cart; footer.

use crate::alerts::AlertInbox;
use crate::catalog::shop_categories;
use crate::i18n::{self, use_i18n};
use crate::tiers::TierBadge;
#[cfg(feature = "browser")]
use crate::ui::ADD_TO_CART_EVENT;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let categories = Resource::new(
        move || i18n.locale(),
        |locale| shop_categories(locale.to_owned()),
    );
    let cart_count = RwSignal::new(0i64);
    handle_add_to_cart(cart_count);
    view! {
        <a class="shop-skip" href="#main">{move || i18n.t("nav.skip")}</a>
        <header class="shop-header">
            <div class="shop-header__bar">
                <a class="shop-brand" href="/">
                    <span class="shop-brand__mark" aria-hidden="true">"R"</span>
                    <span class="shop-brand__name">{move || i18n.t("shop.name")}</span>
                </a>
                <nav class="shop-header__actions" aria-label=move || i18n.t("nav.account")>
                    <LanguageSwitch />
                    <AlertInbox />
                    <TierBadge />
                    <a class="shop-header__link" href="/wishlist">{move || i18n.t("nav.wishlist")}</a>
                    <a class="shop-header__link" href="/account">{move || i18n.t("nav.account")}</a>
                    <span class="shop-cart" aria-live="polite">
                        {move || i18n.t("nav.cart")}
                        " "
                        <span class="shop-cart__count" data-testid="cart-count">{move || cart_count.get()}</span>
                    </span>
                </nav>
            </div>
            <nav class="shop-categories" aria-label=move || i18n.t("nav.categories")>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        categories.await.unwrap_or_default().into_iter().map(|category| {
                            let href = format!("/c/{}", category.slug);
                            view! { <a class="shop-categories__link" href=href>{category.name}</a> }
                        }).collect_view()
                    })}
                </Transition>
            </nav>
        </header>
        <main id="main" class="shop-main">{children()}</main>
        <footer class="shop-footer">
            <p>{move || i18n.t("footer.note")}</p>
        </footer>
    }
}

/// Links to each language: they work without JavaScript (the server remembers the choice in a cookie) and,
/// once hydrated, switch in place.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="shop-language" role="group" aria-label=move || i18n.t("nav.language")>
            {i18n::languages().map(|(locale, name)| {
                view! {
                    <a
                        class="shop-language__option"
                        href=format!("?lang={locale}")
                        hreflang=locale
                        lang=locale
                        aria-current=move || (i18n.locale() == locale).then_some("true")
                        on:click=move |ev| {
                            ev.prevent_default();
                            switch_language(i18n, locale);
                        }
                    >
                        {name}
                    </a>
                }
            }).collect_view()}
        </span>
    }
}

/// Shows the shop in `locale` from now on, and remembers the choice for the server.
pub fn switch_language(i18n: i18n::I18n, locale: &'static str) {
    i18n.set_locale(locale);
    #[cfg(feature = "browser")]
    {
        use wasm_bindgen::JsCast;
        let document = document();
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("lang", locale);
        }
        if let Ok(html_document) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html_document.set_cookie(&format!(
                "{}={locale}; Path=/; Max-Age=31536000; SameSite=Lax",
                i18n::LOCALE_COOKIE
            ));
        }
    }
}

/// The demo store's cart: it counts what the widgets' `rapport:add-to-cart` events ask for, as a host page would.
fn handle_add_to_cart(cart_count: RwSignal<i64>) {
    #[cfg(feature = "browser")]
    {
        const CART_KEY: &str = "demo.cart_count";
        let saved = crate::ui::local_storage()
            .and_then(|storage| storage.get_item(CART_KEY).ok().flatten())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        // After hydration: the server rendered 0, and hydration keeps the server's text.
        Effect::new(move |_| cart_count.set(saved));
        let handle = window_event_listener_untyped(ADD_TO_CART_EVENT, move |event| {
            use wasm_bindgen::JsCast;
            let quantity = event
                .dyn_ref::<web_sys::CustomEvent>()
                .and_then(|custom| js_sys::Reflect::get(&custom.detail(), &"quantity".into()).ok())
                .and_then(|value| value.as_f64())
                .unwrap_or(1.0) as i64;
            cart_count.update(|count| *count += quantity);
            if let Some(storage) = crate::ui::local_storage() {
                let _ = storage.set_item(CART_KEY, &cart_count.get_untracked().to_string());
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "browser"))]
    let _ = cart_count;
}

/// The page for addresses that match no route.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="404" />
        <section class="shop-notice">
            <h1>"404"</h1>
            <p><a href="/">{move || i18n.t("nav.home")}</a></p>
        </section>
    }
}
