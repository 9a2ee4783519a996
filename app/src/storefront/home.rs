use crate::catalog::home_listing;
use crate::feed::HomeFeed;
use crate::i18n::use_i18n;
use crate::ui::{ErrorNotice, Loading};
use crate::wishlist::WishlistProductGrid;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(
        move || i18n.locale(),
        |locale| home_listing(locale.to_owned()),
    );
    view! {
        <Title text="" />
        <section class="shop-hero">
            <h1 class="shop-hero__title">{move || i18n.t("home.hero_title")}</h1>
            <p class="shop-hero__text">{move || i18n.t("home.hero_text")}</p>
        </section>
        <HomeFeed />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(home) => view! {
                        <section class="shop-section">
                            <h2>{move || i18n.t("home.categories")}</h2>
                            <ul class="shop-category-grid">
                                {home.categories.into_iter().map(|category| view! {
                                    <li>
                                        <a class="shop-category-card" href=format!("/c/{}", category.slug)>
                                            <img src=format!("/demo-img/category/{}.svg", category.slug) alt="" width="96" height="96" />
                                            <span>{category.name}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="shop-section">
                            <h2>{move || i18n.t("home.new_arrivals")}</h2>
                            <WishlistProductGrid products=home.new_arrivals />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
