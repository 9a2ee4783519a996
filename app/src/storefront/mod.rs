//! The demo storefront: a small shop that shows every Rapport widget in place.

mod account;
mod category;
mod embedding;
mod home;
mod layout;
mod product;
mod sign_in;
mod wishlist;

use crate::i18n::{self, I18n};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = initial_locale();
    view! {
        <!DOCTYPE html>
        <html lang=locale>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options=options.clone() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href="/rapport-theme.css" />
                // The published bundle's folder, named by its content (rapport-tools publish-assets).
                <link rel="stylesheet" href=format!("/{}/rapport.css", options.site_pkg_dir) />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The storefront app: routes of the demo shop. Pages render whole on the server before they are sent
/// (`SsrMode::Async`), so that they read complete without JavaScript and answer with the right status (404).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(I18n::new(initial_locale()));
    view! {
        // Every page's title passes through here: the one place it is escaped for the server's HTML.
        <Title formatter=|page: String| crate::ui::raw_text(if page.is_empty() { "Rapport Demo Store".to_owned() } else { format!("{page} · Rapport Demo Store") }) />
        <Router>
            <layout::Layout>
                <Routes fallback=|| view! { <layout::NotFound /> }>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/c/:slug") view=category::CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:sku") view=product::ProductPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=sign_in::SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/wishlist") view=wishlist::WishlistPage ssr=SsrMode::Async />
                    <Route path=path!("/wishlist/shared/:token") view=crate::wishlist::SharedWishlistPage ssr=SsrMode::Async />
                    <Route path=path!("/merchant") view=crate::insights::MerchantHome ssr=SsrMode::Async />
                    <Route path=path!("/merchant/customers") view=crate::insights::CustomerInsightsPage ssr=SsrMode::Async />
                    <Route path=path!("/merchant/widgets") view=crate::merchant::WidgetsAtWorkPage ssr=SsrMode::Async />
                    <Route path=path!("/merchant/reviews") view=crate::reviews::ModerationDesk ssr=SsrMode::Async />
                    <Route path=path!("/merchant/questions") view=crate::questions::QuestionsDesk ssr=SsrMode::Async />
                    <Route path=path!("/merchant/tiers") view=crate::tiers::MerchantTiersPage ssr=SsrMode::Async />
                    <Route path=path!("/embed") view=embedding::EmbedSnippetsPage ssr=SsrMode::Async />
                    <Route path=path!("/gallery") view=embedding::GalleryPage ssr=SsrMode::Async />
                    <Route path=path!("/review/:token") view=crate::reviews::ReviewLinkPage ssr=SsrMode::Async />
                    <Route path=path!("/alerts/confirm/:token") view=crate::alerts::AlertConfirmPage ssr=SsrMode::Async />
                    <Route path=path!("/alerts/unsubscribe/:token") view=crate::alerts::AlertUnsubscribePage ssr=SsrMode::Async />
                    <Route path=path!("/email-preferences/:token") view=crate::messages::EmailPreferencesPage ssr=SsrMode::Async />
                </Routes>
            </layout::Layout>
        </Router>
    }
}

/// The language to render in. On the server: `?lang=`, then the language cookie, then `Accept-Language`;
/// in the browser: the language the server rendered, so that hydration matches.
fn initial_locale() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| locale_of_request(&parts))
            .unwrap_or(i18n::DEFAULT_LOCALE)
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|lang| i18n::negotiate(&lang))
            .unwrap_or(i18n::DEFAULT_LOCALE)
    }
}

#[cfg(feature = "ssr")]
fn locale_of_request(parts: &http::request::Parts) -> &'static str {
    let from_query = parts.uri.query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(i18n::negotiate)
    });
    if let Some(locale) = from_query {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(cookie) = http::HeaderValue::from_str(&format!(
                "{}={locale}; Path=/; Max-Age=31536000; SameSite=Lax",
                i18n::LOCALE_COOKIE
            ))
        {
            response.append_header(http::header::SET_COOKIE, cookie);
        }
        return locale;
    }
    let from_cookie = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookies| {
            cookies
                .split(';')
                .find_map(|pair| {
                    pair.trim()
                        .strip_prefix(&format!("{}=", i18n::LOCALE_COOKIE))
                })
                .and_then(i18n::negotiate)
        });
    from_cookie
        .or_else(|| {
            parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::from_accept_language)
        })
        .unwrap_or(i18n::DEFAULT_LOCALE)
}
