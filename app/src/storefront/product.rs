use crate::alerts::PriceAlert;
use crate::carts::put_in_cart;
use crate::catalog::{Product, product_details};
use crate::events::record_view_from_page;
use crate::feed::{AlsoBought, AlsoViewed, WentOnTo};
use crate::i18n::use_i18n;
use crate::kernel::error::{AppError, ErrorCode};
use crate::questions::Questions;
use crate::reviews::Reviews;
use crate::ui::{ErrorNotice, Loading, PriceTag, StockBadge, emit_add_to_cart};
use crate::wishlist::WishlistButton;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProductPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let sku = move || params.read().get("sku").unwrap_or_default();
    let product = Resource::new(
        move || (sku(), i18n.locale()),
        |(sku, locale)| product_details(sku, locale.to_owned()),
    );
    // Views are recorded from the browser after hydration, so that crawlers and prefetches do not count.
    Effect::new(move |_| {
        let sku = sku();
        leptos::task::spawn_local(async move {
            let _ = record_view_from_page(sku).await;
        });
    });
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(product) => view! { <ProductDetails product /> }.into_any(),
                    Err(error) if error.code == ErrorCode::NotFound => view! {
                        <section class="shop-notice"><h1>{move || i18n.t("product.not_found")}</h1></section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductDetails(product: Product) -> impl IntoView {
    let i18n = use_i18n();
    let category_href = format!("/c/{}", product.category.slug);
    let category_name = product.category.name.clone();
    let sku = product.sku.clone();
    let available = product.active && product.stock > 0;
    view! {
        <Title text=product.title.clone() />
        <nav class="shop-breadcrumb">
            <a href=category_href>{move || i18n.t_with("product.back_to", &[("category", category_name.clone())])}</a>
        </nav>
        <article class="shop-product" data-sku=product.sku.clone()>
            <img class="shop-product__image" src=product.image_url.clone() alt=product.title.clone() width="480" height="480" />
            <div class="shop-product__info">
                <h1 class="shop-product__title">{product.title.clone()}</h1>
                <p class="shop-product__sku">{move || i18n.t_with("product.sku", &[("sku", sku.clone())])}</p>
                <p class="shop-product__price"><PriceTag price=product.price.clone() /></p>
                {if product.active {
                    view! { <StockBadge stock=product.stock /> }.into_any()
                } else {
                    view! { <span class="rapport-stock rapport-stock--out">{move || i18n.t("product.inactive")}</span> }.into_any()
                }}
                <AddToCart sku=product.sku.clone() available />
                {product.active.then(|| view! { <WishlistButton sku=product.sku.clone() /> })}
                <p class="shop-product__description">{product.description.clone()}</p>
                {product.active.then(|| view! { <PriceAlert sku=product.sku.clone() /> })}
            </div>
        </article>
        <AlsoBought sku=product.sku.clone() />
        <WentOnTo sku=product.sku.clone() />
        <AlsoViewed sku=product.sku.clone() />
        <Reviews sku=product.sku.clone() product_name=product.title.clone() />
        <Questions sku=product.sku.clone() />
    }
}

/// Quantity and "Add to cart": records the intent through a server function, then tells the host page with a
/// `rapport:add-to-cart` DOM event carrying the SKU and quantity.
#[component]
fn AddToCart(sku: String, available: bool) -> impl IntoView {
    let i18n = use_i18n();
    let quantity = RwSignal::new(1i64);
    let added = RwSignal::new(0i64);
    let button = NodeRef::<leptos::html::Button>::new();
    let add = Action::new(move |quantity: &i64| {
        let (sku, quantity) = (sku.clone(), *quantity);
        async move {
            put_in_cart(sku.clone(), quantity).await?;
            Ok::<_, AppError>((sku, quantity))
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((sku, quantity))) = add.value().get() {
            added.update(|total| *total += quantity);
            if let Some(button) = button.get_untracked() {
                emit_add_to_cart(&button, &sku, quantity);
            }
        }
    });
    view! {
        <form class="shop-buy" on:submit=move |ev| {
            ev.prevent_default();
            add.dispatch(quantity.get_untracked());
        }>
            <label class="shop-buy__quantity">
                {move || i18n.t("product.quantity")}
                <input
                    type="number"
                    min="1"
                    max="99"
                    prop:value=move || quantity.get().to_string()
                    on:input=move |ev| quantity.set(event_target_value(&ev).parse().unwrap_or(1).clamp(1, 99))
                />
            </label>
            <button class="rapport-button rapport-button--primary" type="submit" node_ref=button disabled=move || !available || add.pending().get()>
                {move || if add.pending().get() { i18n.t("product.adding") } else { i18n.t("product.add_to_cart") }}
            </button>
            <p class="shop-buy__status" role="status">
                {move || match add.value().get() {
                    Some(Ok(_)) => i18n.t_count("product.added", added.get(), &[]),
                    Some(Err(error)) => error.in_language(i18n.locale()),
                    None => String::new(),
                }}
            </p>
        </form>
    }
}
