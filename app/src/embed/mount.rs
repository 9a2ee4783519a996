//! The browser half of embedding: what the loader calls once the WASM is in.

use super::Tracked;
use super::{COMPACT, EmbeddableWidget, LIMIT, PER_SECTION, PRODUCT_NAME, Settings};
use crate::alerts::{AlertInbox, MyAlerts, PriceAlert};
use crate::carts::{put_in_cart, take_out_of_cart};
use crate::events::ProductView;
use crate::events::record_view_from_page;
use crate::feed::{AlsoBought, AlsoViewed, HomeFeed, RecentlyViewed, WentOnTo};
use crate::flows::adopt_guest;
use crate::i18n::{DEFAULT_LOCALE, I18n, negotiate};
use crate::identity::client::{
    IDENTITY_CHANGE_EVENT, current_token, guest_token_to_adopt, store_token,
};
use crate::identity::ensure_viewer;
use crate::messages::MyEmailPreferences;
use crate::questions::Questions;
use crate::reviews::{MyReviewPoints, Reviews};
use crate::tiers::{TierBadge, TierProgress};
use crate::ui::{EmbeddedQuery, ShopLinks, parse_query};
use crate::wishlist::{Wishlist, WishlistButton};
use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::Render;
use leptos_router::params::ParamsMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Called once by the loader: widgets' requests go to `server` (the Rapport server's origin). When the page names
/// a signed-in shopper and this browser still keeps the guest token it browsed with, what the guest saved moves
/// to the shopper, as at the demo store's sign-in: at once, and again whenever a single-page store signs a
/// shopper in without a page load (the loader's `rapport:identity-change`).
///
/// `ask_guest` is the loader's way to a guest session, which the widgets take before asking themselves (see
/// [`crate::identity::guest_sessions_through_loader`]).
#[wasm_bindgen]
pub fn start_embed(server: String, ask_guest: js_sys::Function) {
    console_error_panic_hook::set_once();
    crate::identity::guest_sessions_through_loader(ask_guest);
    // The storefront's own pages (the gallery) load this bundle beside theirs: their origin is already right.
    let _ = leptos::server_fn::client::try_set_server_url(Box::leak(server.into_boxed_str()));
    let moving = std::rc::Rc::new(std::cell::Cell::new(false));
    adopt_kept_guest(moving.clone());
    // Lives as long as the page: nothing takes the loader away.
    let _ = window_event_listener_untyped(IDENTITY_CHANGE_EVENT, move |_| {
        adopt_kept_guest(moving.clone())
    });
}

/// Moves the kept guest's saves to the page's shopper, if there is a guest to adopt and no move under way.
fn adopt_kept_guest(moving: std::rc::Rc<std::cell::Cell<bool>>) {
    let Some(guest) = guest_token_to_adopt() else {
        return;
    };
    if moving.replace(true) {
        return;
    }
    // Not Leptos's spawn_local: its executor starts with the first widget, and the page may name its shopper
    // before any widget is mounted (the loader fetches the WASM at idle).
    wasm_bindgen_futures::spawn_local(async move {
        match adopt_guest(guest).await {
            // Forgetting the guest token tells the widgets following the shopper's data to ask again.
            Ok(_) => store_token(None),
            // A guest token that no longer verifies has nothing to move: forget it rather than retry forever.
            Err(error) if error.needs_sign_in() => store_token(None),
            Err(error) => {
                leptos::logging::warn!("Rapport: the guest's saves stay apart for now: {error}")
            }
        }
        moving.set(false);
    });
}

/// The loader's `Rapport.track(kind, {sku, quantity})`: records that the page's shopper (or this browser's
/// guest) viewed a product (`view`), put `quantity` of it in the store's cart (`cart`) or took it out (`uncart`),
/// as the storefront's pages record them. The promise fails with what was wrong (an unknown kind or product, a bad quantity).
#[wasm_bindgen]
pub async fn track(kind: String, sku: String, quantity: Option<f64>) -> Result<(), JsError> {
    // A JS number: anything but a whole number (2.5, NaN, 2^32 + 2) is refused rather than cut to an integer.
    let quantity = match quantity {
        None => None,
        Some(number) if number.fract() == 0.0 && number.abs() < 1e15 => Some(number as i64),
        Some(number) => {
            return Err(JsError::new(&format!(
                "Rapport.track: quantity {number} is not a whole number"
            )));
        }
    };
    let tracked = Tracked::parse(&kind, quantity).map_err(|error| JsError::new(&error.message))?;
    match tracked {
        Tracked::View => record_view_from_page(sku).await,
        Tracked::Cart(quantity) => put_in_cart(sku, quantity).await.map(|_| ()),
        Tracked::Uncart => take_out_of_cart(sku).await.map(|_| ()),
    }
    .map_err(|error| JsError::new(&error.message))
}

/// The token this browser's requests go with, asking for a guest one when there is none: the loader's
/// `Rapport.guestId()` reads the guest id from it, for the store's server to send that guest's events.
#[wasm_bindgen]
pub async fn viewer_token() -> Result<Option<String>, JsError> {
    ensure_viewer()
        .await
        .map_err(|error| JsError::new(&error.message))?;
    Ok(current_token())
}

/// A widget living in a store page's element; the loader keeps it to switch its language or take it down.
#[wasm_bindgen]
pub struct MountedWidget {
    i18n: I18n,
    handle: Option<UnmountHandle<<AnyView as Render>::State>>,
}

#[wasm_bindgen]
impl MountedWidget {
    /// Switches the widget to `lang` (a language tag such as `zh-CN`; an unknown one gives English).
    pub fn set_language(&self, lang: &str) {
        self.i18n
            .set_locale(negotiate(lang).unwrap_or(DEFAULT_LOCALE));
    }

    /// Takes the widget out of the page and frees what it held.
    pub fn unmount(&mut self) {
        self.handle.take();
    }
}

/// Renders the widget of the custom element `tag` into `container` (an element in its shadow root), once its
/// code is in: the chunk its registry row names ([`super::Chunk`]), which the first of its widgets on the page
/// fetches. A chunk that could not be fetched is an error named `RapportUnavailable`.
///
/// `product` is the element's `product` attribute (a SKU), `lang` its language, `attributes` its settings'
/// attributes as names and values one after the other (the registry's options: `limit`, `compact`, …), and the
/// `*_url` arguments the store's own pages that the widget links to (`product_url` holds `{sku}`).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub async fn mount_widget(
    container: web_sys::HtmlElement,
    tag: String,
    product: Option<String>,
    lang: Option<String>,
    attributes: Vec<String>,
    product_url: String,
    sign_in_url: String,
    account_url: String,
) -> Result<MountedWidget, JsValue> {
    let widget = EmbeddableWidget::from_tag(&tag)
        .ok_or_else(|| JsError::new(&format!("<{tag}> is not a Rapport widget")))?;
    let settings = widget
        .settings(
            attributes
                .chunks_exact(2)
                .map(|pair| (pair[0].as_str(), pair[1].as_str())),
        )
        .map_err(|problem| JsError::new(&problem))?;
    let product = product
        .map(|sku| sku.trim().to_owned())
        .filter(|sku| !sku.is_empty());
    if widget.needs_product() && product.is_none() {
        return Err(JsError::new(&format!(
            "<{tag}> needs a product attribute: the product's SKU, as in <{tag} product=\"KIT-00001\">"
        ))
        .into());
    }
    let placement = Placement {
        container,
        sku: product.unwrap_or_default(),
        locale: lang
            .as_deref()
            .and_then(negotiate)
            .unwrap_or(DEFAULT_LOCALE),
        settings,
        links: ShopLinks {
            product: product_url,
            sign_in: sign_in_url,
            account: account_url,
        },
    };
    let mounted = match widget {
        EmbeddableWidget::Reviews => reviews(placement).await,
        EmbeddableWidget::WishlistButton => wishlist_button(placement).await,
        EmbeddableWidget::Wishlist => wishlist(placement).await,
        EmbeddableWidget::PriceAlert => price_alert(placement).await,
        EmbeddableWidget::AlertInbox => alert_inbox(placement).await,
        EmbeddableWidget::TierBadge => tier_badge(placement).await,
        EmbeddableWidget::TierProgress => tier_progress(placement).await,
        EmbeddableWidget::Feed => feed(placement).await,
        EmbeddableWidget::AlsoBought => also_bought(placement).await,
        EmbeddableWidget::AlsoViewed => also_viewed(placement).await,
        EmbeddableWidget::WentOnTo => went_on_to(placement).await,
        EmbeddableWidget::MyAlerts => my_alerts(placement).await,
        EmbeddableWidget::ReviewPoints => review_points(placement).await,
        EmbeddableWidget::Stars => {
            return Err(JsError::new(&format!(
                "<{tag}> is drawn by the loader (embed.js), not by the widgets' WASM"
            ))
            .into());
        }
        EmbeddableWidget::ProductView => product_view(placement).await,
        EmbeddableWidget::RecentlyViewed => recently_viewed(placement).await,
        EmbeddableWidget::Questions => questions(placement).await,
        EmbeddableWidget::EmailPreferences => email_preferences(placement).await,
    };
    mounted.map_err(|CodeUnavailable| {
        // Named, so that the loader shows the shopper its own words for a part of the page that could not load.
        let error = js_sys::Error::new(&format!("the code of <{tag}> could not be fetched"));
        error.set_name("RapportUnavailable");
        error.into()
    })
}

/// A widget's chunk could not be fetched (the network, say); the next try fetches it again.
struct CodeUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for CodeUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        CodeUnavailable
    }
}

/// Where and how an element's widget is shown: what its chunk is handed.
struct Placement {
    container: web_sys::HtmlElement,
    /// The element's product, empty for a widget that takes none.
    sku: String,
    locale: &'static str,
    settings: Settings,
    links: ShopLinks,
}

impl Placement {
    /// Mounts the view `widget` makes from the element's product and settings.
    fn mount<V: IntoView + 'static>(
        self,
        widget: impl FnOnce(String, Settings) -> V + 'static,
    ) -> MountedWidget {
        let Placement {
            container,
            sku,
            locale,
            settings,
            links,
        } = self;
        // The language lives in the widget's own reactive owner, so that unmounting frees it; the handle keeps a
        // copy.
        let language = std::rc::Rc::new(std::cell::Cell::new(None));
        let made = language.clone();
        let handle = leptos::mount::mount_to(container, move || {
            let i18n = I18n::new(locale);
            made.set(Some(i18n));
            provide_context(i18n);
            provide_context(links);
            let query = RwSignal::new(ParamsMap::new());
            provide_context(EmbeddedQuery(query));
            let view = widget(sku, settings);
            // The widgets' view links (`?sort=newest`) would lead the store's page away: the widget follows them
            // in its own query instead.
            let follow_view_link = move |event: leptos::ev::MouseEvent| {
                let link = event
                    .target()
                    .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                    .and_then(|element| element.closest("a[href^='?']").ok().flatten());
                if let Some(href) = link.and_then(|link| link.get_attribute("href")) {
                    event.prevent_default();
                    query.set(parse_query(&href));
                }
            };
            view! {
                <div class="rapport-embed" lang=move || i18n.locale() on:click=follow_view_link>
                    {view}
                </div>
            }
            .into_any()
        });
        MountedWidget {
            i18n: language
                .get()
                .expect("the mount made the widget's language"),
            handle: Some(handle),
        }
    }
}

/// The function that mounts a widget, split off the main module (`rapport-tools split-widgets`) into its chunk
/// (the registry's [`super::Chunk`], by name), a WASM file that the browser fetches the first time the page shows
/// one of the chunk's widgets.
macro_rules! widget_chunk {
    ($chunk:ident, $widget:ident, |$sku:pat_param, $settings:pat_param| $view:expr) => {
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = leptos::wasm_split, fallible)]
        fn $widget(placement: Placement) -> Result<MountedWidget, CodeUnavailable> {
            Ok(placement.mount(|$sku, $settings| $view))
        }
    };
}

widget_chunk!(
    product,
    reviews,
    |sku, settings| match settings.text(PRODUCT_NAME) {
        Some(product_name) => view! { <Reviews sku product_name /> }.into_any(),
        None => view! { <Reviews sku /> }.into_any(),
    }
);
widget_chunk!(badges, wishlist_button, |sku, settings| view! {
    <WishlistButton sku compact=settings.flag(COMPACT) />
});
widget_chunk!(account, wishlist, |_, _| view! { <Wishlist /> });
widget_chunk!(product, price_alert, |sku, _| view! { <PriceAlert sku /> });
widget_chunk!(badges, alert_inbox, |_, _| view! { <AlertInbox /> });
widget_chunk!(badges, tier_badge, |_, _| view! { <TierBadge /> });
widget_chunk!(account, tier_progress, |_, _| view! { <TierProgress /> });
widget_chunk!(account, feed, |_, settings| view! {
    <HomeFeed per_section=settings.count(PER_SECTION) />
});
widget_chunk!(product, also_bought, |sku, settings| view! {
    <AlsoBought sku limit=settings.count(LIMIT) />
});
widget_chunk!(product, also_viewed, |sku, settings| view! {
    <AlsoViewed sku limit=settings.count(LIMIT) />
});
widget_chunk!(product, went_on_to, |sku, settings| view! {
    <WentOnTo sku limit=settings.count(LIMIT) />
});
widget_chunk!(account, my_alerts, |_, _| view! { <MyAlerts /> });
widget_chunk!(account, review_points, |_, _| view! { <MyReviewPoints /> });
widget_chunk!(badges, product_view, |sku, _| view! { <ProductView sku /> });
widget_chunk!(account, recently_viewed, |_, settings| view! {
    <RecentlyViewed limit=settings.count(LIMIT) />
});
widget_chunk!(product, questions, |sku, _| view! { <Questions sku /> });
widget_chunk!(
    account,
    email_preferences,
    |_, _| view! { <MyEmailPreferences /> }
);
