//! The catalogue's components: product cards in a grid.

use super::ProductCard;
use crate::ui::{PriceTag, StockBadge, server_asset, use_shop_links};
use leptos::prelude::*;

/// Products as a grid of cards. `actions` draws what a card offers besides its link, from the product's SKU (a
/// wish-list heart, for one), so that the catalogue need not know the capabilities that act on its products.
#[component]
pub fn ProductGrid<A, V>(products: Vec<ProductCard>, actions: A) -> impl IntoView
where
    A: Fn(String) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <ul class="shop-grid">
            {products
                .into_iter()
                .map(|product| {
                    let actions = actions(product.sku.clone());
                    view! { <ProductTile product>{actions}</ProductTile> }
                })
                .collect_view()}
        </ul>
    }
}

/// A product in a grid: image, title, price and stock, linking to its page, and the caller's actions after them.
#[component]
fn ProductTile(product: ProductCard, children: Children) -> impl IntoView {
    let href = use_shop_links().product(&product.sku);
    view! {
        <li class="shop-tile" data-sku=product.sku.clone()>
            <a href=href class="shop-tile__link">
                <img class="shop-tile__image" src=server_asset(&product.image_url) alt="" loading="lazy" width="320" height="320" />
                <span class="shop-tile__title">{product.title}</span>
            </a>
            <span class="shop-tile__meta">
                <PriceTag price=product.price />
                <StockBadge stock=product.stock />
                {children()}
            </span>
        </li>
    }
}
