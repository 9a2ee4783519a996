//! The wish-list widgets: the heart button for a product, the shopper's lists, and a shared list's read-only view.

use super::rules::change_since_saved;
use super::{
    ItemChange, MAX_STATES, SavedState, WishlistItem, WishlistSort, WishlistSummary,
    change_wishlist, create_wishlist, delete_wishlist, move_wishlist_item, my_wishlist,
    open_shared_wishlist, share_wishlist, wishlist_states,
};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::use_identity_changes;
use crate::identity::ensure_viewer;
use crate::kernel::error::AppError;
use crate::ui::{
    Batch, ErrorNotice, Pending, PriceTag, StockBadge, emit_add_to_cart, emit_event, server_asset,
    use_page_query, use_shop_links,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The DOM event a wish-list change sends to the host page, with `{sku, saved}`.
pub const WISHLIST_CHANGE_EVENT: &str = "rapport:wishlist-change";

fn list_name(i18n: I18n, list: &WishlistSummary) -> String {
    if list.is_default {
        i18n.t("wishlist.default_name")
    } else {
        list.name.clone()
    }
}

thread_local! {
    static SAVED: Batch<SavedState> = const { Batch::new() };
}

/// Where `sku` stands in the viewer's lists, asked along with every other heart asking at the same moment: a
/// grid of cards, or the "also bought" shelf in a store's page, asks in one request.
async fn saved_state(sku: String) -> Result<SavedState, AppError> {
    Batch::ask(&SAVED, sku, MAX_STATES, |skus| async move {
        ensure_viewer().await?;
        wishlist_states(skus).await
    })
    .await
}

/// Products as a grid of cards, each with a wish-list heart; the hearts' saved states come in one request.
#[component]
pub fn WishlistProductGrid(products: Vec<crate::catalog::ProductCard>) -> impl IntoView {
    view! {
        <crate::catalog::ProductGrid
            products
            actions=|sku| view! { <WishlistButton sku compact=true /> }
        />
    }
}

/// A heart toggle that saves a product to the shopper's (or guest's) default wish list, or takes it out of every
/// list holding it. With several lists, a chooser saves into any of them. Shows how many shoppers saved the
/// product when the store allows it. Sends `rapport:wishlist-change` with `{sku, saved}` to the host page.
///
/// The shopper's lists live behind their token, so the button renders empty on the server and fills in once
/// the browser has the token. `compact` is the card form: the heart alone (its label stays for screen readers),
/// no count and no chooser. Hearts that load together ask for their states in one request.
///
/// ```
/// use app::wishlist::WishlistButton;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <WishlistButton sku="KIT-00001".to_owned() compact=true /> }.to_html();
/// assert!(html.contains("rapport-wishlist-button--compact") && html.contains("aria-pressed=\"false\""));
/// ```
#[component]
pub fn WishlistButton(
    /// The product's SKU.
    sku: String,
    /// The card form: the heart alone, no count and no list chooser.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<SavedState>);
    let problem = RwSignal::new(None::<AppError>);
    let load_sku = sku.clone();
    // Signing in or out (the store's page changing its token) shows the other viewer's state.
    let viewer = use_identity_changes();
    let load = LocalResource::new(move || {
        viewer.track();
        saved_state(load_sku.clone())
    });
    Effect::new(move |_| match load.get() {
        Some(Ok(loaded)) => state.set(Some(loaded)),
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    let button = NodeRef::<leptos::html::Button>::new();
    let change_sku = sku.clone();
    let change = Action::new(move |(list_id, save): &(Option<i64>, bool)| {
        let (sku, list_id, save) = (change_sku.clone(), *list_id, *save);
        async move {
            ensure_viewer().await?;
            change_wishlist(sku, list_id, save).await
        }
    });
    let event_sku = sku.clone();
    Effect::new(move |_| match change.value().get() {
        Some(Ok(changed)) => {
            let saved = changed.lists.iter().any(|(_, holds)| *holds);
            state.set(Some(changed));
            problem.set(None);
            if let Some(button) = button.get_untracked() {
                emit_event(
                    &button,
                    WISHLIST_CHANGE_EVENT,
                    &[("sku", event_sku.as_str().into()), ("saved", saved.into())],
                );
            }
        }
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    let saved = move || {
        state
            .get()
            .is_some_and(|s| s.lists.iter().any(|(_, holds)| *holds))
    };
    let toggle = move |_| {
        if saved() {
            // Out of every list that holds it: the heart means "saved anywhere".
            let holding: Vec<i64> = state
                .get_untracked()
                .map(|s| {
                    s.lists
                        .iter()
                        .filter(|(_, h)| *h)
                        .map(|(l, _)| l.id)
                        .collect()
                })
                .unwrap_or_default();
            for list_id in holding {
                change.dispatch((Some(list_id), false));
            }
        } else {
            change.dispatch((None, true));
        }
    };
    view! {
        <div class="rapport-wishlist-button" part="wishlist-button" class:rapport-wishlist-button--compact=compact>
            <button type="button" class="rapport-wishlist-button__heart" part="heart" node_ref=button
                aria-pressed=move || saved().to_string()
                aria-label=move || if saved() { i18n.t("wishlist.saved") } else { i18n.t("wishlist.save") }
                disabled=move || state.get().is_none() || change.pending().get()
                on:click=toggle>
                <span aria-hidden="true">{move || if saved() { "♥" } else { "♡" }}</span>
                <span class="rapport-wishlist-button__label">{move || if saved() { i18n.t("wishlist.saved") } else { i18n.t("wishlist.save") }}</span>
            </button>
            {move || state.get().filter(|_| !compact).and_then(|s| s.saved_by).filter(|n| *n > 0).map(|n| view! {
                <span class="rapport-wishlist-button__count" data-testid="saved-by">{move || i18n.t_count("wishlist.saved_by", n, &[])}</span>
            })}
            {move || state.get().filter(|s| !compact && s.lists.len() > 1).map(|s| view! {
                <details class="rapport-wishlist-button__chooser">
                    <summary>{move || i18n.t("wishlist.choose_list")}</summary>
                    <ul>
                        {s.lists.into_iter().map(|(list, holds)| {
                            let name = list_name(i18n, &list);
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" checked=holds data-list-id=list.id.to_string()
                                            on:change=move |ev| { change.dispatch((Some(list.id), event_target_checked(&ev))); } />
                                        {name}
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
            // Until its state is in, the heart is disabled, so not yet ready: the loader waits for this mark.
            {move || (state.get().is_none() && problem.get().is_none()).then(|| view! { <Pending /> })}
        </div>
    }
    .into_any()
}

fn change_text(i18n: I18n, item: &WishlistItem) -> Option<(String, &'static str)> {
    match change_since_saved(item) {
        ItemChange::NoLongerAvailable => {
            Some((i18n.t("wishlist.change.unavailable"), "unavailable"))
        }
        ItemChange::BackInStock => Some((i18n.t("wishlist.change.back_in_stock"), "back-in-stock")),
        ItemChange::OutOfStock => Some((i18n.t("wishlist.change.out_of_stock"), "out-of-stock")),
        ItemChange::Cheaper(by) => Some((
            i18n.t_with("wishlist.change.cheaper", &[("amount", i18n.money(&by))]),
            "cheaper",
        )),
        ItemChange::Dearer(by) => Some((
            i18n.t_with("wishlist.change.dearer", &[("amount", i18n.money(&by))]),
            "dearer",
        )),
        ItemChange::Unchanged => None,
    }
}

/// One saved product as a card: picture, title, price now, stock, and what changed since saving.
#[component]
fn SavedItem(item: WishlistItem, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let i18n = use_i18n();
    let change = change_text(i18n, &item);
    view! {
        <li class="rapport-wishlist__item" data-sku=item.sku.clone()>
            <img src=server_asset(&item.image_url) alt="" width="96" height="96" loading="lazy" />
            <div class="rapport-wishlist__details">
                <a href=use_shop_links().product(&item.sku) class="rapport-wishlist__title">{item.title.clone()}</a>
                <PriceTag price=item.price.clone() />
                {item.available.then(|| view! { <StockBadge stock=item.stock /> })}
                {change.map(|(text, kind)| view! { <p class=format!("rapport-wishlist__change rapport-wishlist__change--{kind}") data-change=kind>{text}</p> })}
                <p class="rapport-wishlist__saved">{move || i18n.t_with("wishlist.saved_on", &[("date", i18n.date(item.saved_at))])}</p>
            </div>
            {children.map(|children| view! { <div class="rapport-wishlist__actions">{children()}</div> })}
        </li>
    }
}

/// The shopper's wish lists: every saved item with its price and stock now and what changed since saving,
/// sorted by date saved, price or biggest drop; remove, move to another list, add to cart (a
/// `rapport:add-to-cart` event for the host page); create, rename, delete and share lists. The list and sort
/// follow the page address (`?list=7&sort=price_drop`).
///
/// ```
/// use app::wishlist::Wishlist;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(app::ui::EmbeddedQuery(RwSignal::new(Default::default())));
/// let html = view! { <Wishlist /> }.to_html();
/// assert!(html.contains("rapport-wishlist"));
/// ```
#[component]
pub fn Wishlist() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_page_query();
    let chosen = move || {
        let list_id = query.get("list").and_then(|id| id.parse::<i64>().ok());
        let sort = match query.get("sort").as_deref() {
            Some("price") => WishlistSort::Price,
            Some("price_drop") => WishlistSort::PriceDrop,
            _ => WishlistSort::Saved,
        };
        (list_id, sort)
    };
    let changed = RwSignal::new(0u32);
    let viewer = use_identity_changes();
    let page = LocalResource::new(move || {
        let (list_id, sort) = chosen();
        changed.track();
        viewer.track();
        let locale = i18n.locale().to_owned();
        async move {
            ensure_viewer().await?;
            my_wishlist(list_id, sort, locale).await
        }
    });
    let problem = RwSignal::new(None::<AppError>);
    let done = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            problem.set(None);
            changed.update(|n| *n += 1);
        }
        Err(error) => problem.set(Some(error)),
    };
    let remove = Action::new(move |(sku, list_id): &(String, i64)| {
        let (sku, list_id) = (sku.clone(), *list_id);
        async move { change_wishlist(sku, Some(list_id), false).await.map(|_| ()) }
    });
    let move_to = Action::new(move |(sku, from, to): &(String, i64, i64)| {
        let (sku, from, to) = (sku.clone(), *from, *to);
        async move { move_wishlist_item(sku, from, to).await }
    });
    let create = Action::new(move |name: &String| {
        let name = name.clone();
        async move { create_wishlist(name).await.map(|_| ()) }
    });
    let delete = Action::new(move |list_id: &i64| {
        let list_id = *list_id;
        async move { delete_wishlist(list_id).await }
    });
    let share = Action::new(move |(list_id, shared): &(i64, bool)| {
        let (list_id, shared) = (*list_id, *shared);
        async move { share_wishlist(list_id, shared).await.map(|_| ()) }
    });
    Effect::new(move |_| remove.value().get().map(done));
    Effect::new(move |_| move_to.value().get().map(done));
    Effect::new(move |_| create.value().get().map(done));
    Effect::new(move |_| share.value().get().map(done));
    let navigate_to_sort = move |sort: String| {
        let list = chosen()
            .0
            .map(|id| format!("list={id}&"))
            .unwrap_or_default();
        query.go(&format!("?{list}sort={sort}"));
    };
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            if result.is_ok() {
                query.go("?");
            }
            done(result);
        }
    });
    let new_name = RwSignal::new(String::new());
    let confirming_delete = RwSignal::new(false);
    view! {
        <section class="rapport-wishlist" part="wishlist">
            <Suspense fallback=move || view! { <p class="rapport-loading">{move || i18n.t("wishlist.loading")}</p> }>
                {move || Suspend::new(async move {
                    let (_, sort) = chosen();
                    match page.await {
                        Ok(page) => {
                            let current = page.list.summary.clone();
                            let lists = page.lists.clone();
                            let signed_in = crate::identity::client::signed_in();
                            view! {
                                <nav class="rapport-wishlist__lists" aria-label=move || i18n.t("wishlist.lists")>
                                    {lists.iter().map(|list| {
                                        let href = if list.is_default { "?".to_owned() } else { format!("?list={}", list.id) };
                                        let current_list = list.id == current.id;
                                        view! {
                                            <a href=href aria-current=current_list.then_some("page")>
                                                {list_name(i18n, list)} " (" {list.items} ")"
                                            </a>
                                        }
                                    }).collect_view()}
                                </nav>
                                <div class="rapport-wishlist__toolbar">
                                    <label>
                                        {move || i18n.t("wishlist.sort")}
                                        <select on:change=move |ev| {
                                            navigate_to_sort(event_target_value(&ev));
                                        }>
                                            {[(WishlistSort::Saved, "saved"), (WishlistSort::Price, "price"), (WishlistSort::PriceDrop, "price_drop")].into_iter().map(|(each, name)| {
                                                let key = format!("wishlist.sort.{name}");
                                                view! { <option value=name selected=each == sort>{move || i18n.t(&key)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    {(current.id != 0).then(|| {
                                        let list_id = current.id;
                                        let link = current.share_token.clone().map(|token| shared_list_link(&token));
                                        view! {
                                            <div class="rapport-wishlist__share">
                                                {match link {
                                                    Some(link) => view! {
                                                        <label>{move || i18n.t("wishlist.share_link")}
                                                            <input type="text" readonly value=link data-testid="share-link" />
                                                        </label>
                                                        <button type="button" class="rapport-button" on:click=move |_| { share.dispatch((list_id, false)); }>{move || i18n.t("wishlist.make_private")}</button>
                                                    }.into_any(),
                                                    None => view! {
                                                        <button type="button" class="rapport-button" on:click=move |_| { share.dispatch((list_id, true)); }>{move || i18n.t("wishlist.share")}</button>
                                                    }.into_any(),
                                                }}
                                            </div>
                                        }
                                    })}
                                </div>
                                {page.list.items.is_empty().then(|| view! { <p class="rapport-wishlist__empty">{move || i18n.t("wishlist.empty")}</p> })}
                                <ul class="rapport-wishlist__items">
                                    {page.list.items.into_iter().map(|item| {
                                        let sku = item.sku.clone();
                                        let from = current.id;
                                        let others: Vec<WishlistSummary> = lists.iter().filter(|l| l.id != from).cloned().collect();
                                        let (remove_sku, move_sku, cart_sku, alert_sku) = (sku.clone(), sku.clone(), sku.clone(), sku.clone());
                                        let available = item.available && item.stock > 0;
                                        let item_available = item.available;
                                        view! {
                                            <SavedItem item>
                                                <button type="button" class="rapport-button rapport-button--primary" disabled=!available
                                                    on:click=move |ev| {
                                                        if let Some(target) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(t).ok()) {
                                                            emit_add_to_cart(&target, &cart_sku, 1);
                                                        }
                                                    }>
                                                    {move || i18n.t("wishlist.add_to_cart")}
                                                </button>
                                                {(!others.is_empty()).then(|| view! {
                                                    <label>
                                                        {move || i18n.t("wishlist.move_to")}
                                                        <select data-testid="move-to" on:change=move |ev| {
                                                            if let Ok(to) = event_target_value(&ev).parse::<i64>() {
                                                                move_to.dispatch((move_sku.clone(), from, to));
                                                            }
                                                        }>
                                                            <option value="">"–"</option>
                                                            {others.iter().map(|list| view! { <option value=list.id.to_string()>{list_name(i18n, list)}</option> }).collect_view()}
                                                        </select>
                                                    </label>
                                                })}
                                                {item_available.then(|| view! {
                                                    <a class="rapport-wishlist__alert" href=format!("{}#{}", use_shop_links().product(&alert_sku), crate::alerts::PRICE_ALERT_ANCHOR)>
                                                        {move || i18n.t("wishlist.notify_price_drops")}
                                                    </a>
                                                })}
                                                <button type="button" class="rapport-link-button" on:click=move |_| { remove.dispatch((remove_sku.clone(), from)); }>
                                                    {move || i18n.t("wishlist.remove")}
                                                </button>
                                            </SavedItem>
                                        }
                                    }).collect_view()}
                                </ul>
                                {signed_in.then(|| view! {
                                    <form class="rapport-wishlist__new" on:submit=move |ev| {
                                        ev.prevent_default();
                                        create.dispatch(new_name.get_untracked());
                                        new_name.set(String::new());
                                    }>
                                        <label>
                                            {move || i18n.t("wishlist.new_list")}
                                            <input type="text" name="name" maxlength="60" required prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                                        </label>
                                        <button type="submit" class="rapport-button">{move || i18n.t("wishlist.create")}</button>
                                    </form>
                                })}
                                {(!current.is_default && current.id != 0).then(|| {
                                    let list_id = current.id;
                                    view! {
                                        <div class="rapport-wishlist__delete">
                                            <Show when=move || confirming_delete.get() fallback=move || view! {
                                                <button type="button" class="rapport-link-button" on:click=move |_| confirming_delete.set(true)>{move || i18n.t("wishlist.delete")}</button>
                                            }>
                                                <p role="alert">{move || i18n.t("wishlist.delete_confirm")}</p>
                                                <button type="button" class="rapport-button" data-testid="confirm-delete" on:click=move |_| { confirming_delete.set(false); delete.dispatch(list_id); }>{move || i18n.t("wishlist.delete_yes")}</button>
                                                <button type="button" class="rapport-link-button" on:click=move |_| confirming_delete.set(false)>{move || i18n.t("wishlist.delete_no")}</button>
                                            </Show>
                                        </div>
                                    }
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
    .into_any()
}

/// The address of a shared list on the Rapport server, which serves it (also when the list is embedded in a
/// store's page on another origin).
fn shared_list_link(token: &str) -> String {
    let link = server_asset(&format!("/wishlist/shared/{token}"));
    if link.starts_with('/') {
        format!("{}{link}", window().location().origin().unwrap_or_default())
    } else {
        link
    }
}

/// A shared wish list, read-only, for anyone with its link (`/wishlist/shared/:token`). Renders on the server.
#[component]
pub fn SharedWishlistPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let list = Resource::new(
        move || {
            (
                params.read().get("token").unwrap_or_default(),
                i18n.locale(),
            )
        },
        |(token, locale)| open_shared_wishlist(token, locale.to_owned()),
    );
    view! {
        <section class="shop-section rapport-wishlist rapport-wishlist--shared">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => {
                            let title = if list.name.is_empty() {
                                i18n.t_with("wishlist.shared_default_title", &[("owner", list.owner.clone())])
                            } else {
                                i18n.t_with("wishlist.shared_title", &[("owner", list.owner.clone()), ("name", list.name.clone())])
                            };
                            view! {
                                <h1>{title}</h1>
                                <ul class="rapport-wishlist__items">
                                    {list.items.into_iter().map(|item| view! { <SavedItem item /> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}
