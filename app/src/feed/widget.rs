//! The feed's widgets: `HomeFeed` for a home page, `AlsoBought`, `AlsoViewed` and `WentOnTo` for a product page, and
//! `RecentlyViewed` for any page.

use super::beacon::watch_cards;
use super::feedback::Shelf;
use super::rules::{DEFAULT_PER_SECTION, RECENTLY_VIEWED};
use super::{
    Activity, FeedCard, FeedSection, Reason, RelatedBy, SectionKind, forget_recently_viewed,
    home_feed, not_interested, related_products, viewed_lately,
};
use crate::catalog::ProductCard;
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::{current_token, use_identity_changes, use_signed_in};
use crate::identity::ensure_viewer;
use crate::ui::{ErrorNotice, Pending, PriceTag, server_asset, use_shop_links};
use crate::wishlist::WishlistProductGrid;
use leptos::prelude::*;
use std::collections::HashSet;

/// The personalised home page, in sections ("Recommended for you", "Because you viewed X", "Recently viewed",
/// "Price drops on things you watch", "Popular in <category>", and "Best sellers" and "Trending now" for
/// visitors the store does not know yet), each card with its reason and a "Not interested" button.
///
/// The server renders the store's best sellers (the page reads complete without JavaScript); once the page is
/// live, the feed is asked again with the viewer's token and follows sign-in and sign-out.
///
/// ```
/// use app::feed::HomeFeed;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <HomeFeed per_section=12 /> }.to_html();
/// assert!(html.contains("data-testid=\"home-feed\""));
/// ```
#[component]
pub fn HomeFeed(
    /// Cards per section at most (3–24).
    #[prop(default = DEFAULT_PER_SECTION)]
    per_section: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    // False on the server and at hydration, so that both render the same feed; true once the browser runs, which
    // then asks with its token. Signing in and out asks again.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let shopper = use_signed_in();
    let feed = Resource::new(
        move || {
            (
                i18n.locale(),
                live.get() && current_token().is_some(),
                shopper.get(),
            )
        },
        move |(locale, _, _)| home_feed(locale.to_owned(), per_section as i64),
    );
    let dismissed = RwSignal::new(HashSet::<String>::new());
    view! {
        <div class="rapport-feed" part="feed" data-testid="home-feed">
            <Transition fallback=move || view! { <p class="rapport-loading">{move || i18n.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(feed) => feed.sections.into_iter().map(|section| view! {
                            <Section section dismissed live />
                        }).collect_view().into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// A section's title in the shopper's language.
fn section_title(kind: &SectionKind, i18n: I18n) -> String {
    match kind {
        SectionKind::RecommendedForYou => i18n.t("feed.recommended"),
        SectionKind::Because { action, title, .. } => {
            i18n.t_with(because_key(*action), &[("title", title.clone())])
        }
        SectionKind::RecentlyViewed => i18n.t("feed.recently_viewed"),
        SectionKind::PriceDrops => i18n.t("feed.price_drops"),
        SectionKind::PopularIn { category } => {
            i18n.t_with("feed.popular_in", &[("category", category.clone())])
        }
        SectionKind::BestSellers => i18n.t("feed.best_sellers"),
        SectionKind::TrendingNow => i18n.t("feed.trending"),
    }
}

/// The title of a "Because you …" section, by what the shopper did.
fn because_key(action: Activity) -> &'static str {
    match action {
        Activity::Viewed => "feed.because_viewed",
        Activity::Saved => "feed.because_saved",
        Activity::Carted => "feed.because_carted",
        Activity::Bought => "feed.because_bought",
    }
}

/// A card's reason when it comes from something the shopper did.
fn reason_key(action: Activity) -> &'static str {
    match action {
        Activity::Viewed => "feed.reason_viewed",
        Activity::Saved => "feed.reason_saved",
        Activity::Carted => "feed.reason_carted",
        Activity::Bought => "feed.reason_bought",
    }
}

/// A card's reason in the shopper's language.
fn reason_text(reason: &Reason, price: &crate::kernel::money::Money, i18n: I18n) -> String {
    match reason {
        Reason::Because { action, title } => {
            i18n.t_with(reason_key(*action), &[("title", title.clone())])
        }
        Reason::RecentlyViewed => i18n.t("feed.reason_recently_viewed"),
        Reason::PriceDrop { was } => i18n.t_with(
            "feed.reason_price_drop",
            &[("was", i18n.money(was)), ("now", i18n.money(price))],
        ),
        Reason::BestSeller => i18n.t("feed.reason_best_seller"),
        Reason::Trending => i18n.t("feed.reason_trending"),
        Reason::PopularIn { category } => {
            i18n.t_with("feed.reason_popular_in", &[("category", category.clone())])
        }
    }
}

#[component]
fn Section(
    section: FeedSection,
    dismissed: RwSignal<HashSet<String>>,
    live: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let shelf = section.kind.shelf();
    let key = shelf.key();
    let shelf_element = NodeRef::new();
    // The feed the server rendered (best sellers for nobody) gives way to the viewer's own once the page is live:
    // only the viewer's own sections count as shown to them.
    if live.get_untracked() {
        watch_cards(shelf_element, shelf);
    }
    let anchor = match &section.kind {
        SectionKind::Because { sku, .. } => Some(sku.clone()),
        _ => None,
    };
    let kind = section.kind.clone();
    let recent = matches!(section.kind, SectionKind::RecentlyViewed);
    let heading = format!("rapport-feed-{key}-{}", anchor.clone().unwrap_or_default());
    let clear = Action::new(|_: &()| async move {
        forget_recently_viewed().await?;
        Ok::<_, crate::kernel::error::AppError>(())
    });
    let cleared = move || matches!(clear.value().get(), Some(Ok(())));
    let labelled_by = heading.clone();
    view! {
        <section node_ref=shelf_element class="rapport-feed__section" part="section" data-section=key data-anchor=anchor aria-labelledby=labelled_by hidden=cleared>
            <h2 class="rapport-feed__title" id=heading>{move || section_title(&kind, i18n)}</h2>
            <Show when=move || recent && live.get()>
                <button type="button" class="rapport-feed__clear" on:click=move |_| { clear.dispatch(()); }>
                    {move || i18n.t("feed.clear_recently_viewed")}
                </button>
            </Show>
            {move || match clear.value().get() {
                Some(Err(error)) => Some(view! { <ErrorNotice error /> }),
                _ => None,
            }}
            <ul class="rapport-feed__cards">
                {section.cards.into_iter().map(|card| view! {
                    <Card card dismissed live dismissable=!recent />
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Card(
    card: FeedCard,
    dismissed: RwSignal<HashSet<String>>,
    live: RwSignal<bool>,
    dismissable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sku = card.product.sku.clone();
    let href = use_shop_links().product(&card.product.sku);
    let reason = card.reason.clone();
    let price = card.product.price.clone();
    let title = card.product.title.clone();
    // The feed's own set remembers the dismissal, so that it holds even if the feed reloads (signing in) while
    // the request is on its way and the card is gone before its answer arrives.
    let dismiss = Action::new(move |sku: &String| {
        let sku = sku.clone();
        async move {
            ensure_viewer().await?;
            not_interested(sku.clone()).await?;
            dismissed.update(|skus| {
                skus.insert(sku);
            });
            Ok::<_, crate::kernel::error::AppError>(())
        }
    });
    let hidden = {
        let sku = sku.clone();
        move || dismissed.with(|skus| skus.contains(&sku))
    };
    let card_sku = sku.clone();
    view! {
        <li class="rapport-feed__card" part="card" data-sku=card_sku data-category=card.category.clone() class:rapport-feed__card--hidden=hidden>
            <a class="rapport-feed__link" href=href>
                <img class="rapport-feed__image" src=server_asset(&card.product.image_url) alt="" loading="lazy" width="200" height="200" />
                <span class="rapport-feed__name">{card.product.title.clone()}</span>
            </a>
            <span class="rapport-feed__price"><PriceTag price=card.product.price.clone() /></span>
            <span class="rapport-feed__reason" data-testid="feed-reason">{move || reason_text(&reason, &price, i18n)}</span>
            <Show when=move || dismissable && live.get()>
                {
                    let sku = sku.clone();
                    let title = title.clone();
                    view! {
                        <button
                            type="button"
                            class="rapport-feed__dismiss"
                            aria-label=move || i18n.t_with("feed.not_interested_in", &[("title", title.clone())])
                            disabled=move || dismiss.pending().get()
                            on:click=move |_| { dismiss.dispatch(sku.clone()); }
                        >
                            {move || i18n.t("feed.not_interested")}
                        </button>
                    }
                }
            </Show>
            {move || match dismiss.value().get() {
                Some(Err(error)) => Some(view! { <ErrorNotice error /> }),
                _ => None,
            }}
        </li>
    }
}

/// A product page's neighbours, rendered on the server so that they read without JavaScript; nothing when the
/// product has none yet.
#[component]
fn Related(sku: String, by: RelatedBy, limit: usize) -> impl IntoView {
    let i18n = use_i18n();
    let key = match by {
        RelatedBy::Bought => "feed.also_bought",
        RelatedBy::Viewed => "feed.also_viewed",
        RelatedBy::WentOnTo => "feed.went_on_to",
    };
    let products = Resource::new(
        move || (sku.clone(), i18n.locale()),
        move |(sku, locale)| related_products(sku, by, locale.to_owned(), limit as i64),
    );
    view! {
        <Transition fallback=Pending>
            {move || Suspend::new(async move {
                match products.await {
                    Ok(products) if products.is_empty() => ().into_any(),
                    Ok(products) => view! { <RelatedShelf key shelf=by.shelf() products /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RelatedShelf(key: &'static str, shelf: Shelf, products: Vec<ProductCard>) -> impl IntoView {
    let i18n = use_i18n();
    let shelf_element = NodeRef::new();
    watch_cards(shelf_element, shelf);
    view! {
        <section node_ref=shelf_element class="rapport-related" part="related" data-testid=shelf.key()>
            <h2 class="rapport-related__title">{move || i18n.t(key)}</h2>
            <WishlistProductGrid products />
        </section>
    }
}

/// "Customers who bought this also bought", for a product page: the products most often bought by the same
/// shoppers, available ones only.
///
/// ```
/// use app::feed::AlsoBought;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <AlsoBought sku="KIT-00001".to_owned() /> }.to_html();
/// // Until the list arrives, only a mark that keeps the reserved height.
/// assert!(html.contains("aria-busy=\"true\""));
/// ```
#[component]
pub fn AlsoBought(
    /// The product's SKU.
    sku: String,
    /// Products shown at most (1–24).
    #[prop(default = DEFAULT_PER_SECTION)]
    limit: usize,
) -> impl IntoView {
    view! { <Related sku by=RelatedBy::Bought limit /> }
}

/// "Customers who viewed this also viewed", for a product page.
///
/// ```
/// use app::feed::AlsoViewed;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <AlsoViewed sku="KIT-00001".to_owned() /> }.to_html();
/// // Until the list arrives, only a mark that keeps the reserved height.
/// assert!(html.contains("aria-busy=\"true\""));
/// ```
#[component]
pub fn AlsoViewed(
    /// The product's SKU.
    sku: String,
    /// Products shown at most (1–24).
    #[prop(default = DEFAULT_PER_SECTION)]
    limit: usize,
) -> impl IntoView {
    view! { <Related sku by=RelatedBy::Viewed limit /> }
}

/// "Customers who viewed this went on to", for a product page: what shoppers touched next after this product, in
/// the order they did, the likeliest first (only what two shoppers or more went on to).
///
/// ```
/// use app::feed::WentOnTo;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <WentOnTo sku="KIT-00001".to_owned() /> }.to_html();
/// // Until the list arrives, only a mark that keeps the reserved height.
/// assert!(html.contains("aria-busy=\"true\""));
/// ```
#[component]
pub fn WentOnTo(
    /// The product's SKU.
    sku: String,
    /// Products shown at most (1–24).
    #[prop(default = DEFAULT_PER_SECTION)]
    limit: usize,
) -> impl IntoView {
    view! { <Related sku by=RelatedBy::WentOnTo limit /> }
}

/// The products the shopper (or this browser's guest) viewed lately, newest first, `limit` at most, with a
/// "Clear" button: the feed's "Recently viewed" on its own, for an account page or the foot of any page. The
/// history lives behind the shopper's token, so it loads in the browser, and follows signing in and out.
///
/// ```
/// use app::feed::RecentlyViewed;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <RecentlyViewed limit=6 /> }.to_html();
/// assert!(html.contains("data-testid=\"recently-viewed\""));
/// ```
#[component]
pub fn RecentlyViewed(
    /// Products shown at most (1–24).
    #[prop(default = RECENTLY_VIEWED)]
    limit: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let changes = use_identity_changes();
    let products = LocalResource::new(move || {
        changes.track();
        let locale = i18n.locale();
        // A browser without a token has no history yet: nothing to ask, and no guest to make for it.
        let asking = current_token().is_some();
        async move {
            if asking {
                viewed_lately(locale.to_owned(), limit as i64).await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let clear = Action::new(move |_: &()| async move {
        forget_recently_viewed().await?;
        products.refetch();
        Ok::<_, crate::kernel::error::AppError>(())
    });
    let shown = move || {
        products
            .get()
            .is_some_and(|loaded| loaded.is_ok_and(|products| !products.is_empty()))
    };
    view! {
        <section class="rapport-recently-viewed" part="recently-viewed" data-testid="recently-viewed">
            <div class="rapport-recently-viewed__head">
                <h2 class="rapport-recently-viewed__title">{move || i18n.t("feed.recently_viewed")}</h2>
                <Show when=shown>
                    <button
                        type="button"
                        class="rapport-feed__clear"
                        disabled=move || clear.pending().get()
                        on:click=move |_| { clear.dispatch(()); }
                    >
                        {move || i18n.t("feed.clear_recently_viewed")}
                    </button>
                </Show>
            </div>
            {move || match clear.value().get() {
                Some(Err(error)) => Some(view! { <ErrorNotice error /> }),
                _ => None,
            }}
            <Transition fallback=Pending>
                {move || Suspend::new(async move {
                    match products.await {
                        Ok(products) if products.is_empty() => view! {
                            <p class="rapport-recently-viewed__empty">{move || i18n.t("feed.recently_viewed_empty")}</p>
                        }.into_any(),
                        Ok(products) => view! { <WishlistProductGrid products /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
