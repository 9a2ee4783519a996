//! Two pages for the people who embed Rapport: the merchant's snippet generator (`/embed`) and the front-end
//! developer's component gallery (`/gallery`), which shows every widget through the real loader, as a store's
//! page would.

use crate::catalog::product_details;
use crate::embed::{EmbeddableWidget, OptionKind, loader_snippet};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::{SHOPPER_TOKEN_META, use_signed_in};
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::use_query_map;

/// A product every demo store has, for the snippets until the merchant names one.
const EXAMPLE_SKU: &str = "KIT-00001";

/// This server's origin as the store's page must name it: its configured public address, not the address this
/// page was reached at, which may be an internal one behind a proxy. Hydration keeps the server's text; only a
/// page drawn in the browser after a link inside the shop names the address the shop was loaded from.
fn server_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::kernel::context::PublicUrl>()
            .map(|url| url.0.trim_end_matches('/').to_owned())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        window().location().origin().unwrap_or_default()
    }
}

fn widget_key(widget: EmbeddableWidget) -> String {
    format!(
        "embed.widget.{}",
        widget.tag().trim_start_matches("rapport-")
    )
}

fn widget_name(i18n: I18n, widget: EmbeddableWidget) -> String {
    i18n.t(&widget_key(widget))
}

/// `/embed?sku=…`: the lines a merchant pastes into their store's pages, for one of their products.
#[component]
pub fn EmbedSnippetsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let sku = move || {
        query
            .read()
            .get("sku")
            .map(|sku| sku.trim().to_owned())
            .filter(|sku| !sku.is_empty())
            .unwrap_or_else(|| EXAMPLE_SKU.to_owned())
    };
    let product = Resource::new(
        move || (sku(), i18n.locale()),
        |(sku, locale)| product_details(sku, locale.to_owned()),
    );
    let origin = server_origin();
    view! {
        <Title text=move || i18n.t("embed.title") />
        <section class="shop-section rapport-snippets">
            <h1>{move || i18n.t("embed.title")}</h1>
            <p>{move || i18n.t("embed.intro")}</p>
            <form method="get" class="rapport-snippets__form">
                <label>
                    {move || i18n.t("embed.sku")}
                    <input type="text" name="sku" value=sku required maxlength="64" />
                </label>
                <button type="submit" class="rapport-button rapport-button--primary">{move || i18n.t("embed.show")}</button>
            </form>
            <h2>{move || i18n.t("embed.once")}</h2>
            <p>{move || i18n.t("embed.once_text")}</p>
            <pre class="rapport-snippets__code"><code>{loader_snippet(&origin)}</code></pre>
            <pre class="rapport-snippets__code"><code>{format!("<meta name=\"{SHOPPER_TOKEN_META}\" content=\"…\">")}</code></pre>
            <h2>{move || i18n.t("embed.csp")}</h2>
            <p>{move || i18n.t("embed.csp_text")}</p>
            <pre class="rapport-snippets__code"><code>{format!(
                "script-src {origin} 'wasm-unsafe-eval';\nconnect-src {origin};\nstyle-src {origin};\nimg-src {origin};"
            )}</code></pre>
            <h2>{move || i18n.t("embed.widgets")}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match product.await {
                        Ok(product) => {
                            let (title, sku) = (product.title.clone(), product.sku.clone());
                            view! {
                            <p>{move || i18n.t_with("embed.for_product", &[("title", title.clone()), ("sku", sku.clone())])}</p>
                            <dl class="rapport-snippets__list">
                                {EmbeddableWidget::ALL.into_iter().map(|widget| {
                                    let snippet = widget.snippet(&product.sku);
                                    view! {
                                        <dt>{move || widget_name(i18n, widget)}</dt>
                                        <dd>
                                            <pre class="rapport-snippets__code" data-widget=widget.tag()><code>{snippet}</code></pre>
                                            <WidgetSettings widget />
                                        </dd>
                                    }
                                }).collect_view()}
                            </dl>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The settings a widget takes, each as an attribute with an example value (a count's default).
#[component]
fn WidgetSettings(widget: EmbeddableWidget) -> impl IntoView {
    let i18n = use_i18n();
    let options = widget.spec().options;
    (!options.is_empty()).then(|| {
        view! {
            <p class="rapport-snippets__settings" data-settings=widget.tag()>
                {move || i18n.t("embed.settings")}
                {options.iter().map(|option| {
                    let example = match option.kind {
                        OptionKind::Count { min, max, default } => {
                            format!("{}=\"{default}\" ({min}–{max})", option.attribute)
                        }
                        OptionKind::Flag => option.attribute.to_owned(),
                        OptionKind::Text => format!("{}=\"…\"", option.attribute),
                    };
                    view! { " " <code>{example}</code> }
                }).collect_view()}
            </p>
        }
    })
}

/// `/gallery`: every widget that shows something, under the two example themes and languages, and in its states, through the loader.
#[component]
pub fn GalleryPage() -> impl IntoView {
    let i18n = use_i18n();
    let signed_in = use_signed_in();
    // The two example themes side by side, then a sidebar-narrow column and a full-width one: widgets lay out
    // by the width they are given.
    let looks = [
        ("light", "en", "gallery.light_english", "half"),
        ("dark", "zh-CN", "gallery.dark_chinese", "half"),
        ("light", "en", "gallery.narrow", "narrow"),
        ("light", "en", "gallery.wide", "wide"),
    ];
    view! {
        <Title text=move || i18n.t("gallery.title") />
        <Stylesheet href="/themes/light.css" />
        <Stylesheet href="/themes/dark.css" />
        <script src="/embed.js" async></script>
        <section class="shop-section rapport-gallery">
            <h1>{move || i18n.t("gallery.title")}</h1>
            <p>{move || i18n.t("gallery.intro")}</p>
            <p class="rapport-gallery__viewer" data-testid="gallery-viewer">
                {move || if signed_in.get() { i18n.t("gallery.signed_in") } else { i18n.t("gallery.guest") }}
                " "
                <a href="/sign-in">{move || i18n.t("gallery.switch")}</a>
            </p>
            // What shows nothing has nothing to look at, and would record a view each time the gallery is seen.
            {EmbeddableWidget::ALL.into_iter().filter(|widget| widget.is_visible()).map(|widget| view! {
                <section class="rapport-gallery__widget" data-widget=widget.tag()>
                    <h2>{move || widget_name(i18n, widget)}</h2>
                    <div class="rapport-gallery__looks">
                        {looks.into_iter().map(|(theme, lang, key, width)| view! {
                            <div class=format!("rapport-gallery__look rapport-gallery__look--{width} rapport-theme-{theme}") lang=lang data-theme=theme data-width=width>
                                <h3>{move || i18n.t(key)}</h3>
                                {gallery_element(widget, EXAMPLE_SKU, None)}
                            </div>
                        }).collect_view()}
                    </div>
                </section>
            }).collect_view()}
            <section class="rapport-gallery__widget" data-widget="states">
                <h2>{move || i18n.t("gallery.states")}</h2>
                <div class="rapport-gallery__looks">
                    <div class="rapport-gallery__look rapport-theme-light" data-state="loading">
                        <h3>{move || i18n.t("gallery.loading")}</h3>
                        {gallery_element(EmbeddableWidget::Reviews, EXAMPLE_SKU, Some("manual"))}
                    </div>
                    <div class="rapport-gallery__look rapport-theme-light" data-state="error">
                        <h3>{move || i18n.t("gallery.error")}</h3>
                        {gallery_element(EmbeddableWidget::AlsoBought, "NO-SUCH-SKU", None)}
                    </div>
                    <div class="rapport-gallery__look rapport-theme-dark" data-state="missing-product">
                        <h3>{move || i18n.t("gallery.missing_product")}</h3>
                        {gallery_element(EmbeddableWidget::WishlistButton, "", None)}
                    </div>
                </div>
            </section>
        </section>
    }
}

/// The widget's custom element; `product` is left off when empty, `loading` is the loader's option.
fn gallery_element(
    widget: EmbeddableWidget,
    product: &str,
    loading: Option<&'static str>,
) -> impl IntoView {
    let product = (widget.needs_product() && !product.is_empty()).then(|| product.to_owned());
    leptos::html::custom(widget.tag())
        .attr("product", product)
        .attr("loading", loading)
}
