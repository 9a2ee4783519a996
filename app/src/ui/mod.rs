//! Components shared by every capability: prices, stock, loading and error states. They know no capability.

mod batch;
mod charts;
mod events;
mod links;
mod page_query;
pub use batch::Batch;
pub use charts::{Amount, BarChart, Column, HeatMap, HeatRow, StackedColumns};
pub use events::{ADD_TO_CART_EVENT, emit_add_to_cart, emit_event};
pub use links::{ShopLinks, server_asset, use_shop_links};
pub use page_query::{EmbeddedQuery, PageQuery, parse_query, use_page_query};

/// This origin's `localStorage` in the browser, if the page may use it (a browser may refuse it, as some do in
/// private windows); what is kept there is then forgotten at the end of the visit rather than failing.
#[cfg(feature = "browser")]
pub fn local_storage() -> Option<leptos::web_sys::Storage> {
    leptos::web_sys::window()?.local_storage().ok().flatten()
}

use crate::i18n::use_i18n;
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use leptos::prelude::*;

/// Escapes text for HTML written as a string (an email's body, a snippet to paste): whatever a merchant or
/// shopper wrote stays text, never markup. Views need none of this: Leptos escapes what they show.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Text for the inside of a `<title>` or `<textarea>`. Browsers read no tags there but end the element at its
/// closing tag, and Leptos writes such text on the server as it is (leptos_meta's title, tachys's textarea): a
/// product named `</title><script>…` would run its script. So the server escapes it; in the browser the same text
/// is set as text, never parsed, and stays as it is.
pub fn raw_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape_html(&text)
    } else {
        text
    }
}

/// Stock at or below this many units is shown as "only N left".
pub const LOW_STOCK: i64 = 5;

/// A price, written as the shopper's language writes its currency.
#[component]
pub fn PriceTag(price: Money) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="rapport-price">{move || i18n.money(&price)}</span> }
}

/// How many units are left, in words; not by colour alone.
#[component]
pub fn StockBadge(stock: i64) -> impl IntoView {
    let i18n = use_i18n();
    let class = match stock {
        0 => "rapport-stock rapport-stock--out",
        s if s <= LOW_STOCK => "rapport-stock rapport-stock--low",
        _ => "rapport-stock rapport-stock--in",
    };
    let text = move || match stock {
        0 => i18n.t("product.out_of_stock"),
        s if s <= LOW_STOCK => i18n.t_count("product.low_stock", s, &[]),
        s => i18n.t_count("product.in_stock", s, &[]),
    };
    view! { <span class=class>{text}</span> }
}

/// The message of a failed request, in a form the shopper can act on, in the page's language where the server
/// gave its translation.
#[component]
pub fn ErrorNotice(
    error: AppError,
    /// The form's own labels of the fields it names, as `(field, translation key)`; others are labelled by
    /// `field.<name>`.
    #[prop(optional)]
    labels: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="rapport-error" role="alert">
            {move || error.in_language_labelled(i18n.locale(), labels)}
        </p>
    }
}

/// A translated line that names someone (`Asked by {name}`), the name isolated in `<bdi>`: a name written right to
/// left, or one carrying direction marks, cannot reorder the words around it.
#[component]
pub fn NamedLine(
    /// The translation key; its text holds `{name}` once.
    key: &'static str,
    name: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let part = move |after: bool| {
        let text = i18n.t(key);
        let (before, rest) = text.split_once("{name}").unwrap_or((text.as_str(), ""));
        if after {
            rest.to_owned()
        } else {
            before.to_owned()
        }
    };
    view! { {move || part(false)} <bdi>{name}</bdi> {move || part(true)} }
}

/// The mark of a widget still waiting for its data, where it shows nothing meanwhile (so that the page does not
/// flash a "loading" line). The embed loader keeps the widget's reserved height while one is on screen.
#[component]
pub fn Pending() -> impl IntoView {
    view! { <span class="rapport-loading" aria-busy="true" hidden></span> }
}

/// What a section shows while its data loads.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="rapport-loading" aria-busy="true">{move || i18n.t("common.loading")}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_stays_isolated_from_the_words_around_it() {
        let owner = Owner::new();
        owner.set();
        provide_context(crate::i18n::I18n::new("en"));
        let name = "\u{202e}Ada".to_owned();
        let html = view! { <NamedLine key="questions.asked_by" name /> }.to_html();
        assert!(html.starts_with("Asked by "), "{html}");
        // Without the renderer's hydration markers (`<!>`), which stand between the views.
        let text = html.replace("<!>", "");
        assert!(text.contains("<bdi>\u{202e}Ada</bdi>"), "{html}");
    }

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            escape_html("<b>\"Tea\" & 'cups'</b>"),
            "&lt;b&gt;&quot;Tea&quot; &amp; &#39;cups&#39;&lt;/b&gt;"
        );
    }
}
